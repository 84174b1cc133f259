"""Coding speed: recent codes, applying a code to a selection or a turn, next/previous turn, memos on
a span (history, blindness, REFI-QDA description), and the coding view's recent-codes row."""

from __future__ import annotations

import pytest

from studyapp.errors import PermissionDenied
from studyapp.services.interviews.quick import apply_code, neighbour, recent_codes, set_span_memo
from studyapp.services.interviews.spans import add_span, own_codes, tag_segment
from tests.interviews.conftest import seg

CB = "ptm-reuse-interviews"


def test_recent_codes_are_the_coders_own_newest_first(istudy):
    s, t = seg(istudy, "interview-05:2"), seg(istudy, "interview-05:4")
    tag_segment(istudy, s["id"], "bob", ["attributes:popularity"], codebook=CB)
    add_span(istudy, t["id"], "bob", 0, 5, ["challenges:discrepancies"], codebook=CB)
    tag_segment(istudy, t["id"], "chen", ["challenges:model-search"], codebook=CB)
    assert [c.ref for c in recent_codes(istudy, "bob", CB)] == ["challenges:discrepancies", "attributes:popularity"]
    assert [c.ref for c in recent_codes(istudy, "chen", CB)] == ["challenges:model-search"]
    assert recent_codes(istudy, None, CB) == []


def test_apply_code_tags_the_selection_or_the_turn(istudy):
    s = seg(istudy, "interview-05:2")
    msg = apply_code(istudy, "bob", "attributes:popularity", codebook=CB, round="main", segment_id=s["id"])
    assert "applied to the turn" in msg and own_codes(istudy, s["id"], "bob", CB) == {"attributes": ["popularity"]}
    pending = {"segment": s["id"], "start": 0, "end": 4, "text": s["text"][:4]}
    msg = apply_code(istudy, "bob", "challenges:discrepancies", codebook=CB, round="main", segment_id=s["id"],
                     pending=pending)
    [span] = istudy.transcripts.spans()
    assert msg.startswith("Quote") and (span["start"], span["end"], span["codes"]) == (
        0, 4, [["challenges", "discrepancies"]])
    assert neighbour([1, 2, 3], 2, 1) == 3 and neighbour([1, 2, 3], 3, 1) == 3 and neighbour([1, 2, 3], 1, -1) == 1
    assert neighbour([1, 2, 3], 9, 1) == 1 and neighbour([], None, 1) is None


def test_a_memo_on_a_span_is_the_coders_own_and_in_the_history(istudy):
    s = seg(istudy, "interview-05:2")
    sid = add_span(istudy, s["id"], "bob", 0, 5, ["challenges:discrepancies"], codebook=CB)
    set_span_memo(istudy, sid, "  ironic tone  ", actor="bob")
    assert istudy.transcripts.require_span(sid)["note"] == "ironic tone"
    [h] = istudy.history.recent(1, action_prefix="span.note")
    assert h["new"] == {"id": sid, "note": "ironic tone"} and h["coder"] == "bob" and h["round"] == "main"
    with pytest.raises(PermissionDenied):
        set_span_memo(istudy, sid, "mine now", actor="chen")
    from studyapp.services.study.history import study_history, unit_history

    shown = " ".join(str(r) for r in study_history(istudy, "chen") + unit_history(istudy, s["id"], "chen"))
    assert "ironic tone" in " ".join(str(r) for r in unit_history(istudy, s["id"], "bob"))
    assert "ironic tone" not in shown  # blind: chen cannot read bob's span memo before reconciliation
    set_span_memo(istudy, sid, "", actor="bob")
    assert istudy.transcripts.require_span(sid)["note"] is None


def test_the_coding_view_shows_recent_codes_span_memos_and_the_keys(istudy, monkeypatch):
    from tests.pages import open_page

    s = seg(istudy, "interview-03:2")
    sid = add_span(istudy, s["id"], "bob", 0, 6, ["attributes:popularity"], codebook=CB)
    monkeypatch.setenv("STUDYAPP_STUDY", str(istudy.folder))
    at = open_page("interviews", "bob")
    at.selectbox(key="interviews.segment").set_value(s["id"]).run()
    assert not at.exception, [e.value for e in at.exception]
    [recent] = [b for b in at.button if b.key == "interviews.recent.attributes:popularity"]
    assert recent.label.startswith("1 ")
    at.text_input(key=f"interviews.span_memo.{sid}").input("first words only").run()
    assert not at.exception and istudy.transcripts.require_span(sid)["note"] == "first words only"
