"""The one result type every agreement statistic returns: a value, or the reason there is none.

Why a dataclass and not a float: a coefficient on degenerate data (one coder, no unit coded twice,
everyone using one category) is 0/0. Returning 1.0, 0.0 or NaN there hides the problem in a table;
`Stat.value is None` with `undefined_reason` in words makes the table say why. The band (and the
source it comes from) travel with the value so every caller labels numbers the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from studyapp.stats.bands import band_for

NO_DATA = "no values to compare"
ONE_CODER = "only one coder has values: agreement needs at least two"
NO_PAIRABLE = "no unit has values from two or more coders"


def single_category(value: Any) -> str:
    """The reason used when every value is the same category (chance agreement is 1)."""
    return (f"every value is {value!r}: expected disagreement is 0 (chance agreement 1), "
            "so the coefficient is 0/0")


@dataclass(frozen=True)
class Stat:
    """One agreement statistic.

    `value` is a plain float, or None when undefined (then `undefined_reason` says why, in words).
    `ci` is a (low, high) percentile bootstrap interval or None; `ci_method` names how it was made.
    `n_units` counts the units that entered the statistic (for Cohen's kappa: units both coders
    coded; otherwise units with values from at least two coders); `n_coders` the coders with values.
    `band` is the interpretation label and `band_source` the published scale it comes from.
    `details` holds intermediate quantities (observed/chance agreement, D_o/D_e) for reports.
    """

    name: str
    value: float | None
    undefined_reason: str | None = None
    ci: tuple[float, float] | None = None
    n_units: int = 0
    n_coders: int = 0
    band: str | None = None
    band_source: str | None = None
    ci_method: str | None = None
    details: Mapping[str, float] = field(default_factory=dict, compare=False, hash=False)

    @property
    def defined(self) -> bool:
        return self.value is not None

    def with_ci(self, low: float, high: float, method: str) -> "Stat":
        return replace(self, ci=(float(low), float(high)), ci_method=method)

    def to_dict(self) -> dict:
        """JSON-ready: plain floats, the CI as a list, None for what is missing."""
        return {"name": self.name, "value": self.value, "undefined_reason": self.undefined_reason,
                "ci": list(self.ci) if self.ci else None, "ci_method": self.ci_method,
                "n_units": self.n_units, "n_coders": self.n_coders, "band": self.band,
                "band_source": self.band_source, "details": dict(self.details)}


def defined(name: str, value: float, *, n_units: int, n_coders: int,
            details: Mapping[str, float] | None = None) -> Stat:
    """A computed statistic, with its interpretation band attached."""
    v = float(value)
    band, source = band_for(name, v)
    return Stat(name, v, None, None, int(n_units), int(n_coders), band, source,
                details={k: float(x) for k, x in (details or {}).items()})


def undefined(name: str, reason: str, *, n_units: int = 0, n_coders: int = 0,
              details: Mapping[str, float] | None = None) -> Stat:
    """A statistic that has no value on this data, and the reason in words."""
    return Stat(name, None, reason, None, int(n_units), int(n_coders),
                details={k: float(x) for k, x in (details or {}).items()})
