"""claims.yaml: checked before anything is written, errors with file and line, merged with the SLR's keys."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from studyapp.errors import InvalidInput
from studyapp.services.claims.claims_file import (
    checks_of,
    export_claims,
    import_claims,
    read_claims_file,
    update_claim,
)

GOOD = textwrap.dedent("""\
    dataset: sample.db
    claims:
      - id: C1
        text: Documentation quality goes with popularity.
        sources:
          - {kind: paper, unit_key: P02, quote: "popular models are better documented", page: "6"}
        checks:
          - {label: downloads, metric: documentation_top_bottom, params: {by: downloads, k: 50}}
          - {label: likes, metric: documentation_top_bottom, params: {by: likes, k: 50}}
        test: welch_t
        alternative: greater
        rule: p < 0.01 and d >= 0.2
      - id: C2
        text: Most defects are environment defects.
        metric: coding_share
        params: {codebook: tiny, field: stage, code: env}
        rule: value > 0.5 and p < 0.05
      - id: C3
        text: PTM reuse is risky.
    """)


def _write(tmp_path, text, name="claims.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_a_good_file(tmp_path):
    cf = read_claims_file(_write(tmp_path, GOOD))
    assert [c["id"] for c in cf.claims] == ["C1", "C2", "C3"] and cf.dataset == "sample.db"
    c1, c2, c3 = cf.claims
    assert c1["type"] == "quantitative" and c3["type"] == "qualitative"
    checks = checks_of(c1)
    assert [(k.label, k.test, k.alternative, k.rule) for k in checks] == [
        ("downloads", "welch_t", "greater", "p < 0.01 and d >= 0.2"), ("likes", "welch_t", "greater", "p < 0.01 and d >= 0.2")]
    assert checks_of(c2)[0].test == "proportion" and checks_of(c3) == []


@pytest.mark.parametrize("edit, line, msg", [
    (("metric: coding_share", "metric: coding_shares"), 15, "unknown metric 'coding_shares'"),
    (("params: {codebook: tiny, field: stage, code: env}", "params: {codebook: tiny, field: stage, code: env, bins: 3}"),
     16, "no parameter 'bins'"),
    (("rule: value > 0.5 and p < 0.05", "rule: value >> 2"), 17, "not allowed"),
    (("  - id: C3", "  - id: C2"), 18, "appears twice"),
    (("test: welch_t", "test: spearman"), 10, "does not fit"),
    (("alternative: greater", "alternative: bigger"), 11, "alternative"),
    (("    text: PTM reuse is risky.", "    text: PTM reuse is risky.\n    colour: red"), 20, "unknown key 'colour'"),
    (("params: {codebook: tiny, field: stage, code: env}", "params: {codebook: tiny, field: stage}"), 16, "needs params.code"),
])
def test_mistakes_name_the_line(tmp_path, edit, line, msg):
    p = _write(tmp_path, GOOD.replace(*edit))
    with pytest.raises(InvalidInput, match=msg) as e:
        read_claims_file(p)
    assert e.value.path == str(p) and e.value.line == line


def test_yaml_errors_and_shape(tmp_path):
    with pytest.raises(InvalidInput, match="not valid YAML") as e:
        read_claims_file(_write(tmp_path, "claims:\n  - id: [\n"))
    assert e.value.line
    with pytest.raises(InvalidInput, match="claims:"):
        read_claims_file(_write(tmp_path, "- id: 1\n"))


def test_import_is_all_or_nothing_and_keeps_slr_keys(study, tmp_path):
    study.claims.upsert("C2", text="old", type="quantitative",
                        data={"sources": [{"kind": "paper", "unit_key": "P9", "quote": "q", "page": "1"}],
                              "validated_quantitatively": False, "merged_from": ["X1"]})
    before = study.claims.list()
    bad = _write(tmp_path, GOOD.replace("  - id: C3", "  - id: C2"), "bad.yaml")
    with pytest.raises(InvalidInput):
        import_claims(study, bad)
    assert study.claims.list() == before and study.meta("dataset") is None
    assert import_claims(study, _write(tmp_path, GOOD)) == 3
    c2 = study.claims.get("C2")
    assert c2["text"] == "Most defects are environment defects." and c2["data"]["merged_from"] == ["X1"]
    assert c2["data"]["metric"] == "coding_share" and study.meta("dataset") == "sample.db"


def test_export_round_trips_and_update_validates(study, tmp_path):
    import_claims(study, _write(tmp_path, GOOD))
    text = export_claims(study)
    again = read_claims_file(_write(tmp_path, text, "again.yaml"))
    assert [c["data"] for c in again.claims] == [c["data"] for c in read_claims_file(tmp_path / "claims.yaml").claims]
    update_claim(study, "C3", text="PTM reuse is risky for security.",
                 spec={"metric": "coding_count", "params": {"codebook": "tiny", "field": "stage", "code": "env"},
                       "rule": "count >= 1"}, claim_type="quantitative")
    c3 = study.claims.get("C3")
    assert c3["type"] == "quantitative" and c3["data"]["rule"] == "count >= 1"
    with pytest.raises(InvalidInput, match="unknown metric"):
        update_claim(study, "C3", text="x", spec={"metric": "nope"})
    assert study.claims.get("C3") == c3
    assert yaml.safe_load(export_claims(study))["dataset"] == "sample.db"
