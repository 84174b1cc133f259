"""Krippendorff's earlier unitizing alpha (1995; 2004, Content Analysis 2nd ed., ch. 11), per code.

Kept because it is what DKPro Agreement and INCEpTION report as "Krippendorff's alpha (unitizing)"
and because the worked examples of Krippendorff (1995) and (2004) are computed with it; studyapp's
headline coefficients are the 2016/2019 family (`family`), which Krippendorff et al. (2016)
introduced because this definition "turned out to behave not as expected when applied to more
than two observers".

Each code c is its own binary continuum: a coder's c-units, and gaps (everything else, other
codes included), so units of different codes may overlap here. With m coders, total length L
(continua add), and N_c c-units over all coders:

    D_o(c) = sum over ordered coder pairs i != j and sections g of i, h of j of delta^2(g, h)
             / (m (m - 1) L^2), where delta^2 is (b_g - b_h)^2 + (e_g - e_h)^2 for two
             overlapping c-units (begins and ends), l_g^2 for a c-unit inside a gap of the other
             coder, and 0 otherwise;
    D_e(c) = 2/L * sum over c-units g [ (N_c - 1)/3 (2 l^3 - 3 l^2 + l)
                                        + l^2 * sum over gaps h with l_h >= l of (l_h - l + 1) ]
             / (m L (m L - 1) - sum over c-units of l (l - 1)).

alpha(c) = 1 - D_o(c) / D_e(c); over the field alpha = 1 - sum_c D_o(c) / sum_c D_e(c).
The formula has one m: every coder must have coded every continuum.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from studyapp.stats.result import NO_DATA, ONE_CODER, Stat, defined, undefined
from studyapp.stats.unitizing.spans import unitizations

NAME = "krippendorff_alpha_u_2004"


@dataclass(frozen=True)
class LegacyUnitizing:
    """The field's alpha and one alpha per code (`per_code`: (code, Stat) pairs in code order)."""

    alpha: Stat
    per_code: tuple[tuple[Any, Stat], ...]

    def code(self, code: Any) -> Stat:
        return dict(self.per_code)[code]


def krippendorff_2004_u_alpha(spans: Any, lengths: int | Mapping[Hashable, int], *,
                              coders: Sequence | Mapping[Hashable, Sequence] | None = None,
                              codes: Sequence | None = None) -> LegacyUnitizing:
    """The 1995/2004 unitizing alpha (module doc); inputs as `unitizing_agreement`."""
    data = unitizations(spans, lengths, coders=coders, codes=codes)
    everyone = data.coders
    m = len(everyone)
    total = sum(c.length for c in data.continua)
    guard = None
    if not data.continua or total == 0:
        guard = NO_DATA if not data.continua else "every continuum is empty (length 0): there are no characters to compare"
    elif m < 2:
        guard = ONE_CODER
    elif any(set(c.coders) != set(everyone) for c in data.continua):
        guard = ("the 1995/2004 definition has one number of coders m: every coder must code every "
                 "continuum (use the 2016 family, which weights each continuum by its own coders)")
    if guard:
        return LegacyUnitizing(undefined(NAME, guard, n_coders=m),
                               tuple((c, undefined(NAME, guard, n_coders=m)) for c in data.codes))
    per_code, d_o_sum, d_e_sum, n_units = [], 0.0, 0.0, 0
    for k, code in enumerate(data.codes):
        units = [[(u.starts[u.codes == k], u.ends[u.codes == k]) for u in cont.units] for cont in data.continua]
        d_o, d_e, n_k = _disagreements(units, [c.length for c in data.continua], m, total)
        n_units += n_k
        details = {"D_o": d_o, "D_e": d_e}
        if n_k == 0:
            per_code.append((code, undefined(NAME, f"no coder used code {code!r}: there is nothing to agree on",
                                             n_coders=m)))
            continue
        d_o_sum, d_e_sum = d_o_sum + d_o, d_e_sum + d_e
        if d_e <= 1e-15:
            per_code.append((code, undefined(NAME, f"expected disagreement for {code!r} is 0", n_units=n_k,
                                             n_coders=m, details=details)))
        else:
            per_code.append((code, defined(NAME, 1.0 - d_o / d_e, n_units=n_k, n_coders=m, details=details)))
    if n_units == 0:
        overall = undefined(NAME, "no coder marked any span: there is nothing to agree on", n_coders=m)
    elif d_e_sum <= 1e-15:
        overall = undefined(NAME, "expected disagreement is 0 for every code", n_units=n_units, n_coders=m)
    else:
        overall = defined(NAME, 1.0 - d_o_sum / d_e_sum, n_units=n_units, n_coders=m,
                          details={"D_o": d_o_sum, "D_e": d_e_sum})
    return LegacyUnitizing(overall, tuple(per_code))


def _disagreements(units, lengths, m: int, total: int) -> tuple[float, float, int]:
    """D_o, D_e and the unit count of one code; `units[continuum][coder] = (starts, ends)`."""
    delta, gaps, lens = 0.0, [], []
    for per_coder, length in zip(units, lengths):
        for i in range(m):
            si, ei = per_coder[i]
            lens.append(ei - si)
            gaps.append(_gaps(si, ei, length))
            for j in range(i + 1, m):
                sj, ej = per_coder[j]
                delta += 2.0 * _pair_distance(si, ei, sj, ej)
    lens = np.concatenate(lens).astype(float) if lens else np.zeros(0)
    n = len(lens)
    if n == 0:
        return 0.0, 0.0, 0
    gaps = np.sort(np.concatenate(gaps).astype(float))
    suffix = np.concatenate([np.cumsum(gaps[::-1])[::-1], [0.0]])  # sum of gaps[k:]
    first = np.searchsorted(gaps, lens, side="left")               # gaps with l_h >= l
    fits = suffix[first] - (lens - 1.0) * (len(gaps) - first)     # sum of (l_h - l + 1)
    num = ((n - 1) / 3.0 * (2 * lens ** 3 - 3 * lens ** 2 + lens) + lens ** 2 * fits).sum()
    mL = float(m * total)
    d_e = 2.0 / total * num / (mL * (mL - 1.0) - (lens * (lens - 1.0)).sum())
    return delta / (m * (m - 1) * float(total) ** 2), float(d_e), n


def _gaps(starts: np.ndarray, ends: np.ndarray, length: int) -> np.ndarray:
    edges_s = np.concatenate([[0], ends])
    edges_e = np.concatenate([starts, [length]])
    g = edges_e - edges_s
    return g[g > 0]


def _pair_distance(si, ei, sj, ej) -> float:
    """sum of delta^2 over one unordered coder pair: overlapping unit pairs, and units of either
    coder that no unit of the other overlaps (they lie inside one of its gaps)."""
    if not len(si) and not len(sj):
        return 0.0
    lo = np.searchsorted(ej, si, side="right")   # first j-unit ending after g starts
    hi = np.searchsorted(sj, ei, side="left")    # first j-unit starting at or after g ends
    count = np.maximum(hi - lo, 0)
    g = np.repeat(np.arange(len(si)), count)
    h = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi) if b > a]) if count.sum() else np.zeros(0, int)
    both = float(((si[g] - sj[h]).astype(float) ** 2 + (ei[g] - ej[h]).astype(float) ** 2).sum())
    alone_i = count == 0
    hit_j = np.zeros(len(sj), bool)
    hit_j[h] = True
    alone = float(((ei - si)[alone_i].astype(float) ** 2).sum() + ((ej - sj)[~hit_j].astype(float) ** 2).sum())
    return both + alone
