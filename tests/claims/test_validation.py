"""Validating claims end to end: metrics on a sample dataset and on the study's codings, Holm across a
claim's tests, the exact JSON record, recorded evidence, and blind coding kept while counting."""

from __future__ import annotations

import json

import pytest

from studyapp.services.claims.validation import evidence_table, validate, validate_study
from studyapp.services.coding.coding import CodingRow, code_many

KEYS = ["claim", "metric", "value", "test", "statistic", "p_value", "effect_size", "ci95", "n", "verdict", "reason"]


def _claim(cid, **data):
    return {"id": cid, "text": f"claim {cid}", "type": "quantitative", "data": data}


def test_dataset_claims_give_exact_records(sample_db):
    claims = [
        _claim("doc", checks=[{"metric": "documentation_top_bottom", "params": {"by": "downloads", "k": 100}},
                              {"metric": "documentation_top_bottom", "params": {"by": "likes", "k": 100}}],
               test="welch_t", alternative="greater", rule="p < 0.01 and d >= 0.2"),
        _claim("corr", metric="documentation_popularity", params={"sample": 0}, test="kendall", rule="tau >= 0.9"),
        _claim("desc", metric="descendant_concentration", params={"top_share": 0.05}, rule="value > 0.1"),
        _claim("lic", metric="license_consistency"),
        _claim("turn", metric="turnover", params={"k": 50}, rule="distinct_ratio > 1"),
        _claim("none"),
    ]
    out = {o.claim_id: o for o in validate(claims, dataset=sample_db)}
    for o in out.values():
        rec = o.to_json()
        assert list(rec) == KEYS
        json.dumps(rec, allow_nan=False)
    doc = out["doc"]
    assert doc.verdict.verdict == "supported" and len(doc.checks) == 2
    ps = [c.test.p_value for c in doc.checks]
    assert sorted(c.test.p_adjusted for c in doc.checks) == pytest.approx(sorted([2 * min(ps), max(max(ps), 2 * min(ps))]))
    assert out["corr"].verdict.verdict == "refuted" and "tau =" in out["corr"].verdict.reason
    assert out["desc"].to_json()["p_value"] is None and out["desc"].verdict.verdict == "supported"
    assert out["lic"].to_json()["test"] == "proportion" and out["lic"].to_json()["ci95"] is not None
    assert out["turn"].verdict.verdict == "supported" and out["turn"].checks[0].metric.extras["snapshots"] == 4
    assert out["none"].verdict.verdict == "inconclusive" and out["none"].to_json()["metric"] is None


def test_a_metric_that_cannot_run_is_inconclusive_not_fatal(tmp_path, sample_db):
    from studyapp.datasets.sample import generate

    old = generate(tmp_path / "msr.db", models=200, version="msr24").path
    out = validate([_claim("d", metric="descendants_downloads"), _claim("x", metric="license_consistency")], dataset=old)
    assert [o.verdict.verdict for o in out] == ["inconclusive", "inconclusive"]
    assert "model_to_base_model" in out[0].verdict.reason
    no_ds = validate([_claim("d", metric="descendants_downloads")])
    assert "needs a dataset" in no_ds[0].verdict.reason


def _code(study, rows):
    ids = study.units.ids_by_key("defect")
    code_many(study, [CodingRow(ids[k], "tiny", "stage", who, v) for k, who, v in rows])


def test_codings_claim_counts_agreed_values_and_keeps_blind_coding(study):
    _code(study, [("D1", "bob", "env"), ("D1", "chen", "env"), ("D2", "chen", "env"), ("D3", "chen", "train")])
    claim = _claim("env", metric="coding_count", params={"codebook": "tiny", "field": "stage", "code": "Environment"},
                   rule="count == 2")
    [lead] = validate([claim], store=study)
    assert lead.verdict.verdict == "supported" and lead.to_json()["n"] == 3
    [bob] = validate([claim], store=study, viewer="bob")  # main round still blind: bob counts his own values
    assert bob.checks[0].metric.value == 1 and "left out" in " ".join(bob.checks[0].metric.notes)
    study.rounds.set_reconciliation("main", True)
    [bob_open] = validate([claim], store=study, viewer="bob")
    assert bob_open.checks[0].metric.value == 2


def test_disagreements_count_as_coded_but_not_as_the_code(study):
    _code(study, [("D1", "bob", "env"), ("D1", "chen", "train"), ("D2", "chen", "env")])
    share = _claim("s", metric="coding_share", params={"codebook": "tiny", "field": "stage", "code": "env"},
                   test="none", rule="value == 0.5")
    [o] = validate([share], store=study)
    assert o.verdict.verdict == "supported" and "disagree" in " ".join(o.checks[0].metric.notes)
    anyv = _claim("a", metric="coding_count", params={"codebook": "tiny", "field": "stage", "code": "env",
                                                       "values": "any"}, rule="count == 2")
    assert validate([anyv], store=study)[0].verdict.verdict == "supported"
    bad = _claim("b", metric="coding_count", params={"codebook": "tiny", "field": "stage", "code": "gpu"})
    assert "not a code" in validate([bad], store=study)[0].verdict.reason


def test_validate_study_records_evidence_and_marks_stale(study, sample_db):
    study.claims.upsert("C1", text="docs", type="quantitative",
                        data={"metric": "documentation_top_bottom", "params": {"k": 50}, "rule": "p < 0.05",
                              "sources": [{"kind": "paper", "unit_key": "P1", "quote": "q", "page": "2"}]})
    study.set_meta("dataset", str(sample_db))
    progress = []
    [o] = validate_study(study, progress=lambda d, t, m: progress.append((d, t)), actor="lea")
    assert progress[-1] == (1, 1)
    last = study.claims.latest_validations()["C1"]
    assert last["verdict"] == o.verdict.verdict and last["by"] == "lea" and last["checks"][0]["queries"]
    assert last["checks"][0]["rows"] and len(last["checks"][0]["rows"]) <= 500
    table = evidence_table(study)
    assert table.loc[0, "verdict"] == o.verdict.verdict and not table.loc[0, "stale"]
    study.claims.upsert("C1", text="docs", type="quantitative", data={"metric": "documentation_top_bottom",
                                                                      "params": {"k": 60}})
    assert evidence_table(study).loc[0, "stale"]
