"""MASI alpha on set-valued codes (hand-checked), and the coincidence code the bootstrap relies on."""

from __future__ import annotations

import numpy as np
import pytest

from studyapp import stats
from studyapp.stats import alpha as alpha_mod

A, AB, B, C = frozenset("a"), frozenset("ab"), frozenset("b"), frozenset("c")


def test_masi_distance_follows_passonneau():
    assert stats.masi_distance(A, A) == 0.0
    assert stats.masi_distance(frozenset(), frozenset()) == 0.0
    assert stats.masi_distance(AB, A) == pytest.approx(1 - 1 / 2 * 2 / 3)  # subset
    assert stats.masi_distance(frozenset("ab"), frozenset("bc")) == pytest.approx(1 - 1 / 3 * 1 / 3)  # overlap
    assert stats.masi_distance(A, C) == 1.0  # disjoint
    assert stats.masi_distance(frozenset(), A) == 1.0


def test_masi_alpha_hand_checked():
    """Units ({a},{a}), ({a,b},{a}), ({b},{c}). Values n_{a}=3, n_{a,b}=n_{b}=n_{c}=1, n=6.
    D_o = (2*0 + 2*(2/3) + 2*1) / 6 = 5/9.
    D_e = 2*(3*(2/3) + 3 + 3 + 2/3 + 1 + 1) / (6*5) = 32/45.  alpha = 1 - (5/9)/(32/45) = 7/32."""
    m = np.array([[A, AB, B], [A, A, C]], dtype=object)
    s = stats.masi_alpha(m)
    assert s.value == pytest.approx(7 / 32)
    assert s.details["D_o"] == pytest.approx(5 / 9) and s.details["D_e"] == pytest.approx(32 / 45)
    assert stats.krippendorff_alpha(m).name == "krippendorff_alpha_masi"


def test_masi_alpha_ignores_missing_and_unpairable_units():
    m = np.array([[A, AB, B, None, C], [A, A, C, AB, None]], dtype=object)
    assert stats.masi_alpha(m).value == pytest.approx(7 / 32)


def test_masi_alpha_with_identical_sets_equals_nominal_alpha():
    m = np.array([[A, B, C, A], [A, B, B, A], [A, C, C, None]], dtype=object)
    nominal = stats.krippendorff_alpha([[0, 1, 2, 0], [0, 1, 1, 0], [0, 2, 2, None]])
    # disjoint singletons: MASI distance is 1 between different sets, as nominal
    assert stats.masi_alpha(m).value == pytest.approx(nominal.value)


def test_masi_alpha_one_set_everywhere_is_undefined():
    s = stats.masi_alpha(np.array([[AB, AB], [AB, AB]], dtype=object))
    assert s.value is None and "0/0" in s.undefined_reason


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_coincidence_alpha_equals_the_package(level, monkeypatch):
    rng = np.random.default_rng(3)
    m = rng.integers(1, 6, size=(4, 60)).astype(float)
    m[rng.random(m.shape) < 0.2] = np.nan
    package = stats.krippendorff_alpha(m, level=level).value
    monkeypatch.setattr(alpha_mod, "_PACKAGE_LIMIT", 0)  # force the coincidence path
    assert stats.krippendorff_alpha(m, level=level).value == pytest.approx(package, abs=1e-12)


def test_interval_alpha_uses_values_not_ranks():
    m = [[1, 2, 10], [1, 3, 10]]
    assert stats.krippendorff_alpha(m, level="interval").value != pytest.approx(
        stats.krippendorff_alpha([[0, 1, 3], [0, 2, 3]], level="interval").value)


def test_labels_with_declared_order_for_ordinal():
    m = [["low", "mid", "high", "mid"], ["low", "high", "high", "mid"]]
    s = stats.krippendorff_alpha(m, level="ordinal", categories=["low", "mid", "high"])
    same = stats.krippendorff_alpha([[0, 1, 2, 1], [0, 2, 2, 1]], level="ordinal")
    assert s.value == pytest.approx(same.value)
