"""Hypothesis tests: values against scipy/pingouin references and textbook numbers, and honest
undefined results on degenerate data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from studyapp.stats import hypothesis as h


def test_correlations_with_ci():
    rng = np.random.default_rng(1)
    x = rng.normal(size=80)
    y = x + rng.normal(size=80)
    from scipy import stats

    for method, ref in (("spearman", stats.spearmanr(x, y).statistic), ("kendall", stats.kendalltau(x, y).statistic),
                        ("pearson", stats.pearsonr(x, y).statistic)):
        r = h.correlation(x, y, method=method)
        assert r.statistic == pytest.approx(ref) and r.effect_size == r.statistic
        assert r.ci95[0] < r.statistic < r.ci95[1] and r.n == 80 and r.p_value < 1e-6
    one = h.correlation(x, y, method="spearman", alternative="greater")
    assert one.p_value == pytest.approx(h.correlation(x, y).p_value / 2)
    assert h.correlation(x, y, alternative="less").p_value > 0.99


def test_pearson_ci_is_fishers_z():
    r = h.correlation([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 1, 4, 3, 6, 5, 8, 7, 10, 9], method="pearson")
    z, se = math.atanh(r.statistic), 1 / math.sqrt(7)
    assert r.ci95 == pytest.approx((math.tanh(z - 1.959964 * se), math.tanh(z + 1.959964 * se)))


def test_welch_matches_scipy_and_d_is_signed():
    from scipy import stats

    a, b = [5.1, 4.9, 6.2, 5.8, 6.0, 5.5, 5.3], [4.1, 4.4, 3.9, 5.0, 4.6, 4.2]
    r = h.welch_t(a, b, alternative="greater")
    ref = stats.ttest_ind(a, b, equal_var=False, alternative="greater")
    assert r.statistic == pytest.approx(ref.statistic) and r.p_value == pytest.approx(ref.pvalue)
    assert r.effect_name == "cohen_d" and r.effect_size > 0 and r.ci95[0] < r.effect_size < r.ci95[1]
    assert h.welch_t(b, a).effect_size == pytest.approx(-r.effect_size)


def test_mann_whitney_rank_biserial_sign():
    r = h.mann_whitney([10, 11, 12, 13], [1, 2, 3, 4], alternative="greater")
    assert r.effect_size == pytest.approx(1.0) and r.p_value < 0.05
    assert h.mann_whitney([1, 2, 3, 4], [10, 11, 12, 13]).effect_size == pytest.approx(-1.0)


def test_proportion_and_chi_square():
    r = h.proportion(3, 12, p0=0.5)
    assert r.effect_size == 0.25 and r.p_value == pytest.approx(0.14599609375)
    assert r.ci95 == pytest.approx((0.0548606, 0.5718585), abs=1e-6)
    c = h.chi_square([[10, 20], [30, 5]])
    assert c.statistic == pytest.approx(18.72619, abs=1e-4) and 0 < c.effect_size < 1


@pytest.mark.parametrize("result, reason", [
    (lambda: h.correlation([1, 2, 3], [1, 2, 3]), "at least 4"),
    (lambda: h.correlation([1, 1, 1, 1, 1], [1, 2, 3, 4, 5]), "no variance"),
    (lambda: h.welch_t([1], [2, 3]), "at least 2"),
    (lambda: h.welch_t([1, 1], [1, 1]), "no variance"),
    (lambda: h.mann_whitney([], [1, 2]), "at least 1"),
    (lambda: h.mann_whitney([2, 2], [2, 2]), "same"),
    (lambda: h.proportion(0, 0), "no trials"),
    (lambda: h.chi_square([[1, 2]]), "2 rows"),
    (lambda: h.chi_square([[0, 0], [3, 4]]), "fewer than 2"),
    (lambda: h.descriptive(None), "no value"),
])
def test_degenerate_data_is_undefined_with_a_reason(result, reason):
    r = result()
    assert not r.defined and reason in r.undefined_reason
    assert r.statistic is None and r.p_value is None and r.effect_size is None and r.ci95 is None


def test_holm():
    rs = h.holm([h.proportion(2, 20, p0=0.5), h.proportion(8, 20, p0=0.5), h.proportion(12, 20, p0=0.5),
                 h.descriptive(3)])
    raw = [r.p_value for r in rs[:3]]
    order = np.argsort(raw)
    adj = np.minimum(1, np.maximum.accumulate([(3 - i) * raw[j] for i, j in enumerate(order)]))
    assert [rs[j].p_adjusted for j in order] == pytest.approx(list(adj))
    assert rs[3].p_adjusted is None and rs[0].p == rs[0].p_adjusted


def test_bad_arguments_raise():
    with pytest.raises(ValueError):
        h.correlation([1, 2], [1, 2, 3])
    with pytest.raises(ValueError):
        h.welch_t([1, 2], [3, 4], alternative="bigger")
    with pytest.raises(ValueError):
        h.proportion(5, 3)
