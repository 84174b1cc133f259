"""Multi-coder agreement from the unit x category count table: percent agreement, Fleiss' kappa,
Gwet's AC1/AC2 and Brennan-Prediger.

All four share Gwet's (2014) treatment of missing ratings, which for complete data is the classic
formula: observed agreement p_a averages, over units with at least two ratings, the share of
agreeing ordered pairs of ratings (weighted: r_ik (r*_ik - 1) / (r_i (r_i - 1)) with
r*_ik = sum_l w_kl r_il); category proportions pi_k average each unit's shares over all rated units.
The coefficients differ only in chance agreement p_e:

  Fleiss (1971)            p_e = sum_kl w_kl pi_k pi_l
  Gwet AC1/AC2 (2008)      p_e = T_w / (q (q - 1)) * sum_k pi_k (1 - pi_k),  T_w = sum of weights
  Brennan-Prediger (1981)  p_e = T_w / q^2   (uniform chance; q may be declared)

and the coefficient is (p_a - p_e) / (1 - p_e), undefined when p_e = 1. Values match irrCAC
(fleiss.kappa.raw, gwet.ac1.raw, bp.coeff.raw, pa.coeff.raw and their .dist forms).
Every function takes a coders x units matrix or a `UnitCounts` table.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from scipy import sparse

from studyapp.stats import sparse_counts as sc
from studyapp.stats.matrix import UnitCounts, unit_counts
from studyapp.stats.result import (
    NO_DATA,
    NO_PAIRABLE,
    ONE_CODER,
    Stat,
    defined,
    single_category,
    undefined,
)
from studyapp.stats.weights import agreement_weights

_EPS = 1e-12


def observed_and_proportions(counts: Any, w: np.ndarray | None = None) -> tuple[float | None, np.ndarray, int]:
    """(p_a or None when no unit has two ratings, pi_k, number of units with >= 2 ratings) from a
    units x categories table (dense or sparse) and agreement weights (None = identity).

    p_a = mean over units with r_i >= 2 of (c_i^T W c_i - r_i) / (r_i (r_i - 1)): with d_i the
    inverse denominators that is (sum(W * C^T diag(d) C) - sum_i d_i r_i) / n, one sparse product
    (a diagonal only, without weights) instead of a dense units x categories x categories one."""
    c = sc.as_csr(counts) if not isinstance(counts, sparse.csr_array) else counts
    r = sc.row_sums(c)
    rated, two = r > 0, r >= 2
    n_rated = int(rated.sum())
    inv_r = np.divide(1.0, r, out=np.zeros_like(r), where=rated)
    pi = sc.weighted_col_sums(c, inv_r) / n_rated if n_rated else np.zeros(c.shape[1])
    n_two = int(two.sum())
    if not n_two:
        return None, pi, 0
    d = np.divide(1.0, r * (r - 1.0), out=np.zeros_like(r), where=two)
    if w is None or _is_identity(w):
        agreeing = float(d @ sc.row_quadratic(c))
    else:
        agreeing = float((np.asarray(w, dtype=float) * sc.weighted_pairs(c, d)).sum())
    return (agreeing - float(d @ r)) / n_two, pi, n_two


def _is_identity(w: np.ndarray) -> bool:
    return w.ndim == 2 and w.shape[0] == w.shape[1] and np.array_equal(w, np.eye(w.shape[0]))


def per_unit_agreement(data: Any, categories: Sequence | None = None) -> np.ndarray:
    """Each unit's share of agreeing pairs of ratings (Fleiss' P_i); NaN for units with < 2 ratings."""
    t = unit_counts(data, categories)
    r = t.ratings()
    out = np.full(len(r), np.nan)
    ok = r >= 2
    out[ok] = (sc.row_quadratic(t.sparse)[ok] - r[ok]) / (r[ok] * (r[ok] - 1.0))
    return out


def category_proportions(data: Any, categories: Sequence | None = None) -> np.ndarray:
    """pi_k: the mean over rated units of the share of a unit's ratings in category k (Fleiss' p_j
    when every unit has the same number of ratings)."""
    t = unit_counts(data, categories)
    return observed_and_proportions(t.sparse)[1]


def percent_agreement(data: Any, *, weights: str | None = None, categories: Sequence | None = None,
                      definition: str = "pairwise", tolerance: float = 0.0) -> Stat:
    """Observed agreement without chance correction.

    `definition="pairwise"` (default): the mean share of agreeing pairs of ratings over units with
    at least two ratings (irrCAC pa.coeff; weighted with `weights`). `definition="unanimous"`: the
    share of those units on which all ratings agree, or lie within `tolerance` of each other on the
    numeric scale (irr::agree).
    """
    t = unit_counts(data, categories)
    guard = _guard("percent_agreement", t)
    if guard:
        return guard
    if definition == "unanimous":
        return _unanimous(t, tolerance)
    if definition != "pairwise":
        raise ValueError(f"unknown definition {definition!r}: use pairwise or unanimous")
    w = agreement_weights(weights, t.q, None)
    pa, _, n = observed_and_proportions(t.sparse, w)
    return defined("percent_agreement", pa, n_units=n, n_coders=t.raters)


def fleiss_kappa(data: Any, *, weights: str | None = None, categories: Sequence | None = None) -> Stat:
    """Fleiss' kappa (1971), with Gwet's handling of missing ratings; weighted when asked."""
    t = unit_counts(data, categories)
    w = agreement_weights(weights, t.q)

    def chance(pi: np.ndarray) -> float:
        return float(pi @ w @ pi)

    return _coefficient("fleiss_kappa", t, w, chance)


def gwet_ac1(data: Any, *, weights: str | None = None, categories: Sequence | None = None) -> Stat:
    """Gwet's AC1 (unweighted) or AC2 (with linear, quadratic or ordinal weights).

    q is the number of categories in the domain, so declare `categories` when some are unused:
    with one known category AC1 is undefined (Gwet's chance agreement divides by q - 1).
    """
    t = unit_counts(data, categories)
    name = "gwet_ac1" if weights in (None, "unweighted") else f"gwet_ac2_{weights}"
    if t.q < 2 and not _guard(name, t):
        only = t.domain[0] if t.domain else None
        return undefined(name, f"only one category ({only!r}) is known: declare the categories; "
                               "AC1 needs at least two", n_units=_pairable(t), n_coders=t.raters)
    w = agreement_weights(weights, t.q)
    q = t.q

    def chance(pi: np.ndarray) -> float:
        return float(w.sum() * (pi * (1.0 - pi)).sum() / (q * (q - 1)))

    return _coefficient(name, t, w, chance)


def gwet_ac2(data: Any, *, weights: str = "quadratic", categories: Sequence | None = None) -> Stat:
    """Gwet's AC2: AC1 with agreement weights (quadratic by default)."""
    return gwet_ac1(data, weights=weights, categories=categories)


def brennan_prediger(data: Any, *, weights: str | None = None, categories: Sequence | None = None,
                     q: int | None = None) -> Stat:
    """Brennan & Prediger's (1981) kappa with uniform chance agreement over q categories (Randolph's
    free-marginal kappa). q defaults to the domain size; pass it when categories exist that the
    data does not show."""
    t = unit_counts(data, categories)
    q_ = int(q) if q is not None else t.q
    if q_ < t.q:
        raise ValueError(f"q={q_} is smaller than the {t.q} categories in the data")
    if q_ > t.q and weights not in (None, "unweighted"):
        raise ValueError("with weights, declare the categories instead of q (weights need their order)")
    w = agreement_weights(weights, t.q)
    total = w.sum() + (q_ - t.q)  # undeclared extra categories agree only with themselves

    def chance(pi: np.ndarray) -> float:
        return float(total / q_ ** 2) if q_ else 1.0

    name = "brennan_prediger" if weights in (None, "unweighted") else f"brennan_prediger_{weights}"
    return _coefficient(name, t, w, chance)


def _coefficient(name: str, t: UnitCounts, w: np.ndarray, chance) -> Stat:
    guard = _guard(name, t)
    if guard:
        return guard
    pa, pi, n = observed_and_proportions(t.sparse, w)
    pe = chance(pi)
    details = {"p_observed": pa, "p_chance": pe}
    if 1.0 - pe <= _EPS:
        used = [t.domain[k] for k in np.flatnonzero(pi > 0)]
        reason = single_category(used[0]) if len(used) == 1 else \
            "chance agreement is 1, so the coefficient is 0/0"
        return undefined(name, reason, n_units=n, n_coders=t.raters, details=details)
    return defined(name, (pa - pe) / (1.0 - pe), n_units=n, n_coders=t.raters, details=details)


def _guard(name: str, t: UnitCounts) -> Stat | None:
    """The undefined Stat for data without anything to compare, else None."""
    if not t.ratings().sum():
        return undefined(name, NO_DATA)
    if t.n_coders is not None and t.n_coders < 2:
        return undefined(name, ONE_CODER, n_coders=t.n_coders)
    if _pairable(t) == 0:
        return undefined(name, NO_PAIRABLE, n_coders=t.raters)
    return None


def _pairable(t: UnitCounts) -> int:
    return int((t.ratings() >= 2).sum())


def _unanimous(t: UnitCounts, tolerance: float) -> Stat:
    c = sc.rows(t.sparse, t.ratings() >= 2)
    if tolerance:
        x = t.numeric_domain()
        if x is None:
            raise ValueError("a tolerance needs numeric categories")
        idx, val = sc.padded(c)
        used = val > 0
        hi = np.where(used, x[idx], -np.inf).max(axis=1)
        lo = np.where(used, x[idx], np.inf).min(axis=1)
        agree = hi - lo <= tolerance + 1e-12
    else:
        agree = np.diff(c.indptr) == 1
    return defined("percent_agreement", float(agree.mean()), n_units=c.shape[0], n_coders=t.raters,
                   details={"tolerance": tolerance})
