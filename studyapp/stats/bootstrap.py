"""Bootstrap confidence intervals for alpha, kappa and the other coefficients, seeded and fast.

Two methods for Krippendorff's alpha:

* `bootstrap_ci(..., "krippendorff_alpha")` (the default everywhere in studyapp): the ordinary
  nonparametric bootstrap over *units* (Efron's percentile interval). Pairable units (those with
  two or more values) are drawn with replacement and alpha is recomputed, D_e included. This is
  what Zapf et al. (2016, BMC Med Res Methodol 16:93) recommend; it reflects the sampling of
  units, the usual source of uncertainty in a coding study.
* `kalpha_bootstrap_ci`: Krippendorff's (2006, rev. 2011) algorithm in Hayes' KALPHA macro
  (Hayes & Krippendorff 2007): M = min(25 * nonzero coincidence cells, (m - 1) n.. / 2) pairs of
  values are drawn from the coincidence matrix with D_e held fixed, alpha* = 1 - sum(delta) /
  (M D_e), floored at -1, with KALPHA's correction of alpha* = 1 draws. Its width depends on M
  (at most 25 pairs per distinct coincidence cell), not on how many units were coded.

Why it is fast: units with the same value counts are interchangeable, so each resample is a vector
of counts over the distinct unit patterns (a multinomial draw over the patterns when units repeat
few of them, else unit indexes drawn with `Generator.integers` + `bincount`), and every
replicate is a few matrix products over per-pattern contributions computed once (coincidences,
agreement, category shares). 1,000 replicates of alpha on 10,000 units x 5 coders x 10 codes take
well under a second (benchmarks/bench_bootstrap.py).

The same unit resampling serves Cohen's kappa and Scott's pi (units both coders coded), and
Fleiss, Gwet, Brennan-Prediger and percent agreement (all rated units). Intervals are percentile
intervals; replicates where the coefficient is undefined (0/0) are dropped, and no interval is
returned when fewer than half are defined. `seed` makes results reproducible (numpy Generator).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import numpy as np
from scipy import sparse

from studyapp.stats import alpha as _alpha
from studyapp.stats import sparse_counts as sc
from studyapp.stats.matrix import (
    MISSING,
    UnitCounts,
    code_matrix,
    is_set_matrix,
    unit_counts,
)
from studyapp.stats.result import Stat
from studyapp.stats.weights import agreement_weights

UNITS = "percentile bootstrap over units"
KALPHA = "Krippendorff (2006) bootstrap of coincidences (KALPHA)"
_CHUNK_DRAWS = 2_000_000  # unit draws per chunk: bounds memory whatever n_boot and n_units are
_MULTINOMIAL_RATIO = 4  # draw pattern counts directly when units outnumber patterns this many times
_DENSE_CELLS = 20_000_000  # patterns x V x V cells of the ordinal per-pattern coincidences kept dense


@dataclass(frozen=True)
class BootstrapCI:
    """A percentile interval: `n_valid` of `n_boot` replicates had a defined value."""

    low: float
    high: float
    confidence: float
    n_boot: int
    n_valid: int
    method: str

    @property
    def interval(self) -> tuple[float, float]:
        return (self.low, self.high)


def bootstrap_ci(data: Any, statistic: str = "krippendorff_alpha", *, level: str = "nominal",
                 weights: str | None = None, categories: Sequence | None = None, q: int | None = None,
                 n_boot: int = 1000, confidence: float = 0.95, seed: int | None = 0) -> BootstrapCI | None:
    """Unit-resampling percentile interval for `statistic` (krippendorff_alpha, krippendorff_alpha_masi,
    cohen_kappa, scott_pi, fleiss_kappa, gwet_ac1, brennan_prediger, percent_agreement), or None
    when the statistic is undefined on the data. Arguments mean what they mean for the statistic."""
    rng = np.random.default_rng(seed)
    if statistic.startswith("krippendorff_alpha"):
        reps = _alpha_replicates(data, level, categories, n_boot, rng)
    elif statistic in ("cohen_kappa", "scott_pi"):
        reps = _kappa_replicates(data, statistic, weights, categories, n_boot, rng)
    elif statistic in ("fleiss_kappa", "gwet_ac1", "brennan_prediger", "percent_agreement"):
        reps = _count_replicates(data, statistic, weights, categories, q, n_boot, rng)
    else:
        raise ValueError(f"no bootstrap for {statistic!r}")
    return _percentile(reps, n_boot, confidence, UNITS)


def kalpha_bootstrap_ci(data: Any, *, level: str = "nominal", categories: Sequence | None = None,
                        n_boot: int = 1000, confidence: float = 0.95, seed: int | None = 0) -> BootstrapCI | None:
    """Krippendorff's bootstrap of alpha (see the module docstring), or None when alpha is undefined."""
    prepared = _alpha.prepare(data, level, categories)
    if isinstance(prepared, Stat):
        return None
    rng = np.random.default_rng(seed)
    o = prepared.o
    n_c = o.sum(axis=0)
    n = n_c.sum()
    delta = _alpha.distances(prepared.level, n_c, prepared.delta)
    d_e = (n_c @ delta @ n_c - (n_c * np.diag(delta)).sum()) / (n * (n - 1.0))
    iu = np.triu_indices_from(o)
    p = np.where(iu[0] == iu[1], o[iu], 2.0 * o[iu]) / n
    m = int(np.floor(min(25 * np.count_nonzero(o > 1e-12), (prepared.n_coders - 1) * n / 2.0)))
    draws = rng.multinomial(m, p / p.sum(), size=n_boot)
    reps = np.maximum(1.0 - (draws @ delta[iu]) / (m * d_e), -1.0)
    diag = np.diag(o) / n
    ones = np.flatnonzero(reps == 1.0)
    if len(ones):
        if np.count_nonzero(diag) == 1:
            reps[ones] = 0.0
        else:  # KALPHA: as many 1s as no-variation draws are expected become 0 (alpha is 0/0 there)
            reps[ones[:min(int(round(n_boot * (diag ** m).sum())), len(ones))]] = 0.0
    return _percentile(reps, n_boot, confidence, KALPHA)


def resampled_pattern_counts(patterns: np.ndarray, n_patterns: int, n_boot: int,
                             rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Yield (chunk x n_patterns) counts: how often each unit pattern is drawn in each resample of
    len(patterns) units with replacement. Chunks are sized so memory stays bounded.

    Drawing n units with replacement and counting them by pattern is a multinomial draw of n over
    the patterns, with each pattern's share of the units as its probability: when units repeat few
    patterns (the usual case: 5 coders, a handful of codes) that draw is made directly, n_patterns
    numbers per replicate instead of n unit indexes; otherwise the units are drawn."""
    n = len(patterns)
    if n_patterns * _MULTINOMIAL_RATIO <= n:
        p = np.bincount(patterns, minlength=n_patterns) / n
        chunk = max(1, min(n_boot, _CHUNK_DRAWS // max(n_patterns, 1)))
        done = 0
        while done < n_boot:
            b = min(chunk, n_boot - done)
            yield rng.multinomial(n, p, size=b).astype(float)
            done += b
        return
    chunk = max(1, min(n_boot, _CHUNK_DRAWS // max(n, 1)))
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        pid = patterns[rng.integers(0, n, size=(b, n))]
        flat = (pid + n_patterns * np.arange(b)[:, None]).ravel()
        yield np.bincount(flat, minlength=b * n_patterns).reshape(b, n_patterns).astype(float)
        done += b


def _alpha_replicates(data, level, categories, n_boot, rng) -> np.ndarray | None:
    if not isinstance(data, UnitCounts) and is_set_matrix(data):
        prepared = _alpha.prepare_sets(data)
    else:
        prepared = _alpha.prepare(data, level, categories)
    if isinstance(prepared, Stat):
        return None
    x, inverse = sc.unique_rows(prepared.value_counts)
    m = sc.row_sums(x)
    v = x.shape[1]
    out = []
    if prepared.level == "ordinal" and x.shape[0] * v * v <= _DENSE_CELLS:
        dense = x.toarray()
        o_flat = (dense[:, :, None] * dense[:, None, :] - dense[:, :, None] * np.eye(v)) / (m - 1.0)[:, None, None]
        o_flat = o_flat.reshape(len(dense), v * v)
        for w in resampled_pattern_counts(inverse, x.shape[0], n_boot, rng):
            o = (w @ o_flat).reshape(-1, v, v)
            n_c = o.sum(axis=1)
            delta = _alpha.distances("ordinal", n_c, None)
            d_o = (o * delta).sum(axis=(1, 2))
            d_e = np.einsum("bc,bck,bk->b", n_c, delta, n_c)
            out.append(_ratio(d_o, d_e, n_c.sum(axis=1)))
    elif prepared.level == "ordinal":  # many patterns x values: each replicate's coincidences by one sparse product
        for w in resampled_pattern_counts(inverse, x.shape[0], n_boot, rng):
            for row in w:
                o = sc.weighted_pairs(x, row / (m - 1.0))
                o[np.diag_indices_from(o)] -= sc.weighted_col_sums(x, row / (m - 1.0))
                n_c = o.sum(axis=0)
                delta = _alpha.distances("ordinal", n_c, None)
                out.append(_ratio(np.array([(o * delta).sum()]), np.array([n_c @ delta @ n_c]),
                                  np.array([n_c.sum()])))
    else:
        delta = prepared.delta
        per_unit = (sc.row_quadratic(x, delta) - x @ np.diag(delta)) / (m - 1.0)
        for w in resampled_pattern_counts(inverse, x.shape[0], n_boot, rng):
            n_c = np.asarray(x.T @ w.T).T
            d_e = ((n_c @ delta) * n_c).sum(axis=1) - n_c @ np.diag(delta)
            out.append(_ratio(w @ per_unit, d_e, n_c.sum(axis=1)))
    return np.concatenate(out)


def _ratio(d_o: np.ndarray, d_e: np.ndarray, n: np.ndarray) -> np.ndarray:
    """alpha = 1 - (n - 1) sum(o delta) / sum(n_c n_k delta); NaN where D_e = 0."""
    with np.errstate(all="ignore"):
        return np.where(d_e > 0, 1.0 - (n - 1.0) * d_o / d_e, np.nan)


def _kappa_replicates(data, statistic, weights, categories, n_boot, rng) -> np.ndarray | None:
    coded = code_matrix(data, categories)
    if coded.codes.shape[0] != 2:
        return None
    a, b = coded.codes
    both = (a != MISSING) & (b != MISSING)
    q = coded.q
    if not both.any() or q == 0:
        return None
    w = agreement_weights(weights, q)
    out = []
    for tables in resampled_pattern_counts(a[both] * q + b[both], q * q, n_boot, rng):
        p = (tables / tables.sum(axis=1, keepdims=True)).reshape(-1, q, q)
        rows, cols = p.sum(axis=2), p.sum(axis=1)
        po = (p * w).sum(axis=(1, 2))
        if statistic == "scott_pi":
            pi = (rows + cols) / 2.0
            pe = np.einsum("bk,kl,bl->b", pi, w, pi)
        else:
            pe = np.einsum("bk,kl,bl->b", rows, w, cols)
        out.append(_chance_corrected(po, pe))
    return np.concatenate(out)


def _count_replicates(data, statistic, weights, categories, q, n_boot, rng) -> np.ndarray | None:
    t = unit_counts(data, categories)
    if t.n_coders is not None and t.n_coders < 2:
        return None
    counts = sc.rows(t.sparse, t.ratings() > 0)
    if not counts.shape[0] or not (sc.row_sums(counts) >= 2).any():
        return None
    x, inverse = sc.unique_rows(counts)
    w = agreement_weights(weights, t.q)
    r = sc.row_sums(x)
    two = (r >= 2).astype(float)
    quad = sc.row_quadratic(x, None if weights in (None, "unweighted") else w)
    with np.errstate(all="ignore"):
        agree = np.where(r >= 2, (quad - r) / (r * (r - 1.0)), 0.0)
    share = sparse.csr_array(sparse.diags_array(1.0 / r) @ x)
    qq = t.q if q is None else int(q)
    if statistic == "gwet_ac1" and qq < 2:
        return None
    out = []
    for wts in resampled_pattern_counts(inverse, x.shape[0], n_boot, rng):
        with np.errstate(all="ignore"):
            pa = (wts @ agree) / (wts @ two)
        pi = np.asarray(share.T @ wts.T).T / wts.sum(axis=1, keepdims=True)
        if statistic == "percent_agreement":
            out.append(pa)
            continue
        if statistic == "fleiss_kappa":
            pe = np.einsum("bk,kl,bl->b", pi, w, pi)
        elif statistic == "gwet_ac1":
            pe = w.sum() * (pi * (1.0 - pi)).sum(axis=1) / (qq * (qq - 1.0))
        else:
            pe = np.full(len(pa), (w.sum() + qq - t.q) / qq ** 2)
        out.append(_chance_corrected(pa, pe))
    return np.concatenate(out)


def _chance_corrected(po: np.ndarray, pe: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.where(1.0 - pe > 1e-12, (po - pe) / (1.0 - pe), np.nan)


def _percentile(reps: np.ndarray | None, n_boot: int, confidence: float, method: str) -> BootstrapCI | None:
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    if reps is None:
        return None
    valid = reps[np.isfinite(reps)]
    if len(valid) < max(1, n_boot / 2):
        return None
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(valid, [tail, 1.0 - tail])
    return BootstrapCI(float(low), float(high), confidence, n_boot, int(len(valid)), method)
