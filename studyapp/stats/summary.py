"""`summarize`: every applicable agreement statistic for one field, in one call.

Used by `studyapp irr` (files) and the in-study agreement service, so both report the same
numbers under the same names. Which statistics a field gets:

  categorical (nominal, ordinal; interval/ratio with at most 50 distinct values)
      percent_agreement, fleiss_kappa (+CI), krippendorff_alpha (+CI), gwet_ac1, brennan_prediger;
      with exactly two coders also cohen_kappa (+CI) and scott_pi;
      ordinal adds cohen_kappa_linear and gwet_ac2_ordinal, interval/ratio cohen_kappa_quadratic
      and gwet_ac2_quadratic (weights on category ranks);
      per_category: Fleiss' one-vs-rest kappa per category (nominal/ordinal);
      pairwise: Cohen's kappa for every pair when there are more than two coders.
  interval/ratio with more distinct values: percent_agreement (exact) and krippendorff_alpha (+CI).
  multi-code (a matrix of sets): percent_agreement (identical sets), krippendorff_alpha_masi (+CI),
      and per_code presence/absence agreement.

Not applicable statistics are left out (look them up with `Summary.get`, which gives None);
undefined ones are present with value None and `undefined_reason`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Number
from typing import Any, Sequence

import numpy as np

from studyapp.stats.alpha import LEVELS, krippendorff_alpha, masi_alpha
from studyapp.stats.bootstrap import bootstrap_ci
from studyapp.stats.chance_corrected import (
    brennan_prediger,
    fleiss_kappa,
    gwet_ac1,
    percent_agreement,
)
from studyapp.stats.kappa import (
    PairwiseKappa,
    cohen_kappa,
    pairwise_kappa,
    per_category_kappa,
    scott_pi,
)
from studyapp.stats.matrix import Coded, code_matrix, is_set_matrix, numeric_matrix
from studyapp.stats.per_code import CodeAgreement, code_sets, per_code_agreement
from studyapp.stats.result import Stat

MAX_CATEGORIES = 50  # interval/ratio fields with more distinct values get no kappa-family statistics
_EXTRA = {"ordinal": ("linear", "ordinal"), "interval": ("quadratic", "quadratic"),
          "ratio": ("quadratic", "quadratic")}


@dataclass(frozen=True, eq=False)
class Summary:
    """All statistics for one field. `n_units`: units with at least one value; `n_pairable`: units
    with values from two or more coders; `categories`: labels in domain order (codes for multi)."""

    level: str
    multi: bool
    n_units: int
    n_pairable: int
    n_coders: int
    coders: tuple[str, ...]
    categories: tuple
    stats: dict[str, Stat]
    per_category: dict = field(default_factory=dict)
    per_code: tuple[CodeAgreement, ...] = ()
    pairwise: PairwiseKappa | None = None

    def get(self, name: str) -> Stat | None:
        return self.stats.get(name)

    def value(self, name: str) -> float | None:
        s = self.stats.get(name)
        return s.value if s else None

    def undefined_reasons(self) -> dict[str, str]:
        return {k: s.undefined_reason for k, s in self.stats.items() if s.undefined_reason}

    def to_dict(self) -> dict:
        """JSON-ready (category keys as strings)."""
        return {"level": self.level, "multi": self.multi, "n_units": self.n_units, "n_pairable": self.n_pairable,
                "n_coders": self.n_coders, "coders": list(self.coders), "categories": [_json(c) for c in self.categories],
                "stats": {k: s.to_dict() for k, s in self.stats.items()},
                "per_category": {str(_json(k)): s.to_dict() for k, s in self.per_category.items()},
                "per_code": [c.to_dict() for c in self.per_code],
                "pairwise": [{"coders": list(k), **s.to_dict()} for k, s in self.pairwise.stats.items()]
                if self.pairwise else []}


def summarize(matrix: Any, level: str = "nominal", categories: Sequence | None = None, *,
              coders: Sequence[str] | None = None, seed: int | None = 0, n_boot: int = 1000,
              confidence: float = 0.95) -> Summary:
    """Every applicable statistic for one field's coders x units matrix (see the module docstring).

    `matrix`: category indexes or numbers (float, NaN = missing), labels, or sets (multi-code,
    None = missing). `categories`: the category labels when the matrix holds indexes 0..k-1 (as
    `reliability_data` builds them), or the domain values/labels themselves; the order is the
    ordinal order and unused categories still count. `n_boot=0` skips the bootstrap intervals.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")
    if categories is not None and len(categories) == 0:
        categories = None
    n_rows = np.shape(matrix)[0] if np.ndim(matrix) == 2 else 0
    names = tuple(str(c) for c in coders) if coders is not None else tuple(f"coder {i + 1}" for i in range(n_rows))
    boot = dict(n_boot=n_boot, confidence=confidence, seed=seed)
    if is_set_matrix(matrix):
        return _multi(matrix, names, boot)
    numeric = level in ("interval", "ratio")
    if numeric:
        values = numeric_matrix(matrix)
        coded = code_matrix(values)
    else:
        coded = _coded(matrix, categories)
    present = coded.codes >= 0
    base = dict(level=level, multi=False, n_units=int(present.any(axis=0).sum()),
                n_pairable=int((present.sum(axis=0) >= 2).sum()), n_coders=coded.n_coders, coders=names,
                categories=coded.domain)
    alpha_data = values if numeric else coded
    stats: dict[str, Stat] = {}
    if numeric and coded.q > MAX_CATEGORIES:
        stats["percent_agreement"] = percent_agreement(coded)
        stats["krippendorff_alpha"] = _ci(krippendorff_alpha(alpha_data, level=level), alpha_data,
                                          "krippendorff_alpha", boot, level=level)
        return Summary(**base, stats=stats)
    stats["percent_agreement"] = percent_agreement(coded)
    if n_rows == 2:
        stats["cohen_kappa"] = _ci(cohen_kappa(coded), coded, "cohen_kappa", boot)
        stats["scott_pi"] = scott_pi(coded)
    stats["fleiss_kappa"] = _ci(fleiss_kappa(coded), coded, "fleiss_kappa", boot)
    stats["krippendorff_alpha"] = _ci(krippendorff_alpha(alpha_data, level=level), alpha_data,
                                      "krippendorff_alpha", boot, level=level)
    stats["gwet_ac1"] = gwet_ac1(coded)
    stats["brennan_prediger"] = brennan_prediger(coded)
    if level in _EXTRA:
        kappa_w, ac2_w = _EXTRA[level]
        if n_rows == 2:
            stats[f"cohen_kappa_{kappa_w}"] = cohen_kappa(coded, weights=kappa_w)
        stats[f"gwet_ac2_{ac2_w}"] = gwet_ac1(coded, weights=ac2_w)
    per_category = per_category_kappa(coded) if not numeric and coded.q > 2 else {}
    pairwise = pairwise_kappa(coded, coders=names) if n_rows > 2 else None
    return Summary(**base, stats=stats, per_category=per_category, pairwise=pairwise)


def _coded(matrix: Any, categories: Sequence | None) -> Coded:
    """Code the matrix once; when it holds indexes and `categories` are labels, the labels become
    the domain (so reasons and tables name categories, not index numbers)."""
    if categories is None or all(isinstance(c, Number) and not isinstance(c, bool) for c in categories):
        return code_matrix(matrix, categories)
    m = np.asarray(matrix)
    if m.dtype.kind in "fiu":
        coded = code_matrix(m, range(len(categories)))
        return Coded(coded.codes, tuple(categories))
    return code_matrix(matrix, categories)


def _multi(matrix: Any, coders: tuple[str, ...], boot: dict) -> Summary:
    sets, present = code_sets(matrix)
    domain = tuple(sorted({s for s in sets[present]}, key=lambda s: (len(s), sorted(map(str, s)))))
    stats = {"percent_agreement": percent_agreement(sets, categories=domain),
             "krippendorff_alpha_masi": _ci(masi_alpha(sets), sets, "krippendorff_alpha_masi", boot)}
    per_code = per_code_agreement(sets)
    return Summary(level="nominal", multi=True, n_units=int(present.any(axis=0).sum()),
                   n_pairable=int((present.sum(axis=0) >= 2).sum()), n_coders=int(present.any(axis=1).sum()),
                   coders=coders, categories=tuple(c.code for c in per_code), stats=stats, per_code=per_code)


def _ci(stat: Stat, data: Any, name: str, boot: dict, **kwargs) -> Stat:
    if stat.value is None or not boot["n_boot"]:
        return stat
    ci = bootstrap_ci(data, name, **kwargs, **boot)
    return stat.with_ci(ci.low, ci.high, ci.method) if ci else stat


def _json(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, frozenset):
        return sorted(v, key=str)
    return v
