"""The Interviews page under Streamlit's AppTest: the document with chips and spans (blind), coding
a turn and a pending quote span, memos, every analysis view, and saturation equal to the CLI's."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from studyapp.cli import main
from studyapp.services.interviews.spans import (
    add_span,
    own_codes,
    segment_memos,
    tag_segment,
)
from tests.interviews.conftest import seg
from tests.pages import open_page

CB = "ptm-reuse-interviews"


@pytest.fixture
def page_study(istudy, monkeypatch):
    s = seg(istudy, "interview-03:2")
    tag_segment(istudy, s["id"], "bob", ["attributes:popularity"], codebook=CB)
    add_span(istudy, s["id"], "bob", 0, 6, ["attributes:popularity"], codebook=CB)
    monkeypatch.setenv("STUDYAPP_STUDY", str(istudy.folder))
    return istudy


def _open(coder: str, **state):
    return open_page("interviews", coder, **state)


def _document(at: AppTest) -> dict:
    [doc] = [e for e in at.get("bidi_component") if "interviews.doc" in e.proto.id]
    return {s["key"]: s for s in json.loads(doc.proto.json)["segments"]}


def test_document_shows_own_chips_and_spans_only(page_study):
    bob = _document(_open("bob"))
    assert [c["label"] for c in bob["interview-03:2"]["chips"]] == ["Popularity"]
    assert bob["interview-03:2"]["spans"][0]["start"] == 0 and bob["interview-03:2"]["speaker"] == "Ana Souza"
    chen = _document(_open("chen"))
    assert chen["interview-03:2"]["chips"] == [] and chen["interview-03:2"]["spans"] == []


def test_tagging_a_pending_selection_saves_a_span(page_study):
    sid = seg(page_study, "interview-03:4")["id"]
    text = seg(page_study, "interview-03:4")["text"]
    at = _open("chen", **{"interviews.transcript": page_study.units.by_key("transcript", "interview-03")["id"],
                          "interviews.segment": sid,
                          "interviews.pending": {"segment": sid, "start": 0, "end": 29,
                                                 "text": text[:29]}})
    at.multiselect(key="interviews.span_codes").set_value(["attributes:training-configuration"]).run()
    at.button(key="interviews.tag_selection").click().run()
    assert not at.exception and any("saved" in s.value for s in at.success)
    [span] = page_study.transcripts.spans(coders=["chen"])
    assert (span["snippet"], span["codes"]) == (text[:29], [["attributes", "training-configuration"]])
    assert own_codes(page_study, sid, "chen", CB) == {"attributes": ["training-configuration"]}
    assert _document(at)["interview-03:4"]["spans"][0]["end"] == 29


def test_a_stale_selection_is_refused(page_study):
    sid = seg(page_study, "interview-03:4")["id"]
    at = _open("chen", **{"interviews.transcript": page_study.units.by_key("transcript", "interview-03")["id"],
                          "interviews.segment": sid,
                          "interviews.pending": {"segment": sid, "start": 0, "end": 5, "text": "other"}})
    at.multiselect(key="interviews.span_codes").set_value(["attributes:demos"]).run()
    at.button(key="interviews.tag_selection").click().run()
    assert any("does not match" in e.value for e in at.error)
    assert page_study.transcripts.count_spans() == 1


def test_type_ahead_codes_and_memos(page_study):
    sid = seg(page_study, "interview-03:2")["id"]
    key = f"interviews.codes.{CB}.{sid}.main"
    at = _open("bob", **{"interviews.segment": sid})
    assert at.multiselect(key=key).value == ["attributes:popularity"]
    at.multiselect(key=key).set_value(["attributes:popularity", "challenges:discrepancies"]).run()
    assert own_codes(page_study, sid, "bob", CB) == {"attributes": ["popularity"], "challenges": ["discrepancies"]}
    at.multiselect(key=key).set_value(["challenges:discrepancies"]).run()
    assert own_codes(page_study, sid, "bob", CB) == {"challenges": ["discrepancies"]}
    at.text_area(key=f"interviews.memo.{sid}").input("Ana compares downloads with likes").run()
    at.button(key=f"interviews.add_memo.{sid}").click().run()
    assert [m["text"] for m in segment_memos(page_study, sid, "bob")] == ["Ana compares downloads with likes"]
    assert _document(at)["interview-03:2"]["memos"] == 1
    assert _document(_open("chen"))["interview-03:2"]["memos"] == 0


@pytest.mark.parametrize("view", ["Frequencies", "By attribute", "Co-occurrence", "Quotes", "Framework matrix",
                                  "Saturation"])
def test_every_analysis_view_renders(page_study, view):
    at = _open("bob")
    at.segmented_control(key="interviews.view").set_value("Analyse").run()
    at.segmented_control(key="interviews.a_view").set_value(view).run()
    assert not at.exception, [e.value for e in at.exception]


def test_import_view_renders(page_study):
    at = _open("lea")
    at.segmented_control(key="interviews.view").set_value("Import").run()
    assert not at.exception and at.button(key="interviews.up_go").disabled


def test_saturation_page_and_cli_agree(page_study):
    tag_segment(page_study, seg(page_study, "interview-04:2")["id"], "bob", ["challenges:discrepancies",
                                                                            "attributes:popularity"], codebook=CB)
    at = _open("bob")
    at.segmented_control(key="interviews.view").set_value("Analyse").run()
    at.segmented_control(key="interviews.a_view").set_value("Saturation").run()
    df = at.dataframe[0].value
    out = CliRunner().invoke(main, ["saturation", str(page_study.folder), "--codebook", CB])
    cli = json.loads(out.stdout)
    assert cli == {"participants": list(df["Participant"]), "new_codes": list(df["New codes"]),
                   "cumulative": list(df["Distinct codes so far"])}  # the page's human names, the CLI's ids
    assert cli["new_codes"] == [1, 1, 0]


def test_page_without_interview_codebook_still_reads(ui_study):
    at = _open("bob")
    doc = _document(at)
    assert doc["int-1:1"]["text"] == "turn 1 <script>alert(1)</script>"
