"""The prioritisation model, the simulation and its metrics, and the stopping hint (pure functions)."""

from __future__ import annotations

import pytest

from studyapp.errors import InvalidInput
from studyapp.services.papers import screening_model as sm

RELEVANT = ["reuse of pre-trained models from the hugging face registry",
            "an empirical study of model registry reuse and pre-trained model selection",
            "mining hugging face: documentation of pre-trained models for reuse",
            "pre-trained model supply chain and reuse dependencies on model hubs"]
OTHER = ["a compiler optimisation for loop unrolling", "test flakiness in continuous integration",
         "energy of mobile apps measured on devices", "code review comments and their usefulness",
         "requirements elicitation interviews in startups", "build failures in large java projects",
         "static analysis warnings nobody fixes", "technical debt in scientific software"]


def _data(n_other_copies: int = 5):
    texts = RELEVANT * 2 + [f"{t} variant {i}" for i in range(n_other_copies) for t in OTHER]
    labels = [1] * 8 + [0] * (len(texts) - 8)
    return texts, labels


def test_wss_and_rrf_follow_the_definitions():
    curve = [(0, 0), (2, 1), (10, 8), (20, 10), (100, 10)]
    assert sm.wss(curve, 100, 10, 0.95) == pytest.approx((100 - 20) / 100 - 0.05)
    assert sm.wss(curve, 100, 10, 1.0) == pytest.approx(0.80)
    assert sm.rrf(curve, 100, 10, 0.10) == pytest.approx(0.8)
    with pytest.raises(InvalidInput, match="no relevant"):
        sm.wss(curve, 100, 0, 0.95)
    with pytest.raises(InvalidInput, match="every record is relevant"):
        sm.rrf(curve, 10, 10)


def test_simulation_finds_the_relevant_records_first():
    texts, labels = _data()
    r = sm.simulate(texts, labels, seed=1)
    assert (r["n"], r["n_relevant"]) == (48, 8)
    assert r["recall_curve"][:2] == [[0, 0], [2, 1]] and r["recall_curve"][-1] == [48, 8]
    assert r["wss@100"] > 0.6 and r["rrf@10"] > 0
    assert r["wss@95"] == pytest.approx(r["wss@100"] - 0.05)  # 95% of 8 relevant is all 8
    assert sm.simulate(texts, labels, seed=1) == r
    assert labels[r["priors"][0]] == 1 and labels[r["priors"][1]] == 0
    assert sm.simulate(texts, labels, seed=1, classifier="nb")["n_relevant"] == 8


def test_simulation_refuses_degenerate_labels():
    with pytest.raises(InvalidInput, match="no relevant"):
        sm.simulate(["a", "b"], [0, 0])
    with pytest.raises(InvalidInput, match="0 or 1"):
        sm.simulate(["a", "b"], [0, 2])


def test_rank_needs_both_classes_then_orders_by_relevance():
    texts, _ = _data(2)
    r0 = sm.rank(texts, {0: 1})
    assert r0.scores is None and "at least one relevant and one irrelevant" in r0.reason
    r = sm.rank(texts, {0: 1, 1: 1, 8: 0, 9: 0})
    assert set(r.order[:6]) == {2, 3, 4, 5, 6, 7}
    assert r.expected_remaining is not None and 0 < r.expected_remaining < len(r.order)
    assert "two relevant" in sm.rank(texts, {0: 1, 8: 0}).reason


def test_stopping_hint():
    assert not sm.stopping_hint([0, 0, 0], 100)["stop"]
    early = sm.stopping_hint([1] * 10 + [0] * 20, 1000)
    assert not early["stop"] and "at least 150" in early["reason"]
    late = sm.stopping_hint([1] * 20 + [0] * 180, 1000)
    assert late["stop"] and late["knee_at"] == 20 and late["since_last_relevant"] == 180
    assert sm.stopping_hint([1, 0], 2)["stop"]
