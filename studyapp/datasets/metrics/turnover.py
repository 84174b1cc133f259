"""Turnover of the top-k packages by downloads across snapshots (ESEM 2024, "popularity drives PTM
selection"), for one registry or several side by side.

For each snapshot after the first, of its top-k:
- remained: also in the previous snapshot's top-k;
- newcomers: in no earlier snapshot's top-k;
- returning: in an earlier top-k, but not the previous one.
`distinct_ever` counts the packages ever in a top-k. The churn of a registry is the mean share of
a later top-k that did not remain ((newcomers + returning) / size).

Snapshots come from a dataset (`download_snapshot(snapshot, model_id, downloads)` of a sample;
a `PeaTMOSS_ANCIENT(modelId, downloads_last_month)` file; or a PeaTMOSS file's current
`model.downloads`) or from CSV files with a name column and a downloads column, one file per date,
taken in the order given. Ties in downloads are broken by name, so results are reproducible.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pandas as pd

from studyapp.datasets.metrics.base import Metric, MetricResult, QueryRun, run_query
from studyapp.datasets.sandbox import Dataset, DatasetError, open_dataset
from studyapp.errors import InvalidInput

NAME_COLUMNS = ("name", "package", "model", "modelid", "model_id", "repo", "context_id", "id")


@dataclass(frozen=True)
class Snapshot:
    """One ranking: `ranked` holds names, most downloaded first (at least the top-k)."""
    name: str
    ranked: tuple[str, ...]
    source: str = ""


def counts(snapshots: Sequence[Snapshot], k: int) -> tuple[list[dict], int]:
    """Per-snapshot rows {name, size, remained, newcomers, returning} (None for the first) and distinct_ever."""
    if k < 1:
        raise ValueError("k must be at least 1")
    ever: set[str] = set()
    prev: set[str] | None = None
    rows = []
    for snap in snapshots:
        top = set(list(dict.fromkeys(snap.ranked))[:k])
        row = {"name": snap.name, "size": len(top), "remained": None, "newcomers": None, "returning": None}
        if prev is not None:
            row.update(remained=len(top & prev), newcomers=len(top - ever), returning=len((top - prev) & ever))
        ever |= top
        prev = top
        rows.append(row)
    return rows, len(ever)


def churn(rows: list[dict]) -> float | None:
    later = [r for r in rows[1:] if r["size"]]
    if not later:
        return None
    return sum((r["newcomers"] + r["returning"]) / r["size"] for r in later) / len(later)


def read_csv_snapshot(path: str | Path) -> Snapshot:
    """A snapshot from a CSV with a name column (name, package, model, repo...) and a downloads column
    (any header containing "download"); a leading unnamed index column is ignored."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput("no such snapshot file", path=str(path))
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as e:
        raise InvalidInput(f"not a readable CSV: {e}", path=str(path)) from None
    cols = {c.strip().lower(): c for c in df.columns}
    name_col = next((cols[c] for c in NAME_COLUMNS if c in cols), None)
    dl_col = next((c for c in df.columns if "download" in c.lower()), None)
    if name_col is None or dl_col is None:
        raise InvalidInput(f"needs a name column ({', '.join(NAME_COLUMNS[:5])}, ...) and a downloads column; "
                           f"found {', '.join(map(str, df.columns))}", path=str(path), line=1)
    seen: dict[str, int] = {}
    rows = []
    for i, (name, raw) in enumerate(zip(df[name_col], df[dl_col]), start=2):
        name = name.strip()
        if not name:
            raise InvalidInput("empty name", path=str(path), line=i)
        try:
            dl = float(str(raw).replace(",", "").strip())
        except ValueError:
            raise InvalidInput(f"downloads {raw!r} is not a number", path=str(path), line=i) from None
        if math.isnan(dl) or dl < 0:
            raise InvalidInput(f"downloads {raw!r} is not a count", path=str(path), line=i)
        if name in seen:
            raise InvalidInput(f"{name!r} appears twice (lines {seen[name]} and {i})", path=str(path), line=i)
        seen[name] = i
        rows.append((name, dl))
    rows.sort(key=lambda r: (-r[1], r[0]))
    return Snapshot(path.stem, tuple(r[0] for r in rows), str(path))


def dataset_snapshots(ds: Dataset, k: int, runs: list[QueryRun]) -> list[Snapshot]:
    """The top-k of every snapshot a dataset holds, oldest first."""
    if ds.has("download_snapshot", "snapshot", "model_id", "downloads"):
        labels = [r[0] for r in run_query(ds, "SELECT DISTINCT snapshot FROM download_snapshot ORDER BY snapshot",
                                          (), runs).rows]
        sql = ("SELECT m.context_id FROM download_snapshot s JOIN model m ON m.id = s.model_id\n"
               "WHERE s.snapshot = ? ORDER BY s.downloads DESC, s.model_id LIMIT ?")
        return [Snapshot(label, tuple(str(r[0]) for r in run_query(ds, sql, (label, k), runs).rows), str(ds.path))
                for label in labels]
    if ds.has("PeaTMOSS_ANCIENT", "modelId", "downloads_last_month"):
        sql = ('SELECT "modelId" FROM "PeaTMOSS_ANCIENT" WHERE downloads_last_month IS NOT NULL\n'
               'ORDER BY downloads_last_month DESC, "modelId" LIMIT ?')
        return [Snapshot(ds.path.stem, tuple(str(r[0]) for r in run_query(ds, sql, (k,), runs).rows), str(ds.path))]
    if ds.has("model", "context_id", "downloads"):
        sql = "SELECT context_id FROM model WHERE downloads IS NOT NULL ORDER BY downloads DESC, id LIMIT ?"
        return [Snapshot(ds.path.stem, tuple(str(r[0]) for r in run_query(ds, sql, (k,), runs).rows), str(ds.path))]
    raise DatasetError("no download snapshots: needs download_snapshot, PeaTMOSS_ANCIENT or model.downloads",
                       path=str(ds.path))


def load(source, *, k: int, dataset: Dataset | None, base: Path | None, runs: list[QueryRun]) -> list[Snapshot]:
    """Snapshots from a source spec: "dataset" (the claim's dataset) or a list of files (.csv snapshots,
    or .db files each giving its own snapshots), relative paths resolved against `base`."""
    if source in (None, "dataset"):
        if dataset is None:
            raise DatasetError("this turnover needs a dataset (give --dataset) or a list of snapshot CSV files")
        return dataset_snapshots(dataset, k, runs)
    files = [source] if isinstance(source, str) else list(source)
    out: list[Snapshot] = []
    for f in files:
        p = Path(f)
        if not p.is_absolute() and base is not None:
            p = base / p
        if p.suffix.lower() in (".db", ".sqlite", ".sqlite3"):
            with open_dataset(p) as other:
                out.extend(dataset_snapshots(other, k, runs))
        else:
            snap = read_csv_snapshot(p)
            runs.append(QueryRun(f"read CSV {f}", (), 0.0, len(snap.ranked)))  # as named: no machine path
            out.append(snap)
    return out


def _frame(registry: str, rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df.insert(0, "registry", registry)
    return df


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def turnover(registries: dict[str, list[Snapshot]], *, k: int = 1000) -> MetricResult:
    """Turnover of one registry's top-k (value: distinct packages ever in a top-k)."""
    (label, snaps), = registries.items()
    rows, distinct = counts(snaps, k)
    c = churn(rows)
    notes = [f"{r['name']}: only {r['size']} names (fewer than k = {k})" for r in rows if r["size"] < k]
    if len(snaps) < 2:
        notes.append("a single snapshot: turnover needs at least two")
    later = rows[1:]
    return MetricResult(
        "turnover", {"k": k, "registry": label}, float(distinct) if len(snaps) >= 2 else None,
        f"distinct packages ever in the top {k} of {label} over {len(snaps)} snapshots",
        _frame(label, rows),
        extras={"k": k, "snapshots": len(snaps), "distinct_ever": distinct, "churn": c,
                "distinct_ratio": distinct / k, "newcomers": sum(r["newcomers"] for r in later),
                "returning": sum(r["returning"] for r in later), "remained": sum(r["remained"] for r in later)},
        notes=notes, n=sum(r["size"] for r in rows),
        chart={"kind": "turnover", "title": f"Top-{k} turnover per snapshot"})


def turnover_compare(registries: dict[str, list[Snapshot]], *, k: int = 1000) -> MetricResult:
    """Turnover of several registries side by side (value: churn of the first / churn of the second).
    The test table counts, per registry, later top-k entries that did not remain vs that remained."""
    if len(registries) < 2:
        raise DatasetError("turnover_compare needs at least two registries")
    frames, table, extras, notes = [], [], {"k": k}, []
    churns = []
    for label, snaps in registries.items():
        rows, distinct = counts(snaps, k)
        later = rows[1:]
        moved = sum(r["newcomers"] + r["returning"] for r in later)
        stayed = sum(r["remained"] for r in later)
        c = churn(rows)
        churns.append(c)
        table.append([moved, stayed])
        frames.append(_frame(label, rows))
        slug = _slug(label)
        extras.update({f"churn_{slug}": c, f"distinct_ever_{slug}": distinct})
        if len(snaps) < 2:
            notes.append(f"{label}: a single snapshot, no turnover")
    first, second = churns[0], churns[1]
    value = first / second if first is not None and second else None
    if second == 0:
        notes.append(f"{list(registries)[1]} has no churn at all: the ratio is undefined")
    labels = list(registries)
    return MetricResult(
        "turnover_compare", {"k": k, "registries": labels}, value,
        f"churn of {labels[0]} / churn of {labels[1]} (top {k})",
        pd.concat(frames, ignore_index=True), data={"table": table, "rows": labels, "columns": ["moved", "remained"]},
        extras={**extras, "churn_first": first, "churn_second": second}, notes=notes,
        n=int(sum(map(sum, table))), chart={"kind": "turnover", "title": f"Top-{k} turnover per registry"})


METRICS = [
    Metric("turnover", "Turnover of the top-k", "snapshots", turnover,
           {"k": (1000, "size of the top list"),
            "snapshots": ("dataset", '"dataset" or a list of snapshot files (CSV name,downloads; or .db)'),
            "registry": ("Hugging Face", "label of the registry")},
           "none", ("none",),
           "Remained / newcomers / returning per snapshot and distinct packages ever in the top-k."),
    Metric("turnover_compare", "Turnover compared across registries", "snapshots", turnover_compare,
           {"k": (1000, "size of the top list"),
            "registries": ({}, 'label -> "dataset" or a list of snapshot files, first the one claimed to churn more')},
           "chi_square", ("chi_square", "none"),
           "Churn of the first registry relative to the second, with a chi-square test of moved vs remained."),
]
