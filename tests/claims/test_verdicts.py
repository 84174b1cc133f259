"""Decision rules: parsed safely, evaluated to supported / refuted / inconclusive with reasons in words."""

from __future__ import annotations

import pytest

from studyapp.errors import InvalidInput
from studyapp.services.claims.verdicts import (
    Verdict,
    combine,
    decide,
    namespace,
    parse_rule,
    rule_names,
)
from studyapp.stats import hypothesis as h


@pytest.mark.parametrize("bad", ["__import__('os')", "rho >= ", "x.y > 1", "'a' == 'a'", "f(1) > 0", "[1] == 1"])
def test_only_comparisons_of_names_and_numbers_parse(bad):
    with pytest.raises(InvalidInput):
        parse_rule(bad)


def test_rule_names():
    assert rule_names("rho >= 0.3 and p < 0.01 or not (value > 2 * k)") == {"rho", "p", "value", "k"}


def test_supported_with_reason_in_words():
    v = decide("rho >= 0.3 and p < 0.01", {"rho": 0.41, "p": 0.0003})
    assert v == Verdict("supported", "the rule holds: rho = 0.41 is at least 0.3 and p = 0.0003 is below 0.01")


def test_effect_too_small_but_significant_is_refuted():
    v = decide("rho >= 0.3 and p < 0.01", {"rho": 0.12, "p": 1e-9})
    assert v.verdict == "refuted"
    assert "rho = 0.12 is below 0.3" in v.reason and "although p = 1e-09 is below 0.01" in v.reason


def test_not_significant_is_inconclusive():
    v = decide("rho >= 0.3 and p < 0.01", {"rho": 0.5, "p": 0.2})
    assert v.verdict == "inconclusive" and "p = 0.2 is not below 0.01" in v.reason


def test_counts_without_a_test_refute():
    v = decide("count == 3", {"count": 2})
    assert v == Verdict("refuted", "the data contradict the claim: count = 2 is not 3")


def test_undefined_numbers_and_unknown_names_are_inconclusive():
    v = decide("rho >= 0.3", {"rho": None}, undefined_reason="every x value is 1")
    assert v.verdict == "inconclusive" and "rho is undefined: every x value is 1" in v.reason
    v = decide("rhoo >= 0.3", {"rho": 0.5})
    assert v.verdict == "inconclusive" and "'rhoo'" in v.reason and "rho" in v.reason


def test_explicit_refutation_rule():
    ns = {"value": 0.32, "p": 0.99, "ci_high": 0.43}
    assert decide("value > 0.5 and p < 0.05", ns, refute="ci_high < 0.5").verdict == "refuted"
    assert decide("value > 0.5 and p < 0.05", {**ns, "ci_high": 0.6}, refute="ci_high < 0.5").verdict == "inconclusive"


def test_namespace_from_a_test():
    t = h.correlation([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5])
    ns = namespace(3.0, {"count": 4, "label": "x"}, t)
    assert ns["rho"] == t.effect_size and ns["value"] == 3.0 and ns["count"] == 4 and "label" not in ns
    assert ns["ci_low"] == t.ci95[0] and ns["p"] == t.p_value


def test_combine_all_and_any():
    s, r, i = Verdict("supported", "a"), Verdict("refuted", "b"), Verdict("inconclusive", "c")
    assert combine([s, s]).verdict == "supported"
    assert combine([s, r, i]).verdict == "refuted"
    assert combine([s, i]).verdict == "inconclusive"
    assert combine([r, s], "any").verdict == "supported"
    assert combine([r, r], "any").verdict == "refuted"
    assert "downloads: supported (a)" in combine([s, i], labels=["downloads", "likes"]).reason
