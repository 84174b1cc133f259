"""Degenerate data gives value None and a reason in words, never 1.0/0.0, an exception or a warning."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from studyapp import stats

NAN = np.nan

ALL = {
    "percent_agreement": lambda m: stats.percent_agreement(m),
    "cohen_kappa": lambda m: stats.cohen_kappa(m[:2]),
    "scott_pi": lambda m: stats.scott_pi(m[:2]),
    "fleiss_kappa": lambda m: stats.fleiss_kappa(m),
    "krippendorff_alpha": lambda m: stats.krippendorff_alpha(m),
    "krippendorff_alpha_interval": lambda m: stats.krippendorff_alpha(m, level="interval"),
    "krippendorff_alpha_ordinal": lambda m: stats.krippendorff_alpha(m, level="ordinal"),
    "gwet_ac1": lambda m: stats.gwet_ac1(m),
    "brennan_prediger": lambda m: stats.brennan_prediger(m),
}

ONE_CODER = np.array([[1.0, 2.0, 1.0]])
NO_PAIRS = np.array([[1.0, NAN, 2.0], [NAN, 2.0, NAN]])
EMPTY = np.full((2, 3), NAN)


@pytest.fixture(autouse=True)
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("name", sorted(ALL))
@pytest.mark.parametrize("data,words", [(ONE_CODER, "one coder"), (NO_PAIRS, ""), (EMPTY, "no values")],
                         ids=["one-coder", "no-pairable-unit", "all-missing"])
def test_nothing_to_compare_is_undefined(name, data, words):
    s = ALL[name](data)
    assert s.value is None and s.undefined_reason, (name, s)
    assert words in s.undefined_reason or name in ("cohen_kappa", "scott_pi")
    assert s.band is None and s.ci is None


@pytest.mark.parametrize("name", ["cohen_kappa", "scott_pi", "fleiss_kappa", "krippendorff_alpha",
                                  "krippendorff_alpha_interval", "krippendorff_alpha_ordinal",
                                  "brennan_prediger", "gwet_ac1"])
def test_one_category_everywhere_is_undefined(name):
    s = ALL[name](np.array([[2.0, 2.0, 2.0, NAN], [2.0, 2.0, 2.0, 2.0], [2.0, NAN, 2.0, 2.0]]))
    assert s.value is None and "2.0" in s.undefined_reason, s


def test_percent_agreement_stays_defined_on_one_category():
    assert stats.percent_agreement([[1, 1], [1, 1]]).value == 1.0


def test_a_declared_second_category_makes_ac1_and_bp_defined():
    m = [["a"] * 4, ["a"] * 4]
    assert stats.gwet_ac1(m, categories=["a", "b"]).value == 1.0
    assert stats.brennan_prediger(m, categories=["a", "b"]).value == 1.0
    assert stats.brennan_prediger(m, q=2).value == 1.0
    assert stats.cohen_kappa(m, categories=["a", "b"]).value is None


def test_cohen_kappa_wants_exactly_two_coders():
    s = stats.cohen_kappa([[1, 2], [1, 2], [2, 2]])
    assert s.value is None and "exactly two coders" in s.undefined_reason


def test_cohen_kappa_drops_units_with_a_missing_value():
    s = stats.cohen_kappa([[1, 2, 1, None], [1, 2, None, 2]])
    assert s.value == 1.0 and s.n_units == 2


def test_coders_who_share_no_unit():
    s = stats.cohen_kappa([[1, None], [None, 2]])
    assert s.value is None and "no unit in common" in s.undefined_reason


def test_values_outside_declared_categories_are_an_input_error():
    with pytest.raises(ValueError, match="not among the categories"):
        stats.fleiss_kappa([[1, 2], [1, 3]], categories=[1, 2])


def test_bootstrap_of_undefined_statistic_is_none():
    m = np.array([[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]])
    assert stats.bootstrap_ci(m, "krippendorff_alpha", n_boot=50) is None
    assert stats.bootstrap_ci(NO_PAIRS, "fleiss_kappa", n_boot=50) is None
    assert stats.kalpha_bootstrap_ci(m, n_boot=50) is None


def test_summarize_reports_reasons_without_warnings():
    s = stats.summarize(np.array([[1.0, 1.0], [1.0, 1.0]]), n_boot=50)
    assert s.value("krippendorff_alpha") is None
    assert "0/0" in s.undefined_reasons()["krippendorff_alpha"]
    assert s.value("percent_agreement") == 1.0
