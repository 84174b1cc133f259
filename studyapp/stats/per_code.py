"""Per-code agreement for multi-code (set-valued) fields: for each code, do coders agree on
whether it applies?

A multi-code value is a set of codes (frozenset; None = the coder did not code the unit). For one
code c, coder i's value on unit j becomes "present" when c is in the set, "absent" otherwise
(missing stays missing), and the usual two-category statistics apply: percent agreement, Cohen's
kappa for two coders or Fleiss' kappa for more, and nominal Krippendorff alpha. This is the
presence/absence reading used for multi-label annotation (e.g. Artstein & Poesio 2008, sect. 3.1);
MASI alpha (`stats.alpha.masi_alpha`) gives the single overall figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from studyapp.stats.alpha import krippendorff_alpha
from studyapp.stats.chance_corrected import fleiss_kappa, percent_agreement
from studyapp.stats.kappa import cohen_kappa
from studyapp.stats.matrix import MISSING, Coded, code_sets, set_ids
from studyapp.stats.result import Stat

PRESENCE = ("absent", "present")


@dataclass(frozen=True)
class CodeAgreement:
    """Agreement on one code's presence. `n_units` units have values from two or more coders;
    `n_present` coder values include the code. `kappa` is Cohen's (two coders) or Fleiss' kappa."""

    code: Any
    n_units: int
    n_present: int
    percent_agreement: Stat
    kappa: Stat
    alpha: Stat

    def to_dict(self) -> dict:
        return {"code": self.code, "n_units": self.n_units, "n_present": self.n_present,
                "percent_agreement": self.percent_agreement.to_dict(), "kappa": self.kappa.to_dict(),
                "alpha": self.alpha.to_dict()}


def presence(matrix: Any, code: Any) -> Coded:
    """Coder x unit presence of `code` (domain: absent, present; MISSING where not coded)."""
    sets, present = code_sets(matrix)
    ids, distinct = set_ids(sets, present)
    return _presence(present, ids, distinct, code)


def _presence(present: np.ndarray, ids: np.ndarray, distinct: list, code: Any) -> Coded:
    """Decided once per distinct set, then spread to the cells that hold it."""
    has = np.array([int(code in s) for s in distinct], dtype=np.int64)
    codes = np.full(present.shape, MISSING, dtype=np.int64)
    codes[present] = has[ids] if len(ids) else []
    return Coded(codes, PRESENCE)


def per_code_agreement(matrix: Any, codes: Sequence | None = None) -> tuple[CodeAgreement, ...]:
    """One `CodeAgreement` per code: `codes` in the given order, or every code used, sorted."""
    sets, present = code_sets(matrix)
    ids, distinct = set_ids(sets, present)
    if codes is None:
        codes = sorted(set().union(*distinct) if distinct else set(), key=str)
    out = []
    for code in codes:
        c = _presence(present, ids, distinct, code)
        two_coders = c.codes.shape[0] == 2
        kappa = cohen_kappa(c) if two_coders else fleiss_kappa(c)
        pa = percent_agreement(c)
        out.append(CodeAgreement(code, pa.n_units, int((c.codes == 1).sum()), pa, kappa,
                                 krippendorff_alpha(c, level="nominal")))
    return tuple(out)
