"""Frequencies, co-occurrence, quotes, framework matrix and saturation on a small coded study, and
the saturation of the published PTM-reuse code table."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from studyapp.cli import main
from studyapp.services.interviews import qualitative as q
from studyapp.services.interviews.imports import import_participants
from studyapp.services.interviews.saturation import (
    saturation_curve,
    saturation_from_table,
    saturation_in_study,
)
from studyapp.services.interviews.spans import add_span, tag_segment
from tests.conftest import shared_or_skip
from tests.interviews.conftest import seg

CB = "ptm-reuse-interviews"


@pytest.fixture
def coded(istudy, tmp_path):
    """bob codes all three interviews; chen codes one segment differently."""
    def tag(key, coder, *codes):
        tag_segment(istudy, seg(istudy, key)["id"], coder, codes, codebook=CB)
    tag("interview-03:2", "bob", "attributes:popularity", "attributes:license", "decision_stage:model-selection")
    tag("interview-03:4", "bob", "challenges:missing-attributes", "attributes:training-configuration")
    tag("interview-04:2", "bob", "challenges:discrepancies", "decision_stage:downstream-evaluation")
    tag("interview-05:2", "bob", "attributes:documentation", "attributes:popularity")
    tag("interview-05:4", "bob", "attributes:latency")
    tag("interview-04:2", "chen", "challenges:security-privacy")
    s = seg(istudy, "interview-03:4")
    i = s["text"].index("The training configuration.")
    add_span(istudy, s["id"], "bob", i, i + len("The training configuration."),
             ["challenges:missing-attributes"], codebook=CB)
    people = tmp_path / "people.csv"
    people.write_text("id,company,transcript\nP3,Startup,interview-03\nP4,Big tech,interview-04\n"
                      "P5,Startup,interview-05\n", encoding="utf-8")
    import_participants(istudy, people)
    return istudy


def test_frequencies_count_segments_and_participants(coded):
    df = q.frequencies(coded, CB)
    top = df.iloc[0]
    assert (top["code"], top["segments"], top["participants"], top["share"]) == ("popularity", 2, 2, 2 / 3)
    assert "security-privacy" in set(df["code"])  # no viewer: every coder counts
    blind = q.frequencies(coded, CB, viewer="bob")
    assert "security-privacy" not in set(blind["code"])
    assert set(q.frequencies(coded, CB, source="chen")["code"]) == {"security-privacy"}
    rolled = q.frequencies(coded, CB, level=1, source="bob")
    assert {"signals", "reproducibility-group", "portability"} <= set(rolled["code"])


def test_frequencies_per_attribute_share_of_the_group(coded):
    df = q.frequencies_by_attribute(coded, CB, "company", source="bob")
    row = df[(df["code"] == "popularity") & (df["group"] == "Startup")].iloc[0]
    assert (row["participants"], row["group_size"], row["share"]) == (2, 2, 1.0)
    assert q.participant_attributes(coded) == ["company"]


def test_cooccurrence_counts_and_c_coefficient(coded):
    df = q.cooccurrence(coded, CB, source="bob")
    pair = df[(df["a_code"] == "popularity") & (df["b_code"] == "license")].iloc[0]
    assert (pair["count"], pair["c"]) == (1, 0.5)
    diag = df[(df["a_code"] == "popularity") & (df["b_code"] == "popularity")].iloc[0]
    assert diag["count"] == 2
    assert len(df[(df["a_code"] == "license") & (df["b_code"] == "popularity")]) == 1
    by_person = q.cooccurrence(coded, CB, by="participant", source="bob")
    assert by_person[(by_person["a_code"] == "popularity") & (by_person["b_code"] == "documentation")]["count"].item() == 1


def test_quotes_and_markdown(coded):
    qs = q.quotes(coded, CB, source="bob")
    assert [(x["code"], x["text"], x["participant"], x["time"]) for x in qs] == [
        ("missing-attributes", "The training configuration.", "P3", "00:00:16.500")]
    md = q.quotes_markdown(coded, CB, source="bob", whole_segments=True)
    assert "## Challenges › Missing attributes" in md and "> The training configuration." in md
    assert "> — P3, interview-03 turn 4, 00:00:16" in md and "whole turn" in md
    assert q.quotes(coded, CB, viewer="chen", source="all") == []


def test_framework_matrix(coded):
    m = q.framework_matrix(coded, CB, fields=["attributes", "challenges"], source="bob")
    counts = m["counts"]
    assert list(counts.index) == ["P3", "P4", "P5"]
    assert counts.loc["P3", "PTM attributes wanted › Trust signals"] == 1
    assert counts.loc["P4", "Challenges › Discrepancies"] == 1
    assert "The training configuration." in m["summary"].loc["P3", "Challenges › Missing attributes"]


def test_saturation_curve_rules():
    s = saturation_curve([("P2", "a"), ("P1", "a"), ("P1", "b"), ("P2", "c"), ("P3", "a")])
    assert s.as_dict() == {"participants": ["P2", "P1", "P3"], "new_codes": [2, 1, 0], "cumulative": [2, 3, 3]}
    assert s.last_new == "P1"
    assert saturation_curve([]).as_dict() == {"participants": [], "new_codes": [], "cumulative": []}


def test_saturation_in_study_page_service_and_cli_agree(coded):
    s = saturation_in_study(coded, CB, source="bob")
    assert s.as_dict() == {"participants": ["P3", "P4", "P5"], "new_codes": [5, 2, 2], "cumulative": [5, 7, 9]}
    out = CliRunner().invoke(main, ["saturation", str(coded.folder), "--codebook", CB, "--source", "bob"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == s.as_dict()


def test_saturation_cli_on_a_csv_and_its_errors(tmp_path):
    f = tmp_path / "codes.csv"
    f.write_text("who,category,what\nA,x,c1\nA,x,c2\nB,y,c1\nB,y,C1\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["saturation", str(f), "--participant", "who", "--code", "what"])
    assert r.exit_code == 0 and json.loads(r.stdout) == {"participants": ["A", "B"], "new_codes": [2, 1],
                                                        "cumulative": [2, 3]}
    assert "differ only in case" in r.stderr
    table = CliRunner().invoke(main, ["saturation", str(f), "--code", "what", "--format", "table"])
    assert "cumulative" in table.stdout and "last new code from B" in table.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("participant,code\nP1,a\nP2,\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["saturation", str(bad)])
    assert r.exit_code == 2 and f"{bad}:3: no code" in r.stderr


@pytest.mark.shared
def test_saturation_of_the_published_ptm_reuse_codes():
    path = shared_or_skip("ptm-reuse-interviews", "interview_codes_by_participant.csv")
    expected = {"participants": [f"P{i}" for i in range(1, 13)],
                "new_codes": [12, 12, 4, 2, 4, 4, 4, 0, 1, 0, 0, 0],
                "cumulative": [12, 24, 28, 30, 34, 38, 42, 42, 43, 43, 43, 43]}
    assert saturation_from_table(path).as_dict() == expected
    r = CliRunner().invoke(main, ["saturation", str(path)])
    assert r.exit_code == 0 and json.loads(r.stdout) == expected
