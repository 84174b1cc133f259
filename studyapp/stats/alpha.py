"""Krippendorff's alpha at every level of measurement, and MASI alpha for set-valued codes.

The point estimate comes from the `krippendorff` package: `krippendorff.alpha(value_counts=...,
value_domain=..., level_of_measurement=...)`, given the value counts of the pairable units (the same
result as `reliability_data=`, without the package building its coders x units x values comparison
array) and the value domain (so it does not rediscover it; ordinal uses ranks, interval and ratio
the values). Past ~4 million unit x value x value cells the package's dense coincidence array gets
too big and the same coincidences are summed here instead, by one sparse product over the sparse
value counts (`sparse_counts.weighted_pairs`; tests check both paths agree). A caller that already
keeps the coincidence matrix (the study store does, per field and round) gets alpha from its V x V
numbers alone with `alpha_from_coincidences`. What this module adds is the part the package leaves
to the caller: degenerate data returns an undefined `Stat` with a reason instead of raising or
warning (one coder; no unit with two values; a single value everywhere, where D_e = 0 and alpha is
0/0), and the coincidence bookkeeping that the bootstrap (`stats.bootstrap`) and MASI alpha reuse.

Alpha = 1 - D_o / D_e over the coincidence matrix o (Krippendorff 2011, "Computing Krippendorff's
alpha-reliability"): each unit with m_u >= 2 values adds its ordered value pairs weighted
1 / (m_u - 1); units with a single value are unpairable and ignored.

MASI alpha (Passonneau 2006) is the same coefficient over set values (multi-code fields) with
the distance 1 - J(A, B) * M(A, B): J the Jaccard index, M = 1 for equal sets, 2/3 when one is a
subset of the other, 1/3 when they overlap otherwise, 0 when disjoint. Two empty sets are equal.
The package cannot take sets, so this one is computed here from the coincidences.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import krippendorff
import numpy as np
from scipy import sparse

from studyapp.stats import sparse_counts as sc
from studyapp.stats.matrix import (
    MISSING,
    UnitCounts,
    code_matrix,
    code_sets,
    count_codes,
    is_set_matrix,
    numeric_matrix,
    set_ids,
)
from studyapp.stats.result import (
    NO_DATA,
    NO_PAIRABLE,
    ONE_CODER,
    Stat,
    defined,
    single_category,
    undefined,
)

LEVELS = ("nominal", "ordinal", "interval", "ratio")
_PACKAGE_LIMIT = 4_000_000  # N x V x V cells the package may allocate; above, use the coincidences


@dataclass(frozen=True, eq=False)
class AlphaInput:
    """Pairable units only: `value_counts[u, v]` values of domain entry v on unit u (sparse CSR,
    each row sums to >= 2; None when only the coincidences are known). `delta` is the fixed
    distance matrix, or None for ordinal (it depends on the marginals: `distances` recomputes it).
    `o` is the V x V coincidence matrix, `n_units` the number of pairable units."""

    level: str
    value_counts: sparse.csr_array | None
    domain: tuple
    positions: np.ndarray | None
    delta: np.ndarray | None
    n_coders: int
    o: np.ndarray
    n_units: int


def krippendorff_alpha(data: Any, *, level: str = "nominal", categories: Sequence | None = None) -> Stat:
    """Krippendorff's alpha of a coders x units matrix (or a `UnitCounts` table).

    `level` is nominal, ordinal, interval or ratio. For nominal/ordinal, `categories` fixes the
    domain and its order (values may be labels); interval and ratio use the numeric values. A
    matrix of sets is computed as MASI alpha whatever the level.
    """
    if not isinstance(data, UnitCounts) and is_set_matrix(data):
        return masi_alpha(data)
    name = "krippendorff_alpha"
    prepared = prepare(data, level, categories)
    if isinstance(prepared, Stat):
        return prepared
    n_units, V = prepared.value_counts.shape
    value, d_o, d_e = coincidence_alpha(prepared)
    if n_units * V * V <= _PACKAGE_LIMIT:
        value_domain = prepared.positions if prepared.positions is not None else np.arange(V, dtype=float)
        with np.errstate(all="ignore"):
            value = float(krippendorff.alpha(value_counts=prepared.value_counts.toarray(),
                                              value_domain=value_domain, level_of_measurement=level))
    return _stat(name, value, d_o, d_e, prepared)


def alpha_from_coincidences(o: Any, *, level: str = "nominal", domain: Sequence, n_units: int,
                            n_coders: int, has_values: bool = True) -> Stat:
    """Krippendorff's alpha from a kept V x V coincidence matrix `o` (pairable units only) over
    `domain` (numbers for interval/ratio), with the same undefined reasons as `krippendorff_alpha`:
    `has_values` says whether any value exists at all (no data vs no pairable unit), `n_units` is
    the number of pairable units, `n_coders` the coders with values."""
    name = "krippendorff_alpha"
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")
    o = np.asarray(o, dtype=float)
    if not has_values:
        return undefined(name, NO_DATA)
    if n_coders < 2:
        return undefined(name, ONE_CODER, n_coders=n_coders)
    if not n_units or not o.sum():
        return undefined(name, NO_PAIRABLE, n_coders=n_coders)
    positions = np.asarray(domain, dtype=float) if level in ("interval", "ratio") else None
    prepared = _checked(name, AlphaInput(level, None, tuple(domain), positions,
                                         _fixed_delta(level, positions, len(domain)), n_coders, o, int(n_units)))
    if isinstance(prepared, Stat):
        return prepared
    value, d_o, d_e = coincidence_alpha(prepared)
    return _stat(name, value, d_o, d_e, prepared)


def _stat(name: str, value: float, d_o: float, d_e: float, prepared: AlphaInput) -> Stat:
    return defined(name, value, n_units=prepared.n_units, n_coders=prepared.n_coders,
                   details={"D_o": d_o, "D_e": d_e, "n_pairable_values": float(prepared.o.sum())})


def masi_distance(a: Any, b: Any) -> float:
    """Passonneau's (2006) MASI distance between two sets of codes: 1 - Jaccard * monotonicity."""
    a, b = frozenset(a), frozenset(b)
    if a == b:
        return 0.0
    common = len(a & b)
    if common == 0:
        return 1.0
    monotonicity = 2.0 / 3.0 if (a <= b or b <= a) else 1.0 / 3.0
    return 1.0 - common / len(a | b) * monotonicity


def masi_alpha(matrix: Any) -> Stat:
    """Krippendorff's alpha with the MASI distance for a coders x units matrix of sets (None = missing)."""
    prepared = prepare_sets(matrix)
    if isinstance(prepared, Stat):
        return prepared
    value, d_o, d_e = coincidence_alpha(prepared)
    return defined("krippendorff_alpha_masi", value, n_units=prepared.n_units,
                   n_coders=prepared.n_coders, details={"D_o": d_o, "D_e": d_e})


def prepare(data: Any, level: str, categories: Sequence | None = None,
            name: str = "krippendorff_alpha") -> AlphaInput | Stat:
    """The pairable value counts, domain and distances for `level`, or the undefined Stat."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")
    if isinstance(data, UnitCounts):
        counts, domain, n_coders = data.sparse, data.domain, data.raters
        positions = data.numeric_domain() if level in ("interval", "ratio") else None
        if level in ("interval", "ratio") and positions is None:
            raise ValueError(f"{level} alpha needs numeric categories")
    elif level in ("interval", "ratio"):
        values = numeric_matrix(data)
        coded = code_matrix(values, sorted(categories) if categories is not None else None)
        counts, domain, n_coders = coded.counts().sparse, coded.domain, coded.n_coders
        positions = np.asarray(domain, dtype=float)
    else:
        coded = code_matrix(data, categories)
        counts, domain, n_coders, positions = coded.counts().sparse, coded.domain, coded.n_coders, None
    return _finish(name, level, counts, domain, positions, n_coders, _fixed_delta(level, positions, len(domain)))


def prepare_sets(matrix: Any, name: str = "krippendorff_alpha_masi") -> AlphaInput | Stat:
    """Like `prepare` for a matrix of sets: the distinct sets are the domain, MASI the distance
    (each cell is looked up once among the distinct sets; distances are computed between those)."""
    m = np.asarray(matrix, dtype=object)
    if m.ndim != 2:
        raise ValueError("reliability data must be a 2-D coders x units matrix")
    cells, present = code_sets(m)
    ids, distinct = set_ids(cells, present)
    order = sorted(range(len(distinct)), key=lambda k: (len(distinct[k]), sorted(map(str, distinct[k]))))
    sets = [distinct[k] for k in order]
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    codes = np.full(m.shape, MISSING, dtype=np.int64)
    codes[present] = rank[ids] if len(ids) else []
    coded_counts = count_codes(codes, len(sets))
    delta = np.array([[masi_distance(a, b) for b in sets] for a in sets]) if sets else np.zeros((0, 0))
    n_coders = int(present.any(axis=1).sum())
    return _finish(name, "masi", coded_counts, tuple(sets), None, n_coders, delta)


def distances(level: str, n_c: np.ndarray, fixed: np.ndarray | None) -> np.ndarray:
    """The distance matrix; for ordinal, Krippendorff's rank-based metric from the marginals n_c
    (n_c may be a stack of marginals, shape (..., V), as the bootstrap uses)."""
    if level != "ordinal":
        return fixed
    c = np.cumsum(n_c, axis=-1)
    idx = np.arange(n_c.shape[-1])
    lo, hi = np.minimum.outer(idx, idx), np.maximum.outer(idx, idx)
    between = c[..., hi] - c[..., lo] + n_c[..., lo]
    return (between - (n_c[..., :, None] + n_c[..., None, :]) / 2.0) ** 2


def coincidences(value_counts: Any) -> np.ndarray:
    """The V x V coincidence matrix of pairable value counts (rows summing to >= 2; dense or
    sparse): o = C^T diag(1 / (m_u - 1)) C minus the diagonal of each unit's own values."""
    c = value_counts if isinstance(value_counts, sparse.csr_array) else sc.as_csr(value_counts)
    w = 1.0 / (sc.row_sums(c) - 1.0)
    o = sc.weighted_pairs(c, w)
    o[np.diag_indices_from(o)] -= sc.weighted_col_sums(c, w)
    return o


def disagreements(prepared: AlphaInput) -> tuple[float, float]:
    """(D_o, D_e) per pairable value (Krippendorff 2011)."""
    o = prepared.o
    n_c = o.sum(axis=0)
    n = n_c.sum()
    d = distances(prepared.level, n_c, prepared.delta)
    return float((o * d).sum() / n), float((n_c @ d @ n_c - (n_c * np.diag(d)).sum()) / (n * (n - 1.0)))


def coincidence_alpha(prepared: AlphaInput) -> tuple[float, float, float]:
    """(alpha, D_o, D_e) from the coincidences (used for MASI and for domains too large for the package)."""
    d_o, d_e = disagreements(prepared)
    return 1.0 - d_o / d_e, d_o, d_e


def _finish(name: str, level: str, counts: Any, domain: tuple, positions: np.ndarray | None,
            n_coders: int, delta: np.ndarray | None) -> AlphaInput | Stat:
    counts = counts if isinstance(counts, sparse.csr_array) else sc.as_csr(counts)
    m = sc.row_sums(counts)
    if not m.sum():
        return undefined(name, NO_DATA)
    if n_coders < 2:
        return undefined(name, ONE_CODER, n_coders=n_coders)
    pairable = m >= 2
    if not pairable.any():
        return undefined(name, NO_PAIRABLE, n_coders=n_coders)
    vc = sc.rows(counts, pairable)
    return _checked(name, AlphaInput(level, vc, domain, positions, delta, n_coders, coincidences(vc), vc.shape[0]))


def _checked(name: str, prepared: AlphaInput) -> AlphaInput | Stat:
    """The prepared input, or the undefined Stat when one value is used or D_e is 0."""
    used = np.flatnonzero(prepared.o.sum(axis=0) > 1e-9)
    n, n_coders = prepared.n_units, prepared.n_coders
    if len(used) < 2:
        return undefined(name, single_category(_plain(prepared.domain[used[0]])), n_units=n, n_coders=n_coders)
    d_o, d_e = disagreements(prepared)
    if not d_e > 0:
        return undefined(name, "expected disagreement is 0 on this scale, so alpha is 0/0",
                         n_units=n, n_coders=n_coders)
    return prepared


def _fixed_delta(level: str, positions: np.ndarray | None, V: int) -> np.ndarray | None:
    if level == "nominal":
        return 1.0 - np.eye(V)
    if level == "ordinal":
        return None
    x = positions
    diff = x[:, None] - x[None, :]
    if level == "interval":
        return diff ** 2
    total = x[:, None] + x[None, :]
    return np.divide(diff, total, out=np.zeros_like(diff), where=total != 0) ** 2


def _plain(v: Any) -> Any:
    if isinstance(v, frozenset):
        return sorted(v, key=str)
    return v
