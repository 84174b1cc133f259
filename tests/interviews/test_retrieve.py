"""Code and retrieve: quotes per code (children included), per code group, per participant
attribute, with context, coder, participant and link; blind for coders; CSV, Markdown, DOCX; CLI; page."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner

from studyapp.cli import main
from studyapp.services.coding.coding import open_reconciliation
from studyapp.services.interviews.retrieve import csv_text, retrieve, retrieve_view, to_docx, to_markdown
from studyapp.services.interviews.spans import add_span
from studyapp.services.interviews.stripes import adjudicate_span
from studyapp.store.sets import Member
from tests.interviews.conftest import seg

CB = "ptm-reuse-interviews"


@pytest.fixture
def quoted(istudy):
    istudy.transcripts.upsert_participants([("P3", {"role": "engineer"})])
    s = seg(istudy, "interview-03:2")
    t = seg(istudy, "interview-03:4")
    text = s["text"]
    ids = {"bob": add_span(istudy, s["id"], "bob", 0, 20, ["attributes:popularity"], codebook=CB),
           "chen": add_span(istudy, s["id"], "chen", 5, 25, ["attributes:popularity", "challenges:discrepancies"],
                            codebook=CB),
           "bob2": add_span(istudy, t["id"], "bob", 0, 10, ["challenges:missing-attributes"], codebook=CB)}
    return istudy, s, text, ids


def test_retrieve_a_code_with_context_coder_participant_and_link(quoted):
    store, s, text, ids = quoted
    qs = retrieve(store, CB, codes=["attributes:popularity"])
    assert [(q.coder, q.text, q.participant, q.segment, q.turn) for q in qs] == [
        ("bob", text[0:20], "P3", "interview-03:2", 2), ("chen", text[5:25], "P3", "interview-03:2", 2)]
    assert qs[0].context == text and qs[0].link == "interviews?t=interview-03&s=interview-03%3A2" and qs[0].span_id == ids["bob"]
    assert qs[0].attrs == {"role": "engineer"} and "Popularity" in qs[0].label
    # a parent code brings its children's quotes
    from studyapp.services.coding.codebooks import get_codebook

    f = get_codebook(store, CB).require_field("attributes")
    top = f.path("popularity")[0]
    assert {q.span_id for q in retrieve(store, CB, codes=[f"attributes:{top}"])} == {ids["bob"], ids["chen"]}
    assert retrieve(store, CB, codes=["attributes:popularity"], attribute="role", value="manager") == []
    assert len(retrieve(store, CB, codes=["attributes:popularity"], attribute="role", value="engineer")) == 2
    assert [q.coder for q in retrieve(store, CB, codes=["attributes:popularity"], source="chen")] == ["chen"]


def test_code_groups_filter_the_codes(quoted):
    store = quoted[0]
    gid = store.sets.add("Problems", members=[Member.of_code(CB, "challenges")])  # a whole field
    qs = retrieve(store, CB, group=gid)
    assert sorted(q.code for q in qs) == ["discrepancies", "missing-attributes"]
    assert [q.code for q in retrieve(store, CB, group="Problems")] == [q.code for q in qs]
    v = retrieve_view(store, "lea", codebook=CB, group=gid)
    assert v.groups == {gid: "Problems"} and len(v.quotes) == 2


def test_a_coder_retrieves_only_their_own_quotes_before_reconciliation(quoted):
    store, s, _, ids = quoted
    assert [q.coder for q in retrieve(store, CB, viewer="bob", codes=["attributes:popularity"])] == ["bob"]
    v = retrieve_view(store, "bob", codebook=CB, codes=["attributes:popularity"], source="chen")
    assert v.sources == ["all", "final", "bob"] and v.source == "all" and [q.coder for q in v.quotes] == ["bob"]
    assert "reconciliation a lead has opened" in v.note
    open_reconciliation(store, "main", actor="lea")
    assert [q.coder for q in retrieve(store, CB, viewer="bob", codes=["attributes:popularity"])] == ["bob", "chen"]
    adjudicate_span(store, s["id"], codebook=CB, round="main", actor="lea", rationale="chen", keep=ids["chen"])
    finals = retrieve(store, CB, codes=["attributes:popularity"], source="final")
    assert [(q.coder, q.start, q.end) for q in finals] == [("final (lea)", 5, 25)]


def test_exports_csv_markdown_docx(quoted):
    import docx

    store = quoted[0]
    qs = retrieve(store, CB, codes=["attributes:popularity", "challenges:missing-attributes"])
    csv = csv_text(qs)
    assert csv.splitlines()[0].startswith("code,quote,participant,transcript,turn") and csv.count("interview-03") >= 3
    md = to_markdown(qs, title="Popularity")
    assert md.startswith("# Popularity") and "> " in md and "(interviews?t=interview-03&s=" in md
    doc = docx.Document(io.BytesIO(to_docx(qs)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert qs[0].text in text and "P3 · interview-03 turn 2" in text


def test_cli_retrieve(quoted, tmp_path):
    store = quoted[0]
    r = CliRunner().invoke(main, ["interviews", "retrieve", str(store.folder), "--codebook", CB,
                                  "--code", "attributes:popularity", "--format", "json", "--as", "bob"])
    assert r.exit_code == 0, r.output
    assert [q["coder"] for q in json.loads(r.output)] == ["bob"]
    out = tmp_path / "q.docx"
    r = CliRunner().invoke(main, ["interviews", "retrieve", str(store.folder), "--codebook", CB,
                                  "--code", "attributes:popularity", "--format", "docx", "-o", str(out)])
    assert r.exit_code == 0 and out.stat().st_size > 1000 and "2 quote(s)" in r.output
    r = CliRunner().invoke(main, ["interviews", "retrieve", str(store.folder), "--codebook", CB])
    assert r.exit_code != 0


def test_the_retrieve_page(quoted, monkeypatch):
    from tests.pages import open_page

    store = quoted[0]
    monkeypatch.setenv("STUDYAPP_STUDY", str(store.folder))
    at = open_page("interviews", "bob")
    at.segmented_control(key="interviews.view").set_value("Retrieve").run()
    assert not at.exception, [e.value for e in at.exception]
    at.multiselect(key="interviews.retrieve.codes").set_value(["attributes:popularity"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "**1 quote(s)**" in [m.value for m in at.markdown]
    assert quoted[2][0:20].strip() in [t.value.strip() for t in at.text]


def test_a_retrieved_quote_s_link_opens_its_turn(quoted, monkeypatch):
    """The link back into the transcript selects the quote's own turn, not the transcript's first."""
    from streamlit.testing.v1 import AppTest

    from tests.pages import APP

    store = quoted[0]
    [q] = retrieve(store, CB, codes=["challenges:missing-attributes"])
    assert q.segment == "interview-03:4"  # not the transcript's first turn
    monkeypatch.setenv("STUDYAPP_STUDY", str(store.folder))
    monkeypatch.setenv("STUDYAPP_AUTH", "0")
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["app.coder"] = "bob"
    at.query_params["t"], at.query_params["s"] = q.transcript, q.segment
    at.run()
    at.switch_page("views/interviews.py").run()
    assert not at.exception, [e.value for e in at.exception]
    picked = at.selectbox(key="interviews.segment")
    assert picked.value == store.units.by_key("segment", q.segment)["id"], (picked.value, q.segment)
