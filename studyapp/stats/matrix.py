"""Reliability data in the two shapes the statistics use: coded matrices and unit count tables.

Input is a coders x units matrix (rows = coders, columns = units) as a numpy array or nested
lists. Missing values are NaN or None. Values are category indexes or numbers (float arrays, as
`studyapp.services.agreement.reliability_data` builds them) or labels (strings). Set-valued data (multi-code
fields: frozensets, None = missing) is recognised by `is_set_matrix` and handled by MASI alpha and
per-code agreement, not here.

`code_matrix` turns values into integer codes 0..q-1 over a *domain*: the `categories` given (in
that order: it is the ordinal order and the scale weights use) or else the sorted distinct values.
Declaring categories matters for Brennan-Prediger and Gwet (q counts unused categories) and for
ordinal order; it never changes Cohen's or Fleiss' kappa. A value outside declared categories is
an input error (ValueError), not degenerate data.

`UnitCounts` is the units x categories table (how many coders put unit i in category k) that
Fleiss, Gwet, Brennan-Prediger and percent agreement are computed from; it can also be given
directly (published count tables such as Fleiss 1971). It is kept sparse (`UnitCounts.sparse`,
see `sparse_counts`): a unit has at most one value per coder, so 100,000 units x 1,000 codes is
500,000 numbers, not 800 MB. A `Coded` matrix counts itself once (`Coded.counts()` is cached), so
the statistics `summarize` computes on one field share one table.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Number
from typing import Any, Sequence

import numpy as np
from scipy import sparse as _sp

from studyapp.stats import sparse_counts as sc

MISSING = -1


@dataclass(frozen=True, eq=False)
class Coded:
    """`codes[i, j]` is coder i's category index on unit j (MISSING = -1); `domain[k]` is the value
    or label of category k."""

    codes: np.ndarray
    domain: tuple

    @property
    def n_coders(self) -> int:
        """Coders with at least one value."""
        return int((self.codes >= 0).any(axis=1).sum())

    @property
    def q(self) -> int:
        return len(self.domain)

    def counts(self) -> "UnitCounts":
        """The units x categories table (sparse), counted once per `Coded`."""
        cached = self.__dict__.get("_counts")
        if cached is None:
            cached = UnitCounts(count_codes(self.codes, self.q), self.domain, n_coders=self.n_coders)
            object.__setattr__(self, "_counts", cached)
        return cached

    def numeric_domain(self) -> np.ndarray | None:
        """The domain as floats when every category is a number, else None."""
        if self.domain and all(isinstance(v, Number) and not isinstance(v, bool) for v in self.domain):
            return np.asarray(self.domain, dtype=float)
        return None


@dataclass(frozen=True, eq=False)
class UnitCounts:
    """`counts[i, k]`: how many coders put unit i in category k (a dense array or a scipy sparse
    matrix; `sparse` is the CSR form the statistics use, `dense` a dense copy for small tables).
    `n_coders` is the number of coders when known (from a matrix), else the largest number of
    ratings any unit has."""

    counts: Any
    domain: tuple
    n_coders: int | None = None

    @property
    def sparse(self) -> _sp.csr_array:
        cached = self.__dict__.get("_csr")
        if cached is None:
            cached = sc.as_csr(self.counts)
            object.__setattr__(self, "_csr", cached)
        return cached

    @property
    def dense(self) -> np.ndarray:
        return self.sparse.toarray() if _sp.issparse(self.counts) else np.asarray(self.counts, dtype=float)

    @property
    def n_units(self) -> int:
        return int(self.counts.shape[0])

    def ratings(self) -> np.ndarray:
        """How many values each unit has (row sums)."""
        cached = self.__dict__.get("_r")
        if cached is None:
            cached = sc.row_sums(self.sparse)
            object.__setattr__(self, "_r", cached)
        return cached

    @classmethod
    def from_table(cls, table: Any, categories: Sequence | None = None) -> "UnitCounts":
        """A published units x categories count table; `categories` names its columns (default 0..q-1)."""
        t = np.asarray(table, dtype=float)
        if t.ndim != 2 or (t < 0).any():
            raise ValueError("a count table is a 2-D array of non-negative counts (units x categories)")
        dom = tuple(categories) if categories is not None else tuple(range(t.shape[1]))
        if len(dom) != t.shape[1]:
            raise ValueError(f"{len(dom)} categories for a table with {t.shape[1]} columns")
        return cls(t, dom)

    @property
    def q(self) -> int:
        return len(self.domain)

    @property
    def raters(self) -> int:
        if self.n_coders is not None:
            return self.n_coders
        r = self.ratings()
        return int(r.max()) if len(r) else 0

    def numeric_domain(self) -> np.ndarray | None:
        if self.domain and all(isinstance(v, Number) and not isinstance(v, bool) for v in self.domain):
            return np.asarray(self.domain, dtype=float)
        return None


def is_set_matrix(matrix: Any) -> bool:
    """True for multi-code data: an object matrix whose values are sets/frozensets (None = missing)."""
    if isinstance(matrix, (Coded, UnitCounts)):
        return False
    if isinstance(matrix, np.ndarray) and matrix.dtype != object:
        return False  # a numeric or string array holds no sets
    if not isinstance(matrix, np.ndarray):
        try:
            matrix = np.asarray(matrix, dtype=object)
        except ValueError:
            return False
    return any(issubclass(t, (set, frozenset)) for t in set(map(type, matrix.ravel().tolist())))


def code_matrix(matrix: Any, categories: Sequence | None = None) -> Coded:
    """Integer codes over the domain (see the module docstring). Raises ValueError on a matrix that
    is not 2-D or holds values outside the declared categories. A `Coded` passes through as is
    (callers code a matrix once and hand the result to several statistics)."""
    if isinstance(matrix, Coded):
        return matrix
    values, present = _values(matrix)
    observed = values[present]
    if categories is None and observed.dtype == object:  # labels: distinct by hashing, then sorted
        domain = tuple(_py(v) for v in sorted(set(observed.tolist()))) if observed.size else ()
    elif categories is None:
        domain = tuple(_py(v) for v in np.unique(observed)) if observed.size else ()
    else:
        domain = tuple(categories)
        if len(set(domain)) != len(domain):
            raise ValueError("categories must be distinct")
    codes = np.full(values.shape, MISSING, dtype=np.int64)
    if observed.size:
        codes[present] = _index(observed, domain)
    return Coded(codes, domain)


def unit_counts(data: Any, categories: Sequence | None = None) -> UnitCounts:
    """The count table of a matrix (or a UnitCounts passed through)."""
    if isinstance(data, UnitCounts):
        return data
    return code_matrix(data, categories).counts()


def numeric_matrix(matrix: Any) -> np.ndarray:
    """A float matrix (NaN = missing) for interval/ratio data; ValueError if a value is not a number."""
    values, present = _values(matrix)
    if values.dtype.kind == "f":
        return values
    out = np.full(values.shape, np.nan)
    try:
        out[present] = values[present].astype(float)
    except (TypeError, ValueError):
        raise ValueError("interval and ratio data must be numbers") from None
    return out


def _values(matrix: Any) -> tuple[np.ndarray, np.ndarray]:
    """(values, present): floats when every value is a number, else an object array of labels."""
    if isinstance(matrix, np.ndarray) and matrix.dtype.kind in "fiu":
        m = matrix.astype(float, copy=False)
        if m.ndim != 2:
            raise ValueError("reliability data must be a 2-D coders x units matrix")
        return m, ~np.isnan(m)
    m = np.asarray(matrix, dtype=object)
    if m.ndim != 2:
        raise ValueError("reliability data must be a 2-D coders x units matrix")
    present = _present(m)
    vals = m[present]
    if _all_numbers(vals):
        out = np.full(m.shape, np.nan)
        out[present] = vals.astype(float)
        return out, present
    return m, present


def _present(m: np.ndarray) -> np.ndarray:
    """Not None and not NaN, elementwise in C (object `!=`/`==`); only the values that are not
    equal to themselves (NaN-like) are looked at one by one."""
    present = np.asarray(m != None, dtype=bool)  # noqa: E711 - elementwise on an object array
    odd = present & ~np.asarray(m == m, dtype=bool)
    for idx in zip(*np.nonzero(odd)):
        present[idx] = not _is_missing(m[idx])
    return present


def _all_numbers(vals: np.ndarray) -> bool:
    """Every value a number (bools are labels), decided on the distinct types present."""
    return all(issubclass(t, Number) and not issubclass(t, bool) for t in set(map(type, vals.ravel().tolist())))


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float):
        return v != v
    if isinstance(v, np.floating):
        return bool(np.isnan(v))
    return False


def _index(observed: np.ndarray, domain: tuple) -> np.ndarray:
    if observed.dtype.kind == "f" and all(isinstance(v, Number) and not isinstance(v, bool) for v in domain):
        dom = np.asarray(domain, dtype=float)
        order = np.argsort(dom, kind="stable")
        pos = np.clip(np.searchsorted(dom[order], observed), 0, len(dom) - 1)
        bad = dom[order][pos] != observed
        if bad.any():
            raise ValueError(f"value {_py(observed[bad][0])!r} is not among the categories {list(domain)}")
        return order[pos]
    lookup = {}
    for k, v in enumerate(domain):
        lookup[_key(v)] = k
    labels_only = not any(issubclass(t, Number) and not issubclass(t, bool) for t in set(map(type, observed.tolist())))
    keys = map(lookup.__getitem__, observed.tolist()) if labels_only else (lookup[_key(v)] for v in observed)
    try:
        return np.fromiter(keys, dtype=np.int64, count=len(observed))
    except KeyError as e:
        raise ValueError(f"value {e.args[0]!r} is not among the categories {list(domain)}") from None


def _key(v: Any) -> Any:
    """Numbers compare by value (1 == 1.0 == np.int64(1)); labels by themselves."""
    if isinstance(v, Number) and not isinstance(v, bool):
        return float(v)
    return v


def _py(v: Any) -> Any:
    """numpy scalars as plain Python values (whole floats stay floats: 1.0)."""
    return v.item() if isinstance(v, np.generic) else v


def count_codes(codes: np.ndarray, q: int) -> _sp.csr_array:
    """units x q counts (sparse CSR) from coders x units codes, without a python loop over units."""
    coder_idx, unit_idx = np.nonzero(codes >= 0)
    return sc.from_pairs(unit_idx, codes[coder_idx, unit_idx], (codes.shape[1], q))


def code_sets(matrix: Any) -> tuple[np.ndarray, np.ndarray]:
    """(object matrix of frozensets, present mask) from a coders x units matrix of sets/None."""
    m = np.asarray(matrix, dtype=object)
    if m.ndim != 2:
        raise ValueError("reliability data must be a 2-D coders x units matrix")
    present = _present(m)
    out = np.full(m.shape, None, dtype=object)
    vals = m[present].tolist()
    if all(t is frozenset for t in set(map(type, vals))):
        out[present] = m[present]
    else:
        converted = np.empty(len(vals), dtype=object)
        converted[:] = [frozenset(v) for v in vals]
        out[present] = converted
    return out, present


def set_ids(sets: np.ndarray, present: np.ndarray) -> tuple[np.ndarray, list]:
    """(ids, distinct): each present cell's index into the distinct sets (first-seen order)."""
    distinct: dict = {}
    ids = np.fromiter((distinct.setdefault(v, len(distinct)) for v in sets[present].tolist()), np.int64,
                      int(present.sum()))
    return ids, list(distinct)
