"""Bootstrap intervals: seeded and reproducible, and the vectorised replicates are the statistic."""

from __future__ import annotations

import numpy as np
import pytest

from studyapp import stats
from studyapp.stats import bootstrap as boot


def _data(n_units=200, n_coders=3, q=4, seed=0):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, q, n_units)
    m = np.where(rng.random((n_coders, n_units)) < 0.7, truth, rng.integers(0, q, (n_coders, n_units)))
    m = m.astype(float)
    m[rng.random(m.shape) < 0.1] = np.nan
    return m


def test_same_seed_same_interval_other_seed_other_interval():
    m = _data()
    a = stats.bootstrap_ci(m, "krippendorff_alpha", n_boot=300, seed=7)
    b = stats.bootstrap_ci(m, "krippendorff_alpha", n_boot=300, seed=7)
    c = stats.bootstrap_ci(m, "krippendorff_alpha", n_boot=300, seed=8)
    assert a == b and a != c
    assert a.n_boot == 300 and a.n_valid == 300 and a.confidence == 0.95 and "units" in a.method


def test_interval_contains_the_estimate_and_narrows_with_confidence():
    m = _data()
    value = stats.krippendorff_alpha(m).value
    wide = stats.bootstrap_ci(m, "krippendorff_alpha", n_boot=500, confidence=0.99)
    narrow = stats.bootstrap_ci(m, "krippendorff_alpha", n_boot=500, confidence=0.80)
    assert wide.low < narrow.low < value < narrow.high < wide.high


@pytest.mark.parametrize("statistic,kwargs,fn", [
    ("krippendorff_alpha", {"level": "nominal"}, lambda m: stats.krippendorff_alpha(m)),
    ("krippendorff_alpha", {"level": "ordinal"}, lambda m: stats.krippendorff_alpha(m, level="ordinal")),
    ("krippendorff_alpha", {"level": "interval"}, lambda m: stats.krippendorff_alpha(m, level="interval")),
    ("krippendorff_alpha", {"level": "ratio"}, lambda m: stats.krippendorff_alpha(m + 1, level="ratio")),
    ("fleiss_kappa", {}, lambda m: stats.fleiss_kappa(m)),
    ("fleiss_kappa", {"weights": "quadratic"}, lambda m: stats.fleiss_kappa(m, weights="quadratic")),
    ("gwet_ac1", {}, lambda m: stats.gwet_ac1(m)),
    ("gwet_ac1", {"weights": "ordinal"}, lambda m: stats.gwet_ac1(m, weights="ordinal")),
    ("brennan_prediger", {}, lambda m: stats.brennan_prediger(m)),
    ("percent_agreement", {}, lambda m: stats.percent_agreement(m)),
    ("cohen_kappa", {"weights": "linear"}, lambda m: stats.cohen_kappa(m[:2], weights="linear")),
    ("scott_pi", {}, lambda m: stats.scott_pi(m[:2])),
])
def test_unresampled_replicate_equals_the_statistic(statistic, kwargs, fn, monkeypatch):
    """With every unit drawn exactly once, the vectorised replicate must equal the point estimate."""
    m = _data(n_units=80)

    def identity(patterns, n_patterns, n_boot, rng):
        yield np.bincount(patterns, minlength=n_patterns)[None, :].astype(float)

    monkeypatch.setattr(boot, "resampled_pattern_counts", identity)
    monkeypatch.setattr(boot, "_percentile", lambda reps, *a: reps)
    data = m[:2] if statistic in ("cohen_kappa", "scott_pi") else (m + 1 if kwargs.get("level") == "ratio" else m)
    reps = boot.bootstrap_ci(data, statistic, n_boot=1, **kwargs)
    assert reps[0] == pytest.approx(fn(m).value, abs=1e-12)


def test_masi_alpha_bootstrap():
    rng = np.random.default_rng(1)
    codes = "abcd"
    m = np.empty((2, 60), dtype=object)
    for j in range(60):
        base = frozenset(rng.choice(list(codes), size=rng.integers(1, 3), replace=False))
        m[0, j] = base
        m[1, j] = base if rng.random() < 0.7 else frozenset(rng.choice(list(codes), size=1))
    ci = stats.bootstrap_ci(m, "krippendorff_alpha_masi", n_boot=200)
    assert ci.low < stats.masi_alpha(m).value < ci.high


def test_kalpha_bootstrap_is_reproducible():
    m = _data()
    a = stats.kalpha_bootstrap_ci(m, n_boot=500, seed=3)
    assert a == stats.kalpha_bootstrap_ci(m, n_boot=500, seed=3)
    assert a.low < stats.krippendorff_alpha(m).value < a.high and "KALPHA" in a.method


def test_bootstrap_at_study_scale_brackets_the_estimate():
    """10,000 units x 5 coders: the interval brackets alpha (its speed is measured in
    benchmarks/bench_bootstrap.py, never in a test)."""
    m = _data(n_units=10_000, n_coders=5, q=10)
    ci = stats.bootstrap_ci(m, "krippendorff_alpha", n_boot=100, categories=list(range(10)))
    assert ci.low < stats.krippendorff_alpha(m, categories=list(range(10))).value < ci.high


def test_unknown_statistic_and_bad_confidence():
    with pytest.raises(ValueError):
        stats.bootstrap_ci(_data(), "icc")
    with pytest.raises(ValueError):
        stats.bootstrap_ci(_data(), "fleiss_kappa", confidence=95)
