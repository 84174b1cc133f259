"""Interpretation bands, each named with the published source it comes from.

Krippendorff (2004, Content Analysis, 2nd ed., p. 241) for alpha: rely on variables with
alpha >= .800, draw only tentative conclusions from .667 <= alpha < .800, discard the rest.
Landis & Koch (1977, Biometrics 33:159-174) for kappa-like coefficients (Cohen, Scott, Fleiss,
Gwet, Brennan-Prediger). Both scales are conventions, not tests; callers show the source with
the label. Percent agreement has no band: it ignores chance agreement.
"""

from __future__ import annotations

KRIPPENDORFF_2004 = "Krippendorff (2004)"
LANDIS_KOCH_1977 = "Landis & Koch (1977)"

KAPPA_LIKE = ("cohen_kappa", "scott_pi", "fleiss_kappa", "gwet_ac", "brennan_prediger", "category_kappa")


def krippendorff_band(alpha: float) -> str:
    """Krippendorff (2004): >= .800 reliable, >= .667 tentative conclusions, otherwise unreliable."""
    if alpha >= 0.800:
        return "reliable"
    if alpha >= 0.667:
        return "tentative conclusions only"
    return "unreliable"


def landis_koch_band(kappa: float) -> str:
    """Landis & Koch (1977): <0 poor, .00-.20 slight, .21-.40 fair, .41-.60 moderate,
    .61-.80 substantial, .81-1.00 almost perfect (upper bounds inclusive)."""
    if kappa < 0:
        return "poor"
    for upper, label in ((0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial")):
        if kappa <= upper:
            return label
    return "almost perfect"


def band_for(statistic: str, value: float | None) -> tuple[str | None, str | None]:
    """(band, source) for a statistic name such as `krippendorff_alpha` or `cohen_kappa_linear`;
    (None, None) for an undefined value or a statistic without a conventional scale."""
    if value is None:
        return None, None
    if statistic.startswith("krippendorff_alpha"):
        return krippendorff_band(value), KRIPPENDORFF_2004
    if statistic.startswith(KAPPA_LIKE):
        return landis_koch_band(value), LANDIS_KOCH_1977
    return None, None
