"""Which PeaTMOSS schema a dataset file holds, and what each metric needs from it.

Two versions are in use: the 56-table MSR 2024 release (PeaTMOSS.db) and the 76-table DIST
version of the ESEM 2024 claim-validation study (adds model_to_base_model, reuse_repository_to_license,
parameter_count, ...). A file is recognised by its table names, never by its size: the real file
is about 7 GB, and nothing here loads a whole table. Tables a metric needs are checked up front, so
a metric on the wrong version fails with the table it misses instead of a SQL error halfway.

studyapp's sample datasets add three tables the published files do not have (documented in
docs/claims.md): `dataset_metadata` (says the data is synthetic), `download_snapshot` (downloads
of each model at several dates, for turnover) and `model_card_section` (which of the five
model-card sections each card has; the ESEM study had an LLM read every card for this).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from studyapp.datasets import peatmoss_schema as schema
from studyapp.datasets.sandbox import Dataset, DatasetError, QueryTimeout, quote_ident

EXTENSION_TABLES = ("dataset_metadata", "download_snapshot", "model_card_section")
CORE = {"model": ("id", "context_id", "downloads", "likes")}

LABELS = {
    "peatmoss-dist": "PeaTMOSS DIST (ESEM 2024, 76 tables)",
    "peatmoss-msr24": "PeaTMOSS (MSR 2024, 56 tables)",
    "peatmoss-partial": "PeaTMOSS-like (some tables missing)",
    "unknown": "not a PeaTMOSS schema",
}


@dataclass(frozen=True)
class SchemaInfo:
    """What a dataset file holds. `key` is one of LABELS; `counts` maps table -> rows (None if not counted
    or the count hit the time limit)."""
    key: str
    tables: tuple[str, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    counts: dict[str, int | None] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return LABELS[self.key]

    @property
    def synthetic(self) -> bool:
        return str(self.metadata.get("synthetic", "")).lower() in ("true", "1", "yes")

    @property
    def is_peatmoss(self) -> bool:
        return self.key != "unknown"

    def to_dict(self) -> dict:
        return {"schema": self.key, "label": self.label, "synthetic": self.synthetic, "tables": self.counts or
                {t: None for t in self.tables}, "missing": list(self.missing), "extra": list(self.extra),
                "metadata": self.metadata}


def recognise(ds: Dataset, *, counts: bool = False, count_time_limit: float = 10.0) -> SchemaInfo:
    """Name the schema of `ds` by its tables; with `counts`, count each table's rows (each count under
    its own time limit, so one huge table shows as unknown instead of stopping the report)."""
    present = tuple(t for t in ds.tables() if not t.startswith("sqlite_"))
    names = set(present)
    msr, dist = set(schema.tables(schema.MSR24)), set(schema.tables(schema.DIST))
    if dist <= names:
        key, expected = "peatmoss-dist", dist
    elif msr <= names:
        key, expected = "peatmoss-msr24", msr
    elif all(ds.has(t, *cols) for t, cols in CORE.items()):
        key, expected = "peatmoss-partial", (dist if names & set(schema.DIST_ONLY) else msr)
    else:
        key, expected = "unknown", set()
    missing = tuple(sorted(expected - names))
    extra = tuple(sorted(names - expected)) if expected else ()
    table_counts: dict[str, int | None] = {}
    if counts:
        for t in present:
            try:
                table_counts[t] = ds.count(t, time_limit=count_time_limit)
            except QueryTimeout:
                table_counts[t] = None
    return SchemaInfo(key, present, missing, extra, table_counts, metadata(ds))


def metadata(ds: Dataset) -> dict[str, str]:
    """The `dataset_metadata` key/value table of a studyapp sample dataset ({} for other files)."""
    if not ds.has("dataset_metadata", "key", "value"):
        return {}
    return {str(k): str(v) for k, v in ds.query("SELECT key, value FROM dataset_metadata", row_cap=1000).rows}


def require(ds: Dataset, needs: dict[str, tuple[str, ...]], what: str) -> None:
    """Raise a clear `DatasetError` naming the first table/column `what` needs and `ds` lacks."""
    for table, cols in needs.items():
        have = ds.columns(table)
        if not have:
            hint = " (it is in the 76-table PeaTMOSS DIST version)" if table in schema.DIST_ONLY else ""
            raise DatasetError(f"{what} needs the table {table!r}, which this dataset does not have{hint}",
                               path=str(ds.path))
        lacking = [c for c in cols if c not in have]
        if lacking:
            raise DatasetError(f"{what} needs column(s) {', '.join(lacking)} of table {table!r}",
                               path=str(ds.path))


def existing(ds: Dataset, tables: list[str]) -> list[str]:
    """The tables of `tables` that `ds` has, in the given order."""
    have = set(ds.tables())
    return [t for t in tables if t in have]


def paper_column(ds: Dataset) -> str:
    """`paper.title` in DIST, `paper.name` in the MSR 2024 release."""
    return "title" if "title" in ds.columns("paper") else "name"


__all__ = ["SchemaInfo", "recognise", "metadata", "require", "existing", "paper_column", "quote_ident",
           "EXTENSION_TABLES", "LABELS"]
