"""Agreement from rater files, no study needed (what ReCal does): files -> one result per field.

The use case behind `studyapp irr`. Each field's labels become a coders x units matrix and go
through `studyapp.stats.summarize`, the same call the in-study agreement page makes, so a
spreadsheet and a study report identical numbers. Categories are the distinct labels, sorted
(numerically when every label is a number, which is also the order used for `ordinal`); interval
and ratio need numeric labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from studyapp.errors import InvalidInput
from studyapp.readers.raters import (
    RaterTable,
    normalize_labels,
    read_long_file,
    read_rater_files,
)
from studyapp.stats import Summary, summarize

LEVELS = ("nominal", "ordinal", "interval", "ratio")
#: The per-field numbers every output format shows, in this order.
HEADLINE = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1")
EXTRA = ("scott_pi", "brennan_prediger")


@dataclass(frozen=True, eq=False)
class FieldResult:
    name: str
    summary: Summary
    merged: dict[str, list[str]]

    @property
    def alpha_name(self) -> str:
        """Alpha's statistic: with the MASI distance when values are sets of codes (`multi`)."""
        return "krippendorff_alpha_masi" if self.summary.multi else "krippendorff_alpha"

    def stat_value(self, name: str) -> float | None:
        return self.summary.value(self.alpha_name if name == "krippendorff_alpha" else name)

    @property
    def alpha_ci(self) -> tuple[float, float] | None:
        s = self.summary.get(self.alpha_name)
        return s.ci if s else None

    @property
    def undefined_reason(self) -> str | None:
        """Why alpha (or else another headline statistic) has no value; None when all are defined."""
        reasons = self.summary.undefined_reasons()
        for name in (self.alpha_name,) + HEADLINE + EXTRA:
            if name in reasons:
                return reasons[name]
        return None

    def to_json(self) -> dict:
        s = self.summary
        alpha = s.get(self.alpha_name)
        out = {"n_units": s.n_units, "n_coders": s.n_coders}
        out.update({name: self.stat_value(name) for name in HEADLINE})
        out["alpha_ci95"] = list(alpha.ci) if alpha and alpha.ci else None
        out["undefined_reason"] = self.undefined_reason
        out.update({name: s.value(name) for name in EXTRA})
        out.update({"level": "multi (MASI)" if s.multi else s.level, "n_pairable": s.n_pairable,
                    "alpha_band": alpha.band if alpha else None,
                    "alpha_band_source": alpha.band_source if alpha else None,
                    "categories": [str(c) for c in s.categories],
                    "undefined_reasons": s.undefined_reasons(), "merged_labels": self.merged})
        return out


@dataclass(frozen=True, eq=False)
class IrrReport:
    coders: tuple[str, ...]
    n_units: int
    fields: dict[str, FieldResult]
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict:
        """{"fields": {FIELD: {...}}}: the shape `studyapp irr --format json` prints."""
        return {"fields": {name: f.to_json() for name, f in self.fields.items()}}

    def merged(self) -> dict[str, dict[str, list[str]]]:
        return {name: f.merged for name, f in self.fields.items() if f.merged}


def irr_from_rater_files(paths: Sequence[str | Path], *, key: str | None = None, fields: Sequence[str] | None = None,
                         level: str = "nominal", normalize: bool = False, missing: Iterable[str] = (),
                         seed: int = 0, n_boot: int = 1000, multi: str | None = None) -> IrrReport:
    """Agreement per field across one rater file per coder. `multi` (a separator such as ";"): each
    cell is a set of codes, and alpha uses the MASI distance (as the study's multi-code fields do)."""
    if len(paths) < 2:
        raise InvalidInput("agreement needs at least two rater files (one per coder)",
                           path=str(paths[0]) if paths else None)
    table = read_rater_files(paths, key=key, fields=fields, missing=missing)
    return _report(table, level, normalize, seed, n_boot, multi)


def irr_from_long_file(path: str | Path, *, unit: str = "unit", coder: str = "coder", value: str = "value",
                       level: str = "nominal", normalize: bool = False, missing: Iterable[str] = (),
                       seed: int = 0, n_boot: int = 1000, where: Mapping[str, str] | None = None,
                       multi: str | None = None) -> IrrReport:
    """Agreement from one long file (a row per unit, coder and value), on the rows `where` selects."""
    table = read_long_file(path, unit=unit, coder=coder, value=value, missing=missing, where=where)
    return _report(table, level, normalize, seed, n_boot, multi)


def _report(table: RaterTable, level: str, normalize: bool, seed: int, n_boot: int,
            multi: str | None = None) -> IrrReport:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    if multi is not None and level != "nominal":
        raise InvalidInput("sets of codes (--multi) are compared as nominal codes; drop --level")
    if normalize:
        table = normalize_labels(table)
    results = {}
    for name, labels in table.fields.items():
        matrix, categories = _sets(labels, multi) if multi else _matrix(table, name, labels, level)
        summary = summarize(matrix, level, categories, coders=table.coders, seed=seed, n_boot=n_boot)
        results[name] = FieldResult(name, summary, table.merged.get(name, {}))
    return IrrReport(table.coders, len(table.units), results, table.notes)


def _matrix(table: RaterTable, name: str, labels: np.ndarray, level: str) -> tuple[np.ndarray, list | None]:
    """(float matrix, category labels): indexes into the sorted labels, or the numbers themselves.
    Labels are looked up once per distinct label (a codebook of 1,000 codes over 500,000 cells
    costs one pass of dictionary lookups, no per-cell parsing)."""
    present = np.asarray(labels != None, dtype=bool)  # noqa: E711 - elementwise on an object array
    cells = labels[present].tolist()
    distinct = sorted(set(cells))
    numbers = _as_numbers(distinct)
    out = np.full(labels.shape, np.nan)
    if level in ("interval", "ratio"):
        if numbers is None:
            bad = next(v for v in distinct if _number(v) is None)
            coder = next(c for c, row in zip(table.coders, labels) if bad in row.tolist())
            raise InvalidInput(f"column {name!r}: {bad!r} is not a number (needed for --level {level})",
                               path=table.sources[coder])
        lookup = dict(zip(distinct, numbers))
        out[present] = np.fromiter(map(lookup.__getitem__, cells), float, len(cells))
        return out, None
    if numbers is not None:
        order = sorted(range(len(distinct)), key=lambda k: numbers[k])
        distinct = [distinct[k] for k in order]
    index = {v: k for k, v in enumerate(distinct)}
    out[present] = np.fromiter(map(index.__getitem__, cells), float, len(cells))
    return out, distinct


def _sets(labels: np.ndarray, sep: str) -> tuple[np.ndarray, None]:
    out = np.full(labels.shape, None, dtype=object)
    for idx, v in np.ndenumerate(labels):
        if v is not None:
            codes = frozenset(c.strip() for c in v.split(sep) if c.strip())
            out[idx] = codes or None
    return out, None


def _as_numbers(labels: list[str]) -> list[float] | None:
    values = [_number(v) for v in labels]
    return None if any(v is None for v in values) else values


def _number(text: str) -> float | None:
    try:
        x = float(text.strip())
    except ValueError:
        return None
    return x if np.isfinite(x) else None
