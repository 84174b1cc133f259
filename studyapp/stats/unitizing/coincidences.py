"""The coincidences of unitized continua, summed per region, and the family's formulas on them.

Krippendorff, Mathet, Bouvry & Widloecher (2016) and Krippendorff (2019, Content Analysis, 4th
ed., sec. 12.6) define every coefficient of the unitizing family on one matrix of *observed
coincidences*: for values c, k (codes, and phi for gaps)

    l_ck = 1/(m_u - 1) * sum over ordered coder pairs i != j of the continuum, over section g of
           coder i valued c and section h of coder j valued k, of |g intersect h|   (characters)

and on *expected coincidences* that pair every section with every other one except itself:

    e_ck = l.. * (l_c. l_.k - [c = k] S_c) / (l..^2 - S),   S_c = sum of l_g^2 over units valued c,
           S_phi = sum of gap lengths (a gap is divisible: each of its characters is a section),
           S = sum_c S_c.

u-alpha = 1 - (l.. - sum_c l_cc) / (l.. - sum_c e_cc) (nominal: any two different values
disagree, gaps included). |u-alpha (binary) collapses the codes: 1 - l_phi,notphi / e_phi,notphi.
cu-alpha keeps only the coincidences of two coded sections, l*_ck (c, k != phi), with expected

    e*_ck = (l*_c. l*_.k - [c = k] S*_c) / (l*.. - S* / l*..),   S*_c = sum over units valued c
            of w_g^2, w_g = unit g's mass in l* = sum_j |g intersect coded sections of j| / (m_u - 1)

(the same rule, a unit does not pair with itself, applied to each unit's mass in the matrix; with
two coders w_g is the length of g that the other coder also coded, as in both published
reimplementations; see docs/unitizing.md for why three or more coders need the 1/(m_u - 1)).
(k)u-alpha = 1 - (e*_k. / l*_k.) (l*_k. - l*_kk) / (e*_k. - e*_kk), one code against the rest
among coded intersections. The per-code binary coefficient (ATLAS.ti's alpha-binary of one code)
is |u-alpha on the continuum where only code k counts as coded: D_o = l_k. - l_kk and
e_k,notk = l.. l_k. (l.. - l_k.) / (l..^2 - S_k - (l.. - l_k.)).

Every coincidence and every S term is a sum over *regions*: the stretches of a continuum between
cut points that no coder's coded span crosses (the clusters of overlapping spans, and the gaps
between them). So each region's sums are computed once, the point estimate adds them all, and a
bootstrap replicate adds them with the counts of a resample of regions. No O(L) work anywhere:
everything runs on section boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studyapp.stats.unitizing.spans import Unitizations


@dataclass(frozen=True, eq=False)
class RegionTable:
    """Per region r (rows) and value (columns; the last column, index V, is phi):
    `total` l.. share, `margin` l_c., `diag` l_cc, `with_gap` l_c,phi, `self_pairs` S_c,
    `cu_self` S*_c (codes only). `continuum` is each region's continuum index. `n_units` counts
    the coded spans that entered (pairable continua only)."""

    n_codes: int
    total: np.ndarray
    margin: np.ndarray
    diag: np.ndarray
    with_gap: np.ndarray
    self_pairs: np.ndarray
    cu_self: np.ndarray
    continuum: np.ndarray
    n_units: int

    @property
    def n_regions(self) -> int:
        return len(self.total)

    def features(self) -> np.ndarray:
        """One row per region: every sum side by side (the bootstrap resamples these rows)."""
        return np.column_stack([self.total, self.margin, self.diag, self.with_gap, self.self_pairs, self.cu_self])

    def summed(self, weights: np.ndarray | None = None) -> Sums:
        f = self.features()
        rows = f.sum(axis=0, keepdims=True) if weights is None else weights @ f
        return Sums.split(rows, self.n_codes)


@dataclass(frozen=True, eq=False)
class Sums:
    """The sums over a (resampled) set of regions, with a leading replicate axis."""

    total: np.ndarray
    margin: np.ndarray
    diag: np.ndarray
    with_gap: np.ndarray
    self_pairs: np.ndarray
    cu_self: np.ndarray

    @classmethod
    def split(cls, rows: np.ndarray, v: int) -> Sums:
        w = v + 1
        cut = np.cumsum([1, w, w, w, w])
        total, margin, diag, gap, selfp, cu = np.split(rows, cut, axis=1)
        return cls(total[:, 0], margin, diag, gap, selfp, cu)


def region_table(data: Unitizations) -> RegionTable:
    """Sum the coincidences of every pairable continuum region by region (see the module doc)."""
    v = len(data.codes)
    w = v + 1
    acc: dict[str, list] = {k: [] for k in ("margin", "diag", "gap", "self", "cu")}
    region_continuum, offset, n_units = [], 0, 0
    for ci, cont in enumerate(data.continua):
        if not cont.pairable:
            continue
        bounds = _region_bounds(cont)
        n_reg = len(bounds) - 1
        m = len(cont.coders)
        parts = [_sections(u, cont.length, v) for u in cont.units]
        unit_region = [offset + np.searchsorted(bounds, u.starts, side="right") - 1 for u in cont.units]
        mass = [np.zeros(len(u.starts)) for u in cont.units]
        for i in range(m):
            for j in range(i + 1, m):
                _pair(parts[i], parts[j], bounds, offset, 1.0 / (m - 1), w, acc, mass[i], mass[j])
        for u, reg, ms in zip(cont.units, unit_region, mass):
            lengths = (u.ends - u.starts).astype(float)
            acc["self"].append((reg * w + u.codes, lengths ** 2))
            acc["cu"].append((reg * v + u.codes, ms ** 2))
            n_units += len(u.starts)
        region_continuum.append(np.full(n_reg, ci))
        offset += n_reg
    r = offset

    def table(key: str, width: int) -> np.ndarray:
        if not acc[key]:
            return np.zeros((r, width))
        idx = np.concatenate([a for a, _ in acc[key]]).astype(np.int64)
        val = np.concatenate([b for _, b in acc[key]])
        return np.bincount(idx, weights=val, minlength=r * width).reshape(r, width)

    margin = table("margin", w)
    self_pairs = table("self", w)
    self_pairs[:, v] = margin[:, v]  # a gap of length l counts l single-character self-pairs
    continuum = np.concatenate(region_continuum) if region_continuum else np.zeros(0, dtype=np.int64)
    return RegionTable(v, margin.sum(axis=1), margin, table("diag", w), table("gap", w), self_pairs,
                       table("cu", v), continuum, n_units)


def _region_bounds(cont) -> np.ndarray:
    """0, the start and end of every cluster of overlapping coded spans (any coder), length."""
    starts = np.concatenate([u.starts for u in cont.units])
    ends = np.concatenate([u.ends for u in cont.units])
    if not len(starts):
        return np.array([0, cont.length], dtype=np.int64)
    order = np.argsort(starts, kind="stable")
    s, e = starts[order], ends[order]
    reach = np.maximum.accumulate(e)
    new = np.ones(len(s), dtype=bool)
    new[1:] = s[1:] >= reach[:-1]  # touching spans do not join a cluster: no span crosses the cut
    first = np.flatnonzero(new)
    last = np.append(first[1:] - 1, len(s) - 1)
    return np.unique(np.concatenate([[0, cont.length], s[first], reach[last]]))


def _sections(units, length: int, v: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A coder's partition of 0..length: section starts, values (code, or v for a gap) and the
    unit index of each section (-1 for gaps). Units do not overlap here (checked by the caller)."""
    cuts = np.unique(np.concatenate([[0], units.starts, units.ends]))
    cuts = cuts[cuts < length]
    at = np.searchsorted(units.starts, cuts, side="right") - 1
    inside = (at >= 0) & (cuts < units.ends[np.maximum(at, 0)]) if len(units.starts) else np.zeros(len(cuts), bool)
    unit = np.where(inside, at, -1)
    values = np.where(inside, units.codes[np.maximum(at, 0)] if len(units.starts) else v, v)
    return cuts, values, unit


def _pair(a, b, bounds, offset, weight, w, acc, mass_a, mass_b) -> None:
    """Add the coincidences of one unordered coder pair (both orders) to the accumulators."""
    (sa, va, ua), (sb, vb, ub) = a, b
    length = bounds[-1]
    cuts = np.unique(np.concatenate([sa, sb, bounds[:-1]]))
    size = np.diff(np.append(cuts, length)).astype(float) * weight
    ia = np.searchsorted(sa, cuts, side="right") - 1
    ib = np.searchsorted(sb, cuts, side="right") - 1
    x, y, ux, uy = va[ia], vb[ib], ua[ia], ub[ib]
    reg = offset + np.searchsorted(bounds, cuts, side="right") - 1
    acc["margin"].append((np.concatenate([reg * w + x, reg * w + y]), np.concatenate([size, size])))
    same = x == y
    acc["diag"].append((reg[same] * w + x[same], 2.0 * size[same]))
    phi = w - 1
    gx, gy = y == phi, x == phi
    acc["gap"].append((np.concatenate([reg[gx] * w + x[gx], reg[gy] * w + y[gy]]),
                       np.concatenate([size[gx], size[gy]])))
    both = (x != phi) & (y != phi)
    np.add.at(mass_a, ux[both], size[both])
    np.add.at(mass_b, uy[both], size[both])


def family(s: Sums) -> dict[str, np.ndarray]:
    """Every coefficient of the family (and its D_o, D_e) from summed coincidences, vectorised
    over replicates. NaN where a coefficient is 0/0; the caller words the reason."""
    v = s.cu_self.shape[1]
    n = s.total
    with np.errstate(all="ignore"):
        den = n * n - s.self_pairs.sum(axis=1)
        e_diag = n[:, None] * (s.margin ** 2 - s.self_pairs) / den[:, None]
        u_do, u_de = n - s.diag.sum(axis=1), n - e_diag.sum(axis=1)
        m_phi = s.margin[:, v]
        b_do = m_phi - s.diag[:, v]
        b_de = n * m_phi * (n - m_phi) / den
        star = s.margin[:, :v] - s.with_gap[:, :v]
        n_star = star.sum(axis=1)
        s_star = s.cu_self.sum(axis=1)
        den_star = n_star - s_star / n_star
        es_diag = (star ** 2 - s.cu_self) / den_star[:, None]
        es_row = (star * n_star[:, None] - s.cu_self) / den_star[:, None]
        cu_do = n_star - s.diag[:, :v].sum(axis=1)
        cu_de = n_star - es_diag.sum(axis=1)
        ku_do = (star - s.diag[:, :v]) / star
        ku_de = (es_row - es_diag) / es_row
        mk = s.margin[:, :v]
        kb_do = mk - s.diag[:, :v]
        kb_de = n[:, None] * mk * (n[:, None] - mk) / (
            (n * n)[:, None] - s.self_pairs[:, :v] - (n[:, None] - mk))
        out = {"u_do": u_do / n, "u_de": u_de / n, "binary_do": b_do / n, "binary_de": b_de / n,
               "cu_do": cu_do / n_star, "cu_de": cu_de / n_star, "ku_do": ku_do, "ku_de": ku_de,
               "code_binary_do": kb_do / n[:, None], "code_binary_de": kb_de / n[:, None]}
    for name in ("u", "binary", "cu", "ku", "code_binary"):
        out[name] = _alpha(out[name + "_do"], out[name + "_de"])
    out["n_star"], out["star"] = n_star, star
    return out


def _alpha(d_o: np.ndarray, d_e: np.ndarray) -> np.ndarray:
    """1 - D_o / D_e where the (normalised) D_e is above rounding noise, NaN elsewhere."""
    with np.errstate(all="ignore"):
        ok = np.isfinite(d_e) & (d_e > 1e-9) & np.isfinite(d_o)
        return np.where(ok, 1.0 - d_o / np.where(ok, d_e, 1.0), np.nan)
