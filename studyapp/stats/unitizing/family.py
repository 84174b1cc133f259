"""Krippendorff's alpha for unitizing a continuum: the 2016/2019 family, with reasons and intervals.

`unitizing_agreement(spans, lengths, ...)` computes, for one codebook field and any number of
coders over one or several continua (transcripts; their coincidences add):

    u_alpha   Krippendorff's u-alpha: where the units are *and* which code they carry, gaps
              included (2016 sec. 5.1; 2019 sec. 12.6.3).
    binary    |u-alpha: "coded or not", all codes taken together against the gaps (2016 sec. 5.2;
              2019 sec. 12.6.4). ATLAS.ti reports it as "alpha-binary" of a semantic domain.
    cu_alpha  cu-alpha: agreement on the codes where coded spans of different coders intersect,
              unitizing disagreements set aside (2016 sec. 5.3; 2019 sec. 12.6.5). ATLAS.ti's
              "cu-alpha" of a semantic domain.
    per_code  for each code k: (k)u-alpha, code k against the other codes within the coded
              intersections (2016 sec. 5.4; 2019 sec. 12.6.6), its coverage, and the binary
              coefficient of "k or not" over the whole continuum (ATLAS.ti's per-code alpha-binary).

`cu_alpha_across_fields` is ATLAS.ti's Cu-alpha: cu-alpha with the fields (semantic domains)
themselves as the values. The formulas are in `coincidences`; the older 1995/2004 definition is
in `legacy`.

Intervals: a percentile bootstrap that resamples *regions* (default) or whole continua. A
region is a stretch between cut points no coder's span crosses (a cluster of overlapping spans,
or a gap between clusters); every coincidence is a sum over regions, so regions are to unitizing
what units are to ordinary alpha, and resampling them with replacement and recomputing D_o and
D_e is the unit bootstrap studyapp uses for alpha (`stats.bootstrap`, after Efron and Zapf et
al. 2016). Replicates where a coefficient is 0/0 are dropped; no interval when fewer than half
are defined or fewer than two regions (continua) exist.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from studyapp.stats.bootstrap import BootstrapCI, resampled_pattern_counts
from studyapp.stats.result import NO_DATA, ONE_CODER, Stat, defined, undefined
from studyapp.stats.unitizing.coincidences import RegionTable, Sums, family, region_table
from studyapp.stats.unitizing.spans import Unitizations, span_rows, unitizations

U, BINARY, CU, KU = "krippendorff_alpha_u", "krippendorff_alpha_u_binary", "krippendorff_alpha_cu", "krippendorff_alpha_ku"
CODE_BINARY, CU_FIELDS = "krippendorff_alpha_u_binary_code", "krippendorff_alpha_Cu"
REGIONS = "percentile bootstrap over regions (clusters of overlapping spans and the gaps between them)"
CONTINUA = "percentile bootstrap over continua (transcripts)"


@dataclass(frozen=True)
class CodeUnitizing:
    """One code: (k)u-alpha, the binary "k or not" coefficient and the coverage of (k)u-alpha
    (the share of code k's coded length that met another coder's coded span)."""

    code: Any
    ku_alpha: Stat
    binary: Stat
    coverage: float | None

    def to_dict(self) -> dict:
        return {"code": self.code, "ku_alpha": self.ku_alpha.to_dict(), "binary": self.binary.to_dict(),
                "coverage": self.coverage}


@dataclass(frozen=True)
class UnitizingAgreement:
    """The family for one field. `length` counts the characters of the continua that two or more
    coders coded; `coverage` is the share of the pairable matter that cu-alpha looks at (coded by
    two coders at once); `merged_overlaps` how many same-code overlaps of one coder were merged.
    In every `Stat`, `n_units` counts the coded spans that entered (continua with two or more
    coders) and `details` holds D_o and D_e (per pairable character), `pairable_length` (the sum
    over continua of coders x characters, Krippendorff's l..) and the number of `regions`."""

    u_alpha: Stat
    binary: Stat
    cu_alpha: Stat
    per_code: tuple[CodeUnitizing, ...]
    codes: tuple
    coders: tuple
    n_continua: int
    n_pairable_continua: int
    length: int
    coverage: float | None
    merged_overlaps: int

    def code(self, code: Any) -> CodeUnitizing:
        for c in self.per_code:
            if c.code == code:
                return c
        raise KeyError(code)

    def to_dict(self) -> dict:
        return {"u_alpha": self.u_alpha.to_dict(), "binary": self.binary.to_dict(),
                "cu_alpha": self.cu_alpha.to_dict(), "per_code": [c.to_dict() for c in self.per_code],
                "codes": list(self.codes), "coders": list(self.coders), "n_continua": self.n_continua,
                "n_pairable_continua": self.n_pairable_continua, "length": self.length,
                "coverage": self.coverage, "merged_overlaps": self.merged_overlaps}


def unitizing_agreement(spans: Any, lengths: int | Mapping[Hashable, int], *,
                        coders: Sequence | Mapping[Hashable, Sequence] | None = None,
                        codes: Sequence | None = None, n_boot: int = 1000, confidence: float = 0.95,
                        seed: int | None = 0, resample: str = "regions") -> UnitizingAgreement:
    """The unitizing family for one field (see the module doc; inputs as `spans.unitizations`:
    rows (continuum,) coder, start, end, code in character offsets, end exclusive)."""
    data = unitizations(spans, lengths, coders=coders, codes=codes)
    _check(confidence, resample)
    v = len(data.codes)
    if data.partitions:
        run = _Run(data, n_boot, confidence, seed, resample)
        guard = _guard(data, run.table)
        u, binary, cu = run.stat("u", U, guard), run.stat("binary", BINARY, guard), run.stat("cu", CU, guard)
        ku = [run.stat("ku", KU, guard, k) for k in range(v)]
        kb = [run.stat("code_binary", CODE_BINARY, guard, k) for k in range(v)]
        star, margin = run.point["star"][0], run.table.margin.sum(axis=0)[:v]
        n = float(run.table.total.sum())
    else:
        # No joint partition: only the views that take one value at a time are computable.
        coded = _Run(data.relabelled({k: 0 for k in range(v)}, ("coded",)), n_boot, confidence, seed, resample)
        guard = _guard(data, coded.table)
        why = guard or _overlap_reason(data)
        common = {"n_units": coded.table.n_units, "n_coders": coded.n_coders}
        u, cu = undefined(U, why, **common), undefined(CU, why, **common)
        ku = [undefined(KU, why, **common)] * v
        binary = coded.stat("binary", BINARY, guard)
        kb = [_Run(data.relabelled({k: 0}, (data.codes[k],)), n_boot, confidence, seed, resample)
              .stat("code_binary", CODE_BINARY, guard, 0) for k in range(v)]
        star, margin, n = np.full(v, np.nan), np.zeros(v), float(coded.table.total.sum())
    n_star = float(np.nansum(star)) if data.partitions else None
    per_code = tuple(CodeUnitizing(data.codes[k], ku[k], kb[k],
                                   float(star[k] / margin[k]) if margin[k] > 0 and np.isfinite(star[k]) else None)
                     for k in range(v))
    return UnitizingAgreement(u, binary, cu, per_code, data.codes, data.coders, len(data.continua),
                              len(data.pairable), int(sum(c.length for c in data.pairable)),
                              n_star / n if n_star is not None and n > 0 else None, data.merged)


def cu_alpha_across_fields(fields: Mapping[Any, Any], lengths: int | Mapping[Hashable, int], *,
                           coders: Sequence | Mapping[Hashable, Sequence] | None = None,
                           n_boot: int = 1000, confidence: float = 0.95, seed: int | None = 0,
                           resample: str = "regions") -> Stat:
    """ATLAS.ti's Cu-alpha: cu-alpha where a span's value is its field (semantic domain), over
    all fields at once: do coders agree on *which field* a stretch they both coded belongs to?
    `fields` maps each field to its spans (the same rows `unitizing_agreement` takes). Needs
    the fields to be mutually exclusive per coder: a coder's spans of two fields that overlap
    make it undefined, with the reason."""
    single = isinstance(lengths, (int, np.integer))
    rows = []
    for name, spans in fields.items():
        for key, coder, start, end, _code in span_rows(spans, single):
            rows.append((coder, start, end, name) if single else (key, coder, start, end, name))
    data = unitizations(rows, lengths, coders=coders, codes=tuple(fields))
    _check(confidence, resample)
    if not data.partitions:
        n_coders = len({c for cont in data.pairable for c in cont.coders})
        return undefined(CU_FIELDS, _overlap_reason(data, what="fields"), n_coders=n_coders)
    run = _Run(data, n_boot, confidence, seed, resample)
    return run.stat("cu", CU_FIELDS, _guard(data, run.table))


class _Run:
    """One region table, its point estimates and (lazily) its bootstrap replicates."""

    def __init__(self, data: Unitizations, n_boot: int, confidence: float, seed, resample: str):
        self.data, self.table = data, region_table(data)
        self.n_boot, self.confidence, self.seed, self.resample = n_boot, confidence, seed, resample
        self.point = family(self.table.summed())
        self.n_coders = len({c for cont in data.pairable for c in cont.coders})
        self._reps: dict | None = None

    def stat(self, key: str, name: str, guard: str | None, k: int | None = None) -> Stat:
        value = self.point[key][0] if k is None else self.point[key][0, k]
        details = {"D_o": self.point[key + "_do"][0] if k is None else self.point[key + "_do"][0, k],
                   "D_e": self.point[key + "_de"][0] if k is None else self.point[key + "_de"][0, k],
                   "pairable_length": float(self.table.total.sum()), "regions": self.table.n_regions}
        details = {a: float(b) for a, b in details.items() if np.isfinite(b)}
        common = {"n_units": self.table.n_units, "n_coders": self.n_coders}
        if guard is not None:
            return undefined(name, guard, **common)
        if not np.isfinite(value):
            return undefined(name, _reason(key, self, k), details=details, **common)
        s = defined(name, float(value), details=details, **common)
        ci = self.interval(key, k)
        return s.with_ci(ci.low, ci.high, ci.method) if ci is not None else s

    def interval(self, key: str, k: int | None) -> BootstrapCI | None:
        reps = self.replicates()
        if reps is None:
            return None
        r = reps[key] if k is None else reps[key][:, k]
        valid = r[np.isfinite(r)]
        if len(valid) < max(1, self.n_boot / 2):
            return None
        tail = (1.0 - self.confidence) / 2.0
        low, high = np.quantile(valid, [tail, 1.0 - tail])
        method = REGIONS if self.resample == "regions" else CONTINUA
        return BootstrapCI(float(low), float(high), self.confidence, self.n_boot, len(valid), method)

    def replicates(self) -> dict | None:
        if self._reps is not None or self.n_boot <= 0:
            return self._reps or None
        self._reps = {}  # fewer than two resampling units: no interval (asked once, not per coefficient)
        f = self.table.features()
        if self.resample == "continua":
            groups, inverse = np.unique(self.table.continuum, return_inverse=True)
            f = np.stack([f[inverse == g].sum(axis=0) for g in range(len(groups))]) if len(groups) else f
        if len(f) < 2:
            return None
        rng = np.random.default_rng(self.seed)
        chunks = [family(Sums.split(w @ f, self.table.n_codes))
                  for w in resampled_pattern_counts(np.arange(len(f)), len(f), self.n_boot, rng)]
        self._reps = {key: np.concatenate([c[key] for c in chunks]) for key in ("u", "binary", "cu", "ku", "code_binary")}
        return self._reps


def _guard(data: Unitizations, table: RegionTable) -> str | None:
    """The reason nothing of the family can be computed, or None."""
    if not data.continua:
        return NO_DATA
    if not data.pairable:
        if all(c.length == 0 for c in data.continua):
            return "every continuum is empty (length 0): there are no characters to compare"
        return ONE_CODER + " (on every continuum)"
    if table.total.sum() <= 0:
        return NO_DATA
    return None


def _reason(key: str, run: _Run, k: int | None) -> str:
    codes, p = run.data.codes, run.point
    if key in ("u", "binary") and run.table.n_units == 0:
        return ("no coder marked any span on the continua two or more coders coded: every section is "
                "a gap, so there is nothing to agree on (expected disagreement 0)")
    if key == "u":
        return ("expected disagreement is 0: every coder coded every character with the same single "
                "value, so chance agreement is 1 and u-alpha is 0/0")
    if key == "binary":
        return ("no coder left any character uncoded: 'coded or not' has one value only, so expected "
                "disagreement is 0 and |u-alpha is 0/0")
    if key == "cu":
        used = [codes[i] for i in np.flatnonzero(p["star"][0] > 0)]
        if not used:
            return ("no stretch was coded by two coders at once: cu-alpha compares codes only where "
                    "coded spans of different coders intersect")
        return (f"every stretch coded by two coders carries {used[0]!r}: one value only, so expected "
                "disagreement is 0 and cu-alpha is 0/0")
    code = codes[k]
    if key == "ku":
        if not p["star"][0, k] > 0:
            return (f"code {code!r} never meets another coder's coded span: (k)u-alpha compares codes "
                    "only where coded spans of different coders intersect")
        return (f"only {code!r} occurs where coded spans of different coders meet: (k)u-alpha has no "
                "other code to contrast it with (expected disagreement 0)")
    if not run.table.margin[:, k].sum() > 0:
        return f"no coder used code {code!r}: there is nothing to agree on"
    return f"every coder coded every character with {code!r}: '{code} or not' has one value only"


def _overlap_reason(data: Unitizations, what: str = "codes") -> str:
    key, coder, (s1, e1, c1), (s2, e2, c2) = data.cross_code_overlaps[0]
    where = "" if key is None else f" of continuum {key!r}"
    return (f"coder {coder!r} marked overlapping spans with different {what}: [{s1}, {e1}) {data.codes[c1]!r} "
            f"and [{s2}, {e2}) {data.codes[c2]!r}{where} ({data.n_cross_code_overlaps} such overlap(s)). "
            "The unitizing family needs each coder's spans to be mutually exclusive within a field "
            "(Krippendorff et al. 2016), so this coefficient is undefined; the binary coefficients, "
            "which look at one value at a time, are reported")


def _check(confidence: float, resample: str) -> None:
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    if resample not in ("regions", "continua"):
        raise ValueError("resample is 'regions' or 'continua'")
