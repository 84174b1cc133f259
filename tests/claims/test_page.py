"""The Claims page with AppTest: the evidence table, a lead validates (progress, new evidence recorded),
one claim's chart, statistics, verdict and exact queries, editing a claim's check, claims.yaml out."""

from __future__ import annotations

import pytest

from studyapp.services.claims import validation
from studyapp.services.claims.claims_file import import_claims
from tests.pages import open_page


@pytest.fixture
def claims_study(study, tmp_path, monkeypatch):
    """The tiny study with a sample dataset and two claims: one over the dataset, one over its codings."""
    from studyapp.datasets.sample import generate

    generate(study.folder / "sample.db", models=400, seed=3)
    claims = tmp_path / "claims.yaml"
    claims.write_text(
        "dataset: sample.db\n"
        "claims:\n"
        "  - id: L1\n"
        "    text: Most reuse links keep consistent licenses.\n"
        "    type: quantitative\n"
        "    metric: license_consistency\n"
        "    test: proportion\n"
        "    alternative: greater\n"
        "    rule: value > 0.5 and p < 0.05\n"
        "  - id: D1\n"
        "    text: Fine-tunes concentrate on a few base models.\n"
        "    type: quantitative\n"
        "    metric: descendant_concentration\n"
        "    params: {top_share: 0.05}\n"
        "    test: none\n"
        "    rule: value > 0.5\n", encoding="utf-8")
    import_claims(study, claims, actor="lea")
    study.set_meta("dataset", "sample.db")
    monkeypatch.setenv("STUDYAPP_STUDY", str(study.folder))
    monkeypatch.setenv("STUDYAPP_AUTH", "0")  # single-user mode (sign-in is on unless asked off)
    return study


def _open(coder: str):
    return open_page("claims", coder, timeout=180)


def _evidence(at):
    df = next(d.value for d in at.dataframe if "Verdict" in d.value.columns and "p" in d.value.columns)
    return df.rename(columns={"Verdict": "verdict", "Claim": "claim", "Stale": "stale"})


def test_a_lead_validates_and_the_evidence_is_recorded(claims_study):
    at = _open("lea")
    assert set(_evidence(at)["verdict"]) == {"not validated"}
    at.button(key="claims.run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Validated 2 claims" in s.value for s in at.success)
    table = _evidence(at).set_index("claim")
    last = validation.latest(claims_study)
    assert set(last) == {"L1", "D1"}
    for cid in ("L1", "D1"):
        assert table.loc[cid, "verdict"] == last[cid]["verdict"] != "not validated"
    assert any(c.value.strip().upper().startswith("SELECT") or "FROM" in c.value for c in at.code), \
        "the exact queries are shown"
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"), "the metric's chart is drawn"
    assert any("Verdict" in m.value for m in at.markdown)


def test_a_coder_sees_evidence_but_does_not_validate(claims_study):
    validation.validate_study(claims_study, actor="lea", viewer="lea")
    at = _open("bob")
    assert not [b for b in at.button if b.label == "Validate all claims"]
    assert set(_evidence(at)["verdict"]) <= {"supported", "refuted", "inconclusive"}


def test_a_lead_edits_a_claims_rule_and_it_is_stale_until_validated(claims_study):
    validation.validate_study(claims_study, actor="lea", viewer="lea")
    at = _open("lea")
    at.selectbox(key="claims.pick").set_value("D1").run()
    spec = at.text_area(key="claims.edit.D1.spec")
    spec.input(spec.value.replace("value > 0.5", "value > 0.99"))
    next(b for b in at.button if b.label == "Save claim").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert claims_study.claims.get("D1")["data"]["rule"] == "value > 0.99"
    assert bool(_evidence(at).set_index("claim").loc["D1", "stale"]) is True


def test_a_broken_edit_is_refused_and_nothing_changes(claims_study):
    at = _open("lea")
    at.selectbox(key="claims.pick").set_value("L1").run()
    before = claims_study.claims.get("L1")["data"]
    at.text_area(key="claims.edit.L1.spec").input("metric: no_such_metric\ntest: proportion\n")
    next(b for b in at.button if b.label == "Save claim").click().run()
    assert any("Not saved" in e.value for e in at.error)
    assert claims_study.claims.get("L1")["data"] == before


def test_claims_yaml_downloads(claims_study):
    at = _open("bob")
    assert any(b.proto.label == "Download claims.yaml" for b in at.get("download_button"))
