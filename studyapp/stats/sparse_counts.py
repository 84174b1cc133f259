"""Units x categories counts as a sparse matrix, and the few products every statistic needs.

Why: a unit has at most one value per coder, so its row of counts has at most `coders` non-zero
cells whatever the size of the codebook. Dense, 100,000 units x 1,000 codes is 800 MB and every
product over it (counts @ weights) costs 10^11 operations; sparse, the same table is the 500,000
values it holds. Every statistic reduces to three kinds of sums over these rows:

- weighted pair sums `C^T diag(w) C` (V x V): the coincidences of alpha, the observed agreement of
  Fleiss, Gwet and Brennan-Prediger, all in one sparse product;
- per-row quadratic forms `c^T W c` (a unit's agreeing pairs under weights W), computed on the
  padded non-zeros of each row (at most coders^2 terms per unit);
- distinct rows (the unit patterns the bootstrap resamples), found on the padded non-zeros instead
  of on V-wide dense rows.

Pure numpy/scipy; the callers are the statistics modules of this package.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse


def as_csr(counts: Any) -> sparse.csr_array:
    """Float64 CSR with sorted indices and no stored zeros (a dense table or any sparse matrix)."""
    if sparse.issparse(counts):
        c = sparse.csr_array(counts, dtype=float, copy=True)
    else:
        c = sparse.csr_array(np.asarray(counts, dtype=float))
    c.eliminate_zeros()
    c.sort_indices()
    return c


def from_pairs(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int],
               weights: np.ndarray | None = None) -> sparse.csr_array:
    """Counts of (row, col) pairs (duplicates summed, optionally weighted) as CSR."""
    data = np.ones(len(rows)) if weights is None else np.asarray(weights, dtype=float)
    c = sparse.csr_array((data, (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
                         shape=shape)
    c.sum_duplicates()
    c.eliminate_zeros()
    c.sort_indices()
    return c


def row_sums(c: sparse.csr_array) -> np.ndarray:
    return np.asarray(c.sum(axis=1)).ravel()


def col_sums(c: sparse.csr_array) -> np.ndarray:
    return np.asarray(c.sum(axis=0)).ravel()


def rows(c: sparse.csr_array, keep: np.ndarray) -> sparse.csr_array:
    """The rows where the boolean `keep` is true, in order."""
    return c[np.flatnonzero(keep)]


def weighted_pairs(c: sparse.csr_array, w: np.ndarray) -> np.ndarray:
    """`C^T diag(w) C` as a dense V x V array: sum over rows of w_u c_u c_u^T (one sparse product)."""
    scaled = sparse.csr_array(sparse.diags_array(np.asarray(w, dtype=float)) @ c)
    out = (scaled.T @ c).toarray() if c.shape[0] else np.zeros((c.shape[1], c.shape[1]))
    return np.asarray(out, dtype=float)


def weighted_col_sums(c: sparse.csr_array, w: np.ndarray) -> np.ndarray:
    """`C^T w`: each category's counts summed over rows with row weights w."""
    return np.asarray(c.T @ np.asarray(w, dtype=float)).ravel()


def padded(c: sparse.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """(indices, values), each rows x R (R = most non-zeros in a row), padded with index 0 and
    value 0: a row's non-zeros in column order."""
    n = c.shape[0]
    nnz = np.diff(c.indptr)
    width = int(nnz.max()) if n and len(c.data) else 0
    idx = np.zeros((n, width), dtype=np.int64)
    val = np.zeros((n, width), dtype=float)
    if width:
        row = np.repeat(np.arange(n), nnz)
        pos = np.arange(len(c.data)) - c.indptr[row]
        idx[row, pos] = c.indices
        val[row, pos] = c.data
    return idx, val


def row_quadratic(c: sparse.csr_array, w: np.ndarray | None = None, *, chunk: int = 1 << 21) -> np.ndarray:
    """Per row `c^T W c` (W None = identity: the sum of squared counts), without a dense rows x V
    array: for each row only its non-zero cells meet (rows are processed in bounded chunks)."""
    if w is None:
        sq = c.copy()
        sq.data = sq.data ** 2
        return row_sums(sq)
    idx, val = padded(c)
    n, width = idx.shape
    out = np.zeros(n)
    step = max(1, chunk // max(width * width, 1))
    for s in range(0, n, step):
        i, v = idx[s:s + step], val[s:s + step]
        out[s:s + step] = np.einsum("ra,rb,rab->r", v, v, w[i[:, :, None], i[:, None, :]])
    return out


def unique_rows(c: sparse.csr_array) -> tuple[sparse.csr_array, np.ndarray]:
    """(the distinct rows as CSR, in a fixed order; for each row the index of its distinct row)."""
    idx, val = padded(c)
    if not c.shape[0]:
        return c, np.zeros(0, dtype=np.int64)
    key = np.hstack([idx.astype(float), val])
    uniq, inverse = np.unique(key, axis=0, return_inverse=True)
    width = idx.shape[1]
    u_idx, u_val = uniq[:, :width].astype(np.int64), uniq[:, width:]
    keep = u_val != 0
    r = np.repeat(np.arange(len(uniq)), keep.sum(axis=1))
    x = from_pairs(r, u_idx[keep], (len(uniq), c.shape[1]), u_val[keep])
    return x, inverse.ravel()
