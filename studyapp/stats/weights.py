"""Agreement weights for weighted kappa, Gwet's AC2 and weighted percent agreement.

A weight matrix W (q x q) gives 1 for identical categories and less for distant ones; unweighted
statistics use the identity. Positions default to the category *rank* (0..q-1 in the declared or
sorted order), which is what R's irr and scikit-learn do for Cohen's weighted kappa (a gap in the
codes, e.g. 1,2,3,4,6, counts as one step). Pass `positions` (e.g. the numeric values) to weight by
distance on the value scale instead, as irrCAC does for numeric categories.

Formulas (Gwet 2014, Handbook of Inter-Rater Reliability, ch. 3; irrCAC):
  linear     1 - |x_k - x_l| / (x_max - x_min)
  quadratic  1 - (x_k - x_l)^2 / (x_max - x_min)^2
  ordinal    1 - M_kl / max(M), M_kl = C(|k - l| + 1, 2)   (ranks only)
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

WEIGHTS = ("unweighted", "linear", "quadratic", "ordinal")


def agreement_weights(kind: str | None, q: int, positions: Sequence[float] | None = None) -> np.ndarray:
    """The q x q agreement-weight matrix for `kind` (None or "unweighted" = identity)."""
    if kind in (None, "unweighted", "identity", "nominal"):
        return np.eye(q)
    if kind not in WEIGHTS:
        raise ValueError(f"unknown weights {kind!r}: use one of {', '.join(WEIGHTS)}")
    if q < 2:
        return np.ones((q, q))
    if kind == "ordinal":
        k = np.arange(q)
        n = np.abs(k[:, None] - k[None, :]) + 1
        m = n * (n - 1) / 2.0
        return 1.0 - m / m.max()
    x = np.arange(q, dtype=float) if positions is None else np.asarray(positions, dtype=float)
    if x.shape != (q,):
        raise ValueError(f"{len(x)} positions for {q} categories")
    span = x.max() - x.min()
    d = np.abs(x[:, None] - x[None, :]) / span
    return 1.0 - (d if kind == "linear" else d ** 2)
