"""Inter-rater agreement as pure functions: coders x units matrices in, frozen dataclasses out.

No I/O, no study, no Streamlit. Everything here is checked against the published worked examples in
../shared/data/agreement-reference/cases.json (tests/stats/test_reference_cases.py).

Input
    A coders x units matrix (rows = coders, columns = units): numpy array or nested lists. Missing is
    NaN or None. Values are category indexes or numbers (float; what
    `services.reliability_data.reliability_data(...).matrix` holds), labels (str), or for multi-code
    fields frozensets (None = missing). Count-table statistics also take a `UnitCounts`
    (units x categories counts, e.g. a published table: `UnitCounts.from_table(table, categories)`).
    `categories` declares the domain and its order (ordinal order, the q of Gwet/Brennan-Prediger).

One call per field
    summarize(matrix, level="nominal", categories=None, *, coders=None, seed=0, n_boot=1000,
              confidence=0.95) -> Summary
        level: nominal | ordinal | interval | ratio (a matrix of sets is always multi-code).
        categories: the field's labels when the matrix holds indexes 0..k-1 (reliability_data's
        `.categories`), or the domain itself. Summary has .stats {name: Stat} (percent_agreement,
        cohen_kappa, scott_pi, fleiss_kappa, krippendorff_alpha, gwet_ac1, brennan_prediger, weighted
        variants; krippendorff_alpha_masi for sets), .per_category {label: Stat}, .per_code
        (tuple of CodeAgreement, multi-code fields), .pairwise (PairwiseKappa, > 2 coders),
        .n_units, .n_pairable, .n_coders, .get(name), .value(name), .to_dict().
        Example: rd = reliability_data(store, "defects", "stage")
                 s = summarize(rd.matrix, rd.level or "nominal", rd.categories, coders=rd.coders)

The result type
    Stat(name, value: float | None, undefined_reason: str | None, ci: (low, high) | None, n_units,
         n_coders, band: str | None, band_source: str | None, ci_method, details)
    Degenerate data (one coder, no unit coded twice, one category everywhere) gives value None and a
    reason in words, never 1.0/0.0, an exception or a numpy warning.

Single statistics (all keyword options after the data)
    percent_agreement(data, *, weights=None, categories=None, definition="pairwise", tolerance=0.0)
    cohen_kappa(matrix, *, weights=None|"linear"|"quadratic", categories=None)      two coders
    scott_pi(matrix, *, weights=None, categories=None)                             two coders
    fleiss_kappa(data, *, weights=None, categories=None)
    krippendorff_alpha(data, *, level="nominal", categories=None)                  sets -> MASI
    alpha_from_coincidences(o, *, level, domain, n_units, n_coders, has_values=True)   kept V x V matrix
    masi_alpha(matrix_of_sets), masi_distance(a, b)
    gwet_ac1(data, *, weights=None, categories=None)       weights given -> AC2
    gwet_ac2(data, *, weights="quadratic"|"linear"|"ordinal", categories=None)
    brennan_prediger(data, *, weights=None, categories=None, q=None)
    per_category_kappa(data, *, categories=None) -> {category: Stat}    Fleiss one-vs-rest
    per_unit_agreement(data, categories=None) -> ndarray (NaN below two ratings)
    category_proportions(data, categories=None) -> ndarray
    confusion_matrix(matrix, a=0, b=1, *, categories=None, coders=None) -> ConfusionMatrix
    pairwise_kappa(matrix, *, coders=None, weights=None, categories=None) -> PairwiseKappa
    per_code_agreement(matrix_of_sets, codes=None) -> tuple[CodeAgreement, ...]

Intervals (percentile; seeded numpy Generator, reproducible)
    bootstrap_ci(data, statistic="krippendorff_alpha", *, level, weights, categories, q,
                 n_boot=1000, confidence=0.95, seed=0) -> BootstrapCI | None    resamples units
    kalpha_bootstrap_ci(data, *, level, categories, n_boot, confidence, seed)   Krippendorff (2006)

Bands
    band_for(statistic, value) -> (band, source); krippendorff_band(alpha); landis_koch_band(kappa)
"""

from studyapp.stats.alpha import alpha_from_coincidences, krippendorff_alpha, masi_alpha, masi_distance
from studyapp.stats.bands import (
                                             KRIPPENDORFF_2004,
                                             LANDIS_KOCH_1977,
                                             band_for,
                                             krippendorff_band,
                                             landis_koch_band,
)
from studyapp.stats.bootstrap import BootstrapCI, bootstrap_ci, kalpha_bootstrap_ci
from studyapp.stats.chance_corrected import (
                                             brennan_prediger,
                                             category_proportions,
                                             fleiss_kappa,
                                             gwet_ac1,
                                             gwet_ac2,
                                             per_unit_agreement,
                                             percent_agreement,
)
from studyapp.stats.kappa import (
                                             ConfusionMatrix,
                                             PairwiseKappa,
                                             cohen_kappa,
                                             confusion_matrix,
                                             pairwise_kappa,
                                             per_category_kappa,
                                             scott_pi,
)
from studyapp.stats.matrix import UnitCounts
from studyapp.stats.per_code import CodeAgreement, per_code_agreement
from studyapp.stats.result import Stat
from studyapp.stats.summary import Summary, summarize
from studyapp.stats.unitizing import UnitizingAgreement, cu_alpha_across_fields, krippendorff_2004_u_alpha, unitizing_agreement  # noqa: F401,E501

__all__ = [
    "BootstrapCI", "CodeAgreement", "ConfusionMatrix", "KRIPPENDORFF_2004", "LANDIS_KOCH_1977", "PairwiseKappa",
    "Stat", "Summary", "UnitCounts", "alpha_from_coincidences", "band_for", "bootstrap_ci", "brennan_prediger", "category_proportions",
    "cohen_kappa", "confusion_matrix", "fleiss_kappa", "gwet_ac1", "gwet_ac2", "kalpha_bootstrap_ci",
    "krippendorff_alpha", "krippendorff_band", "landis_koch_band", "masi_alpha", "masi_distance",
    "pairwise_kappa", "per_category_kappa", "per_code_agreement", "per_unit_agreement", "percent_agreement",
    "scott_pi", "summarize",
]
