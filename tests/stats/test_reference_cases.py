"""Every published worked example in ../shared/data/agreement-reference/cases.json, one test each.

Each case gives reliability data (coders x units, null = missing) or a count table (units x
categories), the statistic and its parameters, the expected value with an absolute tolerance, and
for the bootstrap cases an expected interval with its own tolerance; `expect_undefined` cases must
come back as value None with a reason in words (never 1.0, 0.0, NaN, an exception or a warning).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from studyapp import stats
from studyapp.stats import UnitCounts

CASES = Path(__file__).parents[2].parent / "shared/data/agreement-reference/cases.json"


def _cases():
    if not CASES.exists():
        return [pytest.param(None, id="cases.json-absent",
                             marks=pytest.mark.skip(reason=f"{CASES} is not here (CI has it)"))]
    return [pytest.param(c, id=c["name"]) for c in json.loads(CASES.read_text(encoding="utf-8"))["cases"]]


def _data(case):
    params = case["params"]
    if case["data_format"] == "count_table":
        labels = params.get("value_domain") or params.get("categories") or case.get("categories")
        return UnitCounts.from_table(case["data"], labels)
    assert case["data_format"] == "reliability_data"
    return case["data"]


def _compute(case, data):
    p = case["params"]
    name = case["statistic"]
    cats, weights = p.get("categories"), p.get("weights")
    if name == "krippendorff_alpha":
        return stats.krippendorff_alpha(data, level=p.get("level", "nominal"), categories=cats)
    if name == "cohen_kappa":
        return stats.cohen_kappa(data, weights=weights, categories=cats)
    if name == "scott_pi":
        return stats.scott_pi(data, weights=weights, categories=cats)
    if name == "fleiss_kappa":
        return stats.fleiss_kappa(data, weights=weights, categories=cats)
    if name == "gwet_ac1":
        return stats.gwet_ac1(data, weights=weights, categories=cats)
    if name == "brennan_prediger":
        return stats.brennan_prediger(data, weights=weights, categories=cats)
    if name == "percent_agreement":
        return stats.percent_agreement(data, weights=weights, categories=cats,
                                       definition=p.get("definition", "pairwise"),
                                       tolerance=p.get("tolerance", 0))
    if name == "per_category_kappa":
        return [s.value for s in stats.per_category_kappa(data, categories=cats).values()]
    if name == "category_proportions":
        return list(stats.category_proportions(data, categories=cats))
    if name == "per_subject_agreement":
        return list(stats.per_unit_agreement(data, categories=cats))
    if name == "krippendorff_alpha_bootstrap_ci":
        return stats.krippendorff_alpha(data, level=p["level"], categories=cats)
    raise AssertionError(f"no statistic {name!r} in studyapp.stats")


@pytest.mark.parametrize("case", _cases())
def test_reference_case(case):
    data = _data(case)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy warning on any case is a failure
        result = _compute(case, data)
    expected, tol = case["expected"], case["tolerance"]
    if case.get("expect_undefined"):
        assert result.value is None, f"{case['name']}: expected undefined, got {result.value}"
        assert result.undefined_reason and len(result.undefined_reason) > 10
        return
    if isinstance(expected, list):
        assert len(result) == len(expected)
        assert np.allclose(result, expected, atol=tol, rtol=0), (result, expected)
    else:
        assert result.value is not None, result.undefined_reason
        assert abs(result.value - expected) <= tol, (result.value, expected)

    if "intermediate" in case:  # Fleiss' P_bar and P_e_bar (Wikipedia's worked example)
        inter = case["intermediate"]
        assert abs(result.details["p_observed"] - inter["P_bar"]) <= 5e-4
        assert abs(result.details["p_chance"] - inter["P_e_bar"]) <= 5e-4
    if "also_fleiss_kappa" in case:
        fk = stats.fleiss_kappa(data)
        assert abs(fk.value - case["also_fleiss_kappa"]) <= tol
    if "table" in case and case["data_format"] == "reliability_data" and len(case["data"]) == 2:
        cm = stats.confusion_matrix(case["data"], categories=_table_order(case))
        assert cm.table.tolist() == case["table"]
    if "expected_ci" in case:
        _check_ci(case, data)


def _table_order(case):
    """Published tables list numeric codes in order and labels (yes/no) as they first appear."""
    if case["params"].get("categories"):
        return case["params"]["categories"]
    values = [v for row in case["data"] for v in row if v is not None]
    if all(isinstance(v, (int, float)) for v in values):
        return sorted(set(values))
    return list(dict.fromkeys(values))


def _check_ci(case, data):
    p = case["params"]
    kwargs = dict(level=p["level"], categories=p.get("categories"), n_boot=p["n_boot"],
                  confidence=p["confidence"], seed=1)
    if p["method"] == "krippendorff_kalpha":
        ci = stats.kalpha_bootstrap_ci(data, **kwargs)
    else:
        assert p["method"] == "unit_resampling_percentile"
        ci = stats.bootstrap_ci(data, "krippendorff_alpha", **kwargs)
    lo, hi = case["expected_ci"]
    assert abs(ci.low - lo) <= case["ci_tolerance"] and abs(ci.high - hi) <= case["ci_tolerance"], ci
