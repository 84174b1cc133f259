"""Interpretation bands with their sources, and `summarize` as the other engineers will call it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from studyapp import stats


@pytest.mark.parametrize("alpha,band", [(0.95, "reliable"), (0.800, "reliable"), (0.7999, "tentative conclusions only"),
                                        (0.667, "tentative conclusions only"), (0.6669, "unreliable"),
                                        (-0.2, "unreliable")])
def test_krippendorff_bands(alpha, band):
    assert stats.band_for("krippendorff_alpha", alpha) == (band, "Krippendorff (2004)")
    assert stats.band_for("krippendorff_alpha_masi", alpha)[0] == band


@pytest.mark.parametrize("kappa,band", [(-0.01, "poor"), (0.0, "slight"), (0.20, "slight"), (0.21, "fair"),
                                        (0.40, "fair"), (0.41, "moderate"), (0.60, "moderate"),
                                        (0.61, "substantial"), (0.80, "substantial"), (0.81, "almost perfect"),
                                        (1.0, "almost perfect")])
def test_landis_koch_bands(kappa, band):
    for name in ("cohen_kappa", "cohen_kappa_linear", "fleiss_kappa", "scott_pi", "gwet_ac1", "brennan_prediger"):
        assert stats.band_for(name, kappa) == (band, "Landis & Koch (1977)")


def test_no_band_for_percent_agreement_or_undefined():
    assert stats.band_for("percent_agreement", 0.9) == (None, None)
    assert stats.band_for("krippendorff_alpha", None) == (None, None)
    s = stats.krippendorff_alpha([[1, 2, 3], [1, 2, 3]])
    assert (s.band, s.band_source) == ("reliable", "Krippendorff (2004)")


def _reliability_matrix():
    """As services.reliability_data builds it: category indexes as floats, NaN = missing."""
    return np.array([[0, 1, 2, 1, 0, np.nan, 2, 2],
                     [0, 1, 2, 2, 0, 1, 2, np.nan],
                     [0, 1, 1, 1, 0, 1, 2, 2]], dtype=float)


def test_summarize_three_coders_with_labels():
    s = stats.summarize(_reliability_matrix(), "nominal", ["env", "train", "data"], coders=["ann", "bo", "cy"],
                        n_boot=200)
    assert set(s.stats) == {"percent_agreement", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1",
                            "brennan_prediger"}
    assert s.get("cohen_kappa") is None and s.value("cohen_kappa") is None
    alpha = s.get("krippendorff_alpha")
    assert alpha.value == pytest.approx(stats.krippendorff_alpha(_reliability_matrix()).value)
    assert alpha.ci[0] < alpha.value < alpha.ci[1] and alpha.band_source == "Krippendorff (2004)"
    assert list(s.per_category) == ["env", "train", "data"]
    assert s.pairwise.coders == ("ann", "bo", "cy") and s.pairwise.matrix().shape == (3, 3)
    assert (s.n_units, s.n_pairable, s.n_coders) == (8, 8, 3)
    json.dumps(s.to_dict())


def test_summarize_two_coders_ordinal_adds_cohen_and_weighted():
    s = stats.summarize(_reliability_matrix()[:2], "ordinal", ["low", "mid", "high"], n_boot=100)
    for name in ("cohen_kappa", "scott_pi", "cohen_kappa_linear", "gwet_ac2_ordinal"):
        assert s.value(name) is not None, name
    assert s.get("cohen_kappa").ci is not None


def test_summarize_is_reproducible_and_n_boot_zero_skips_intervals():
    m = _reliability_matrix()
    assert stats.summarize(m, seed=5, n_boot=100).to_dict() == stats.summarize(m, seed=5, n_boot=100).to_dict()
    assert stats.summarize(m, n_boot=0).get("krippendorff_alpha").ci is None


def test_summarize_numbers_with_many_values_gets_alpha_only():
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    m = np.vstack([x, x + rng.normal(scale=0.1, size=200)])
    s = stats.summarize(m, "interval", n_boot=100)
    assert set(s.stats) == {"percent_agreement", "krippendorff_alpha"}
    assert s.value("krippendorff_alpha") > 0.9


def test_summarize_multi_code_field():
    a, ab, b = frozenset("a"), frozenset("ab"), frozenset("b")
    m = np.array([[a, ab, b, None], [a, a, b, ab]], dtype=object)
    s = stats.summarize(m, "nominal", n_boot=100)
    assert s.multi and set(s.stats) == {"percent_agreement", "krippendorff_alpha_masi"}
    assert [c.code for c in s.per_code] == ["a", "b"]
    assert s.per_code[0].kappa.name == "cohen_kappa"
    json.dumps(s.to_dict())


def test_per_code_agreement_presence():
    a, ab = frozenset("a"), frozenset("ab")
    res = stats.per_code_agreement([[a, ab, a], [a, a, ab]], codes=["a", "b", "z"])
    assert [r.percent_agreement.value for r in res] == [1.0, pytest.approx(1 / 3), 1.0]
    assert res[0].kappa.value is None and "present" in res[0].kappa.undefined_reason
    assert res[2].n_present == 0 and "absent" in res[2].alpha.undefined_reason


def test_confusion_and_pairwise():
    m = [["x", "y", "y", None], ["x", "y", "x", "x"], ["x", "x", "y", "y"]]
    cm = stats.confusion_matrix(m, 0, 1, coders=["a", "b", "c"])
    assert cm.coders == ("a", "b") and cm.categories == ("x", "y") and cm.table.tolist() == [[1, 0], [1, 1]]
    pw = stats.pairwise_kappa(m, coders=["a", "b", "c"])
    assert set(pw.stats) == {("a", "b"), ("a", "c"), ("b", "c")}
    km = pw.matrix()
    assert np.allclose(km, km.T, equal_nan=True) and np.isnan(km[0, 0])
