"""The sparse count paths (large codebooks) give the numbers of the plain dense formulas.

Every statistic now counts on a sparse units x categories table (`stats.sparse_counts`); these tests
recompute each quantity the obvious dense way (or with the `krippendorff` package, or one category
at a time) and require the same numbers, on random data with missing values, several levels and
weights, and a codebook of hundreds of codes.
"""

from __future__ import annotations

from decimal import Decimal

import krippendorff
import numpy as np
import pytest

from studyapp import stats
from studyapp.stats import UnitCounts
from studyapp.stats import alpha as alpha_mod
from studyapp.stats import bootstrap as boot
from studyapp.stats import sparse_counts as sc
from studyapp.stats.chance_corrected import observed_and_proportions
from studyapp.stats.matrix import code_matrix
from studyapp.stats.weights import agreement_weights


def _data(n_units=300, n_coders=4, q=6, missing=0.2, seed=0):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, q, n_units)
    m = np.where(rng.random((n_coders, n_units)) < 0.6, truth, rng.integers(0, q, (n_coders, n_units)))
    m = m.astype(float)
    m[rng.random(m.shape) < missing] = np.nan
    return m


def _dense_counts(m, q):
    out = np.zeros((m.shape[1], q))
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            if not np.isnan(m[i, j]):
                out[j, int(m[i, j])] += 1
    return out


def test_counts_are_sparse_and_equal_the_dense_table():
    m = _data()
    t = code_matrix(m, range(6)).counts()
    assert sc.as_csr(t.counts).nnz <= np.count_nonzero(~np.isnan(m))
    np.testing.assert_array_equal(t.dense, _dense_counts(m, 6))
    coded = code_matrix(m, range(6))
    assert coded.counts() is coded.counts()


@pytest.mark.parametrize("weights", [None, "linear", "quadratic", "ordinal"])
def test_observed_agreement_equals_the_per_unit_formula(weights):
    m = _data(seed=1)
    c = _dense_counts(m, 6)
    w = agreement_weights(weights, 6)
    r = c.sum(axis=1)
    two = r >= 2
    per_unit = (c[two] * (c[two] @ w.T - 1.0)).sum(axis=1) / (r[two] * (r[two] - 1.0))
    rated = r > 0
    pi = (c[rated] / r[rated, None]).mean(axis=0)
    pa, pi_s, n = observed_and_proportions(sc.as_csr(c), w)
    assert pa == pytest.approx(per_unit.mean(), abs=1e-12) and n == int(two.sum())
    np.testing.assert_allclose(pi_s, pi, atol=1e-12)
    np.testing.assert_allclose(stats.per_unit_agreement(m, categories=range(6))[two],
                               (c[two] * (c[two] - 1)).sum(axis=1) / (r[two] * (r[two] - 1)), atol=1e-12)


def test_row_quadratic_padded_and_unique_rows_match_dense():
    m = _data(seed=2)
    c = _dense_counts(m, 6)
    csr = sc.as_csr(c)
    w = agreement_weights("quadratic", 6)
    np.testing.assert_allclose(sc.row_quadratic(csr, w), np.einsum("rk,kl,rl->r", c, w, c), atol=1e-9)
    np.testing.assert_allclose(sc.row_quadratic(csr, w, chunk=7), np.einsum("rk,kl,rl->r", c, w, c), atol=1e-9)
    np.testing.assert_allclose(sc.row_quadratic(csr), (c ** 2).sum(axis=1))
    x, inverse = sc.unique_rows(csr)
    np.testing.assert_array_equal(x.toarray()[inverse], c)
    assert x.shape[0] == len(np.unique(c, axis=0))


def test_per_category_kappa_equals_fleiss_on_each_two_column_table():
    """The vectorised category kappas against the definition: Fleiss' kappa of k vs the rest."""
    for seed, m in enumerate([_data(seed=3), _data(n_coders=2, seed=4), _data(q=3, missing=0.6, seed=5)]):
        t = code_matrix(m).counts()
        fast = stats.per_category_kappa(t)
        dense, r = t.dense, t.dense.sum(axis=1, keepdims=True)
        for k, cat in enumerate(t.domain):
            binary = UnitCounts(np.hstack([dense[:, [k]], r - dense[:, [k]]]), (cat, "other"), t.n_coders)
            slow = stats.fleiss_kappa(binary)
            assert (fast[cat].value is None) == (slow.value is None), (seed, cat)
            if slow.value is not None:
                assert fast[cat].value == pytest.approx(slow.value, abs=1e-12)
                assert fast[cat].n_units == slow.n_units


def test_per_category_kappa_reasons_when_a_category_is_everywhere_or_nowhere():
    t = UnitCounts.from_table([[2, 0], [2, 0], [2, 0]], ["a", "b"])
    out = stats.per_category_kappa(t)
    assert out["a"].value is None and "every value is 'a'" in out["a"].undefined_reason
    assert out["b"].value is None and "no value is 'b'" in out["b"].undefined_reason


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_large_codebook_alpha_equals_the_package(level, monkeypatch):
    """300 codes: the sparse coincidences give the package's alpha (the package itself builds a
    units x codes x codes array, so it is called on a few units only)."""
    m = _data(n_units=40, n_coders=5, q=300, missing=0.1, seed=6) + 1
    domain = np.arange(1, 301, dtype=float)
    expected = krippendorff.alpha(reliability_data=m, level_of_measurement=level, value_domain=domain)
    monkeypatch.setattr(alpha_mod, "_PACKAGE_LIMIT", 0)
    got = stats.krippendorff_alpha(m, level=level, categories=list(domain) if level in ("nominal", "ordinal") else None)
    assert got.value == pytest.approx(expected, abs=1e-10)


def test_alpha_from_coincidences_equals_alpha_from_the_matrix():
    for level in ("nominal", "ordinal", "interval"):
        m = _data(seed=7)
        direct = stats.krippendorff_alpha(m, level=level, categories=list(range(6)) if level != "interval" else None)
        prepared = alpha_mod.prepare(m, level, list(range(6)) if level != "interval" else None)
        kept = alpha_mod.alpha_from_coincidences(prepared.o, level=level, domain=prepared.domain,
                                                 n_units=prepared.n_units, n_coders=prepared.n_coders)
        assert kept.value == pytest.approx(direct.value, abs=1e-12)
        assert kept.n_units == direct.n_units and kept.details["D_e"] == pytest.approx(direct.details["D_e"])


def test_alpha_from_coincidences_names_the_degenerate_cases_as_the_matrix_path_does():
    from studyapp.stats.result import NO_DATA, NO_PAIRABLE, ONE_CODER

    assert alpha_mod.alpha_from_coincidences(np.zeros((2, 2)), domain=("a", "b"), n_units=0, n_coders=0,
                                             has_values=False).undefined_reason == NO_DATA
    assert alpha_mod.alpha_from_coincidences(np.zeros((2, 2)), domain=("a", "b"), n_units=0,
                                             n_coders=1).undefined_reason == ONE_CODER
    assert alpha_mod.alpha_from_coincidences(np.zeros((2, 2)), domain=("a", "b"), n_units=0,
                                             n_coders=2).undefined_reason == NO_PAIRABLE
    one = alpha_mod.alpha_from_coincidences(np.array([[4.0, 0], [0, 0]]), domain=("a", "b"), n_units=2, n_coders=2)
    assert one.undefined_reason == stats.krippendorff_alpha([["a", "a"], ["a", "a"]]).undefined_reason


def test_ordinal_bootstrap_sparse_replicates_equal_the_dense_ones(monkeypatch):
    m = _data(n_units=120, seed=8)
    dense = stats.bootstrap_ci(m, "krippendorff_alpha", level="ordinal", n_boot=60, seed=4)
    monkeypatch.setattr(boot, "_DENSE_CELLS", 0)
    sparse_ = stats.bootstrap_ci(m, "krippendorff_alpha", level="ordinal", n_boot=60, seed=4)
    assert sparse_.low == pytest.approx(dense.low, abs=1e-12) and sparse_.high == pytest.approx(dense.high, abs=1e-12)


def test_summary_at_a_thousand_codes_is_the_summary_of_the_used_codes():
    """Unused declared codes change only the q of Gwet and Brennan-Prediger: kappa, alpha and
    percent agreement over 1,000 declared codes equal those over the codes in use."""
    rng = np.random.default_rng(9)
    used = rng.choice(1000, 12, replace=False)
    m = used[rng.integers(0, 12, (4, 500))].astype(float)
    m[rng.random(m.shape) < 0.1] = np.nan
    big = stats.summarize(m, "nominal", list(range(1000)), n_boot=0)
    small_m = np.searchsorted(np.sort(used), m.copy(), side="left").astype(float)
    small_m[np.isnan(m)] = np.nan
    small = stats.summarize(small_m, "nominal", [str(c) for c in np.sort(used)], n_boot=0)
    for name in ("percent_agreement", "fleiss_kappa", "krippendorff_alpha"):
        assert big.value(name) == pytest.approx(small.value(name), abs=1e-12), name
    assert len(big.per_category) == 1000
    assert big.per_category[int(np.sort(used)[0])].value == pytest.approx(
        small.per_category[str(np.sort(used)[0])].value, abs=1e-12)


def test_labels_missing_markers_are_recognised_without_a_python_loop_per_cell():
    m = np.array([["a", None, float("nan"), "b"], ["a", np.float64("nan"), "b", "b"]], dtype=object)
    coded = code_matrix(m)
    assert coded.domain == ("a", "b")
    np.testing.assert_array_equal(coded.codes, [[0, -1, -1, 1], [0, -1, 1, 1]])
    weird = np.array([[Decimal(1), Decimal(2)], [Decimal(1), Decimal(1)]], dtype=object)
    assert code_matrix(weird).domain == (1.0, 2.0)
    assert stats.summarize([[True, False, True], [True, True, None]]).categories == (False, True)


def test_pattern_counts_drawn_directly_match_drawing_units(monkeypatch):
    """Resampling n units and counting patterns, or one multinomial draw over the patterns: the same
    distribution, so the same interval up to Monte Carlo error (and the same mean count exactly)."""
    m = _data(n_units=2_000, n_coders=3, q=3, missing=0.1, seed=10)
    direct = stats.bootstrap_ci(m, "krippendorff_alpha", n_boot=4_000, seed=1)
    monkeypatch.setattr(boot, "_MULTINOMIAL_RATIO", 10 ** 9)  # force drawing unit indexes
    units = stats.bootstrap_ci(m, "krippendorff_alpha", n_boot=4_000, seed=1)
    assert direct.low == pytest.approx(units.low, abs=0.01) and direct.high == pytest.approx(units.high, abs=0.01)
    patterns = np.array([0] * 600 + [1] * 300 + [2] * 100)
    monkeypatch.setattr(boot, "_MULTINOMIAL_RATIO", 4)
    drawn = np.vstack(list(boot.resampled_pattern_counts(patterns, 3, 500, np.random.default_rng(0))))
    assert drawn.shape == (500, 3) and (drawn.sum(axis=1) == 1000).all()
    np.testing.assert_allclose(drawn.mean(axis=0), [600, 300, 100], rtol=0.02)
