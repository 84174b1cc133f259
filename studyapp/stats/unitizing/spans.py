"""Coders' spans in, one validated unitization per continuum and coder out.

A *continuum* is one transcript (character offsets 0..length, end exclusive). A coder's *spans*
on it are (start, end, code) triples. Krippendorff's unitizing coefficients see a coder's
continuum as a partition into *sections*: the coded spans (units, each carrying a code) and the
stretches between them (gaps, "not coded", written phi), so the gaps are sections too. This
module turns raw rows into those partitions and says what it had to do:

* a span outside 0..length, with start >= end, or with a code outside the declared codes is an
  error (`ValueError` naming the record): nothing is silently dropped;
* overlapping spans of one coder with the *same* code are merged into their union (one stretch
  judged to carry that code; the sources require a coder's units to be mutually exclusive, and
  the union is the only reading that keeps every character the coder marked). Touching spans
  (one ends where the next starts) stay two units: the coder drew a boundary there;
* overlapping spans of one coder with *different* codes cannot form a partition. They are kept
  and reported in `cross_code_overlaps`; the statistics that need a partition (u-alpha, cu-alpha,
  (k)u-alpha) are then undefined with that reason, while the per-code and binary coefficients
  (which look at one code, or at "coded or not", at a time) stay computable.

Missing data: a coder listed for a continuum but with no spans there coded it and marked nothing
(the whole continuum is one gap: that is a judgement, not a missing value). A coder *not* listed
for a continuum did not code it: that continuum has one coder fewer, exactly as a unit with fewer
values in ordinary alpha (Krippendorff 2019, sec. 12.6: coincidences weighted 1 / (m_u - 1)).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True, eq=False)
class CoderUnits:
    """One coder's units on one continuum, sorted by start: `starts`, `ends` (exclusive) and
    `codes` (indexes into `Unitizations.codes`). Units of one code never overlap; units of
    different codes overlap only when `overlaps` is True."""

    starts: np.ndarray
    ends: np.ndarray
    codes: np.ndarray
    overlaps: bool = False


@dataclass(frozen=True, eq=False)
class Continuum:
    key: Hashable
    length: int
    coders: tuple[Any, ...]
    units: tuple[CoderUnits, ...]

    @property
    def pairable(self) -> bool:
        return len(self.coders) >= 2 and self.length > 0


@dataclass(frozen=True, eq=False)
class Unitizations:
    """Every continuum of one field: `codes` is the domain (declared order, else sorted),
    `coders` every coder seen, `merged` how many same-code overlaps were merged,
    `cross_code_overlaps` a few (continuum, coder, span, span) examples of different-code
    overlaps (empty when every coder's units form a partition)."""

    codes: tuple[Any, ...]
    coders: tuple[Any, ...]
    continua: tuple[Continuum, ...]
    merged: int = 0
    cross_code_overlaps: tuple[tuple, ...] = field(default_factory=tuple)
    n_cross_code_overlaps: int = 0

    @property
    def pairable(self) -> tuple[Continuum, ...]:
        return tuple(c for c in self.continua if c.pairable)

    @property
    def partitions(self) -> bool:
        return self.n_cross_code_overlaps == 0

    def relabelled(self, mapping: Mapping[int, int], codes: Sequence[Any]) -> Unitizations:
        """The same spans with code index i mapped to mapping[i] (absent = dropped, i.e. gap),
        same-code overlaps merged again: the one-code-vs-rest and coded-or-not views."""
        rows = []
        for c in self.continua:
            for coder, u in zip(c.coders, c.units):
                for s, e, k in zip(u.starts, u.ends, u.codes):
                    if int(k) in mapping:
                        rows.append((c.key, coder, int(s), int(e), codes[mapping[int(k)]]))
        lengths = {c.key: c.length for c in self.continua}
        who = {c.key: c.coders for c in self.continua}
        return unitizations(rows, lengths, coders=who, codes=codes)


def unitizations(spans: Any, lengths: int | Mapping[Hashable, int], *,
                 coders: Sequence | Mapping[Hashable, Sequence] | None = None,
                 codes: Sequence | None = None) -> Unitizations:
    """Validate and sort spans into per-continuum, per-coder units.

    `spans`: a DataFrame with columns (continuum,) coder, start, end, code, or an iterable of
    such tuples/dicts. With `lengths` an int there is one continuum and rows have no continuum.
    `coders`: who coded each continuum (a sequence: everyone coded every continuum; a mapping:
    per continuum; None: every coder with a span anywhere coded every continuum).
    `codes`: the field's codes (a span with another code is an error); None: the codes used."""
    single = isinstance(lengths, (int, np.integer))
    length_of = {None: int(lengths)} if single else {k: int(v) for k, v in dict(lengths).items()}
    rows = list(span_rows(spans, single))
    for n, (key, _coder, start, end, _code) in enumerate(rows, 1):
        if key not in length_of:
            raise ValueError(f"span record {n}: continuum {key!r} has no length")
        if not 0 <= start < end <= length_of[key]:
            raise ValueError(f"span record {n}: [{start}, {end}) is not a span inside "
                             f"0..{length_of[key]} of continuum {key!r} (need 0 <= start < end <= length)")
    for key, length in length_of.items():
        if length < 0:
            raise ValueError(f"continuum {key!r} has a negative length {length}")
    domain = tuple(codes) if codes is not None else tuple(sorted({r[4] for r in rows}, key=_order))
    index = {c: i for i, c in enumerate(domain)}
    if len(index) != len(domain):
        raise ValueError("the declared codes repeat a code")
    for n, row in enumerate(rows, 1):
        if row[4] not in index:
            raise ValueError(f"span record {n}: code {row[4]!r} is not one of the field's codes {list(domain)}")
    seen = tuple(dict.fromkeys(r[1] for r in rows))
    by = {}
    for key, coder, start, end, code in rows:
        by.setdefault((key, coder), []).append((start, end, index[code]))
    continua, merged, examples, n_cross = [], 0, [], 0
    for key, length in length_of.items():
        who = _coders_of(key, coders, seen)
        for coder in dict.fromkeys(c for (k, c) in by if k == key):
            if coder not in who:
                raise ValueError(f"coder {coder!r} has spans on continuum {key!r} but is not listed as coding it")
        units = []
        for coder in who:
            u, m, cross = _coder_units(by.get((key, coder), []))
            merged += m
            n_cross += len(cross)
            examples.extend((key, coder) + pair for pair in cross[:3 - len(examples)] if len(examples) < 3)
            units.append(u)
        continua.append(Continuum(key, length, who, tuple(units)))
    everyone = tuple(dict.fromkeys(c for cont in continua for c in cont.coders))
    return Unitizations(domain, everyone, tuple(continua), merged, tuple(examples), n_cross)


def span_rows(spans: Any, single: bool) -> Iterable[tuple]:
    """(continuum, coder, start, end, code) for every record, whatever shape it came in."""
    names = ("coder", "start", "end", "code") if single else ("continuum", "coder", "start", "end", "code")
    if hasattr(spans, "to_dict") and hasattr(spans, "columns"):
        missing = [c for c in names if c not in spans.columns]
        if missing:
            raise ValueError(f"the span table lacks columns {missing}")
        records = spans[list(names)].itertuples(index=False, name=None)
    else:
        records = spans
    for n, rec in enumerate(records, 1):
        if isinstance(rec, Mapping):
            rec = tuple(rec[c] for c in names)
        rec = tuple(rec)
        if len(rec) != len(names):
            raise ValueError(f"span record {n} has {len(rec)} fields, expected {len(names)} ({', '.join(names)})")
        if single:
            rec = (None,) + rec
        key, coder, start, end, code = rec
        try:
            s, e = int(start), int(end)
        except (TypeError, ValueError):
            raise ValueError(f"span record {n}: start/end {start!r}, {end!r} are not character offsets") from None
        if s != start or e != end:
            raise ValueError(f"span record {n}: start/end {start!r}, {end!r} are not whole character offsets")
        yield key, coder, s, e, code


def _coders_of(key, coders, seen) -> tuple:
    if coders is None:
        return seen
    if isinstance(coders, Mapping):
        return tuple(dict.fromkeys(coders.get(key, ())))
    return tuple(dict.fromkeys(coders))


def _coder_units(spans: list[tuple[int, int, int]]) -> tuple[CoderUnits, int, list[tuple]]:
    """Sorted units with same-code overlaps merged, the merge count and different-code overlaps."""
    merged_units, n_merged = [], 0
    for code in sorted({k for _, _, k in spans}):
        run = sorted((s, e) for s, e, k in spans if k == code)
        cur_s, cur_e = run[0]
        for s, e in run[1:]:
            if s < cur_e:  # strict overlap (or a duplicate): one stretch of this code
                cur_e, n_merged = max(cur_e, e), n_merged + 1
            else:
                merged_units.append((cur_s, cur_e, code))
                cur_s, cur_e = s, e
        merged_units.append((cur_s, cur_e, code))
    merged_units.sort()
    cross, reach = [], None
    for s, e, k in merged_units:
        if reach is not None and s < reach[1]:
            cross.append(((reach[0], reach[1], reach[2]), (s, e, k)))
        if reach is None or e > reach[1]:
            reach = (s, e, k)
    arr = np.array(merged_units, dtype=np.int64).reshape(-1, 3)
    return CoderUnits(arr[:, 0], arr[:, 1], arr[:, 2], bool(cross)), n_merged, cross


def _order(code: Any) -> tuple:
    return (type(code).__name__, code) if isinstance(code, (int, float, str)) else (type(code).__name__, str(code))
