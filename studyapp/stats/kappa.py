"""Two-coder agreement: confusion matrices, Cohen's kappa, Scott's pi, the pairwise kappa table
for every pair of coders, and per-category (one-vs-rest) kappas.

Cohen (1960; weighted: Cohen 1968) and Scott (1955) compare exactly two coders over the units both
coded: a unit where either value is missing is dropped. With agreement weights W (see `weights`),
p_o = sum_kl w_kl p_kl; Cohen's chance term uses each coder's own marginals
(p_e = sum_kl w_kl p_k. p_.l), Scott's the pooled ones (pi_k = (p_k. + p_.k) / 2). The coefficient
(p_o - p_e) / (1 - p_e) is undefined when p_e = 1 (both coders used one and the same category).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any, Sequence

import numpy as np

from studyapp.stats import sparse_counts as sc
from studyapp.stats.chance_corrected import _guard
from studyapp.stats.matrix import MISSING, UnitCounts, code_matrix
from studyapp.stats.result import (
    NO_DATA,
    ONE_CODER,
    Stat,
    defined,
    single_category,
    undefined,
)
from studyapp.stats.weights import agreement_weights

_EPS = 1e-12


@dataclass(frozen=True, eq=False)
class ConfusionMatrix:
    """`table[k, l]`: units coder `coders[0]` put in category k and coder `coders[1]` in l, over the
    units both coded; rows and columns follow `categories`."""

    coders: tuple[str, str]
    categories: tuple
    table: np.ndarray

    @property
    def n_units(self) -> int:
        return int(self.table.sum())


@dataclass(frozen=True, eq=False)
class PairwiseKappa:
    """Cohen's kappa for every pair of coders: `stats[(a, b)]` for a before b in `coders`."""

    coders: tuple[str, ...]
    stats: dict

    def matrix(self) -> np.ndarray:
        """A symmetric coders x coders array of kappas: NaN on the diagonal and where undefined."""
        idx = {c: i for i, c in enumerate(self.coders)}
        out = np.full((len(self.coders),) * 2, np.nan)
        for (a, b), s in self.stats.items():
            if s.value is not None:
                out[idx[a], idx[b]] = out[idx[b], idx[a]] = s.value
        return out

    def mean(self) -> float | None:
        """Light's kappa: the mean of the defined pairwise kappas (None if there is none)."""
        vals = [s.value for s in self.stats.values() if s.value is not None]
        return float(np.mean(vals)) if vals else None


def confusion_matrix(matrix: Any, a: int = 0, b: int = 1, *, categories: Sequence | None = None,
                     coders: Sequence[str] | None = None) -> ConfusionMatrix:
    """The confusion matrix of coders `a` and `b` (row indexes into the matrix)."""
    coded = code_matrix(matrix, categories)
    names = _names(coders, coded.codes.shape[0])
    return ConfusionMatrix((names[a], names[b]), coded.domain, _table(coded.codes[a], coded.codes[b], coded.q))


def cohen_kappa(matrix: Any, *, weights: str | None = None, categories: Sequence | None = None) -> Stat:
    """Cohen's kappa for a two-row matrix; weighted (linear, quadratic, ordinal) on category ranks."""
    return _two_coder("cohen", matrix, weights, categories)


def scott_pi(matrix: Any, *, weights: str | None = None, categories: Sequence | None = None) -> Stat:
    """Scott's pi for a two-row matrix (for more coders use `fleiss_kappa`, its generalisation)."""
    return _two_coder("scott", matrix, weights, categories)


def kappa_from_table(table: np.ndarray, w: np.ndarray, kind: str = "cohen") -> tuple[float | None, float, float]:
    """(kappa or None when p_e = 1, p_o, p_e) from a q x q count table and agreement weights."""
    p = table / table.sum()
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    po = float((w * p).sum())
    if kind == "scott":
        pi = (rows + cols) / 2.0
        pe = float(pi @ w @ pi)
    else:
        pe = float(rows @ w @ cols)
    if 1.0 - pe <= _EPS:
        return None, po, pe
    return (po - pe) / (1.0 - pe), po, pe


def pairwise_kappa(matrix: Any, *, coders: Sequence[str] | None = None, weights: str | None = None,
                   categories: Sequence | None = None) -> PairwiseKappa:
    """Cohen's kappa for every pair of coders (rows), over the domain of the whole matrix."""
    coded = code_matrix(matrix, categories)
    names = _names(coders, coded.codes.shape[0])
    stats = {}
    for i, j in combinations(range(len(names)), 2):
        stats[(names[i], names[j])] = _kappa_stat("cohen", coded.codes[[i, j]], coded.domain, weights)
    return PairwiseKappa(tuple(names), stats)


def per_category_kappa(matrix: Any, *, categories: Sequence | None = None) -> dict:
    """Fleiss' (1971) category-wise kappas: for each category, Fleiss' kappa of "this category vs
    any other", over all coders. Returns {category: Stat} in domain order.

    All categories at once (a codebook may have 1,000 codes): for category k a unit with r ratings,
    c of them k, agrees on c(c - 1) + (r - c)(r - c - 1) = 2c^2 - 2rc + r^2 - r ordered pairs, so
    every category's observed agreement is two sparse column sums; the same numbers as
    `fleiss_kappa` on each two-column table (a test keeps them equal)."""
    t = matrix if isinstance(matrix, UnitCounts) else code_matrix(matrix, categories).counts()
    guard = _guard("fleiss_kappa", t)
    c = t.sparse
    totals = sc.col_sums(c)
    total = float(totals.sum())
    out = {}
    if guard is not None:
        for k, cat in enumerate(t.domain):
            out[cat] = _category_stat(cat, guard, total, totals[k])
        return out
    r = t.ratings()
    rated, two = r > 0, r >= 2
    n_rated, n_two = int(rated.sum()), int(two.sum())
    d = np.divide(1.0, r * (r - 1.0), out=np.zeros_like(r), where=two)
    sq = c.copy()
    sq.data = sq.data ** 2
    pa = (2.0 * sc.weighted_col_sums(sq, d) - 2.0 * sc.weighted_col_sums(c, r * d)) / n_two + 1.0
    share = sc.weighted_col_sums(c, np.divide(1.0, r, out=np.zeros_like(r), where=rated))
    pi_k, pi_other = share / n_rated, (n_rated - share) / n_rated
    pe = pi_k ** 2 + pi_other ** 2
    for k, cat in enumerate(t.domain):
        details = {"p_observed": float(pa[k]), "p_chance": float(pe[k])}
        if 1.0 - pe[k] <= _EPS:
            used = [x for x, p in ((cat, pi_k[k]), ("other", pi_other[k])) if p > 0]
            reason = single_category(used[0]) if len(used) == 1 else \
                "chance agreement is 1, so the coefficient is 0/0"
            s = undefined("fleiss_kappa", reason, n_units=n_two, n_coders=t.raters, details=details)
        else:
            s = defined("fleiss_kappa", (pa[k] - pe[k]) / (1.0 - pe[k]), n_units=n_two, n_coders=t.raters,
                        details=details)
        out[cat] = _category_stat(cat, s, total, totals[k])
    return out


def _category_stat(cat: Any, s: Stat, total: float, n_k: float) -> Stat:
    """Fleiss' kappa `s` of one category's two-column table, named and explained as a category kappa."""
    reason = s.undefined_reason
    if s.value is None and total and (n_k == 0 or n_k == total):
        which = "no" if n_k == 0 else "every"
        reason = f"{which} value is {cat!r}: expected disagreement is 0, so the category kappa is 0/0"
    if s.value is not None:
        return defined("category_kappa", s.value, n_units=s.n_units, n_coders=s.n_coders, details=s.details)
    return undefined("category_kappa", reason, n_units=s.n_units, n_coders=s.n_coders)


def _two_coder(kind: str, matrix: Any, weights: str | None, categories: Sequence | None) -> Stat:
    coded = code_matrix(matrix, categories)
    return _kappa_stat(kind, coded.codes, coded.domain, weights)


def _kappa_stat(kind: str, codes: np.ndarray, domain: tuple, weights: str | None) -> Stat:
    name = ("cohen_kappa" if kind == "cohen" else "scott_pi") + \
        ("" if weights in (None, "unweighted") else f"_{weights}")
    n_coders = int((codes >= 0).any(axis=1).sum())
    if codes.shape[0] != 2:
        label = "Cohen's kappa" if kind == "cohen" else "Scott's pi"
        return undefined(name, f"{label} compares exactly two coders; this data has {codes.shape[0]} "
                               "(use pairwise_kappa or fleiss_kappa)", n_coders=n_coders)
    if n_coders < 2:
        return undefined(name, ONE_CODER if n_coders else NO_DATA, n_coders=n_coders)
    both = (codes[0] != MISSING) & (codes[1] != MISSING)
    if not both.any():
        return undefined(name, "the two coders coded no unit in common", n_coders=2)
    table = _table(codes[0], codes[1], len(domain))
    value, po, pe = kappa_from_table(table, agreement_weights(weights, len(domain)), kind)
    details = {"p_observed": po, "p_chance": pe}
    n = int(both.sum())
    if value is None:
        used = {domain[k] for k in np.flatnonzero(table.sum(axis=0) + table.sum(axis=1))}
        reason = single_category(next(iter(used))) if len(used) == 1 else "chance agreement is 1"
        return undefined(name, reason, n_units=n, n_coders=2, details=details)
    return defined(name, value, n_units=n, n_coders=2, details=details)


def _table(x: np.ndarray, y: np.ndarray, q: int) -> np.ndarray:
    both = (x != MISSING) & (y != MISSING)
    return np.bincount(x[both] * q + y[both], minlength=q * q).reshape(q, q).astype(float)


def _names(coders: Sequence[str] | None, n: int) -> list[str]:
    if coders is None:
        return [f"coder {i + 1}" for i in range(n)]
    if len(coders) != n:
        raise ValueError(f"{len(coders)} coder names for {n} rows")
    return [str(c) for c in coders]
