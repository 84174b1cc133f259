"""Tags and quote spans on segments: validation, one transaction, history, blindness, memos."""

from __future__ import annotations

import pytest

from studyapp.errors import InvalidInput, PermissionDenied, UnknownCode
from studyapp.services.coding.codebooks import get_codebook
from studyapp.services.coding.coding import open_reconciliation
from studyapp.services.interviews.spans import (
    add_code_memo,
    add_segment_memo,
    add_span,
    code_choices,
    code_memos,
    delete_span,
    own_codes,
    resolve_code,
    segment_memos,
    set_span_codes,
    tag_segment,
    visible_spans,
)
from tests.interviews.conftest import seg

CB = "ptm-reuse-interviews"


def test_a_span_stores_offsets_snippet_codes_and_tags_the_segment(istudy):
    s = seg(istudy, "interview-05:2")
    text = s["text"]
    start = text.index("café")
    sid = add_span(istudy, s["id"], "bob", start, start + 4, ["attributes:documentation", "Model search"],
                   codebook=CB, expected_text="café")
    [span] = istudy.transcripts.spans(unit_ids=[s["id"]])
    assert (span["id"], span["start"], span["snippet"]) == (sid, start, "café")
    assert span["codes"] == [["attributes", "documentation"], ["challenges", "model-search"]]
    assert own_codes(istudy, s["id"], "bob", CB) == {"attributes": ["documentation"], "challenges": ["model-search"]}
    # offsets count characters (code points) of the stored text: the emoji is one character
    emoji = text.index("😀")
    add_span(istudy, s["id"], "bob", emoji, emoji + 1, ["attributes:demos"], codebook=CB, expected_text="😀")


@pytest.mark.parametrize("start,end,expected,err", [
    (5, 3, None, "outside"), (0, 10_000, None, "outside"), (0, 3, "xyz", "does not match"), (15, 16, None, "white"),
])
def test_bad_spans_write_nothing(istudy, start, end, expected, err):
    s = seg(istudy, "interview-05:2")
    before = istudy.history.count()
    with pytest.raises(InvalidInput, match=err):
        add_span(istudy, s["id"], "bob", start, end, ["attributes:demos"], codebook=CB, expected_text=expected)
    assert istudy.history.count() == before


def test_unknown_code_writes_neither_span_nor_tag(istudy):
    s = seg(istudy, "interview-05:2")
    with pytest.raises(UnknownCode):
        add_span(istudy, s["id"], "bob", 0, 3, ["attributes:documentation", "attributes:nonsense"], codebook=CB)
    assert istudy.transcripts.count_spans() == 0 and not own_codes(istudy, s["id"], "bob", CB)




def test_code_references(istudy):
    cb = get_codebook(istudy, CB)
    assert resolve_code(cb, "challenges:Discrepancies") == ("challenges", "discrepancies")
    assert resolve_code(cb, "Security and privacy risks") == ("challenges", "security-privacy")
    with pytest.raises(UnknownCode, match="several fields"):
        resolve_code(cb, "license")
    choices = {c.ref: c for c in code_choices(cb)}
    assert choices["attributes:dataset-details"].path == "PTM attributes wanted › Provenance › Dataset details"
    assert choices["attributes:dataset-details"].label == "Dataset details"
    assert choices["challenges:discrepancies"].color == "#ff9da7"
    assert "memo:" not in " ".join(choices)


def test_tag_and_untag_go_through_code_many_with_history(istudy):
    sid = seg(istudy, "interview-04:2")["id"]
    assert tag_segment(istudy, sid, "chen", ["challenges:discrepancies", "decision_stage:downstream-evaluation"],
                       codebook=CB) == 2
    assert tag_segment(istudy, sid, "chen", ["challenges:discrepancies"], codebook=CB) == 0
    tag_segment(istudy, sid, "chen", ["challenges:discrepancies"], codebook=CB, remove=True)
    assert own_codes(istudy, sid, "chen", CB) == {"decision_stage": ["downstream-evaluation"]}
    assert istudy.annotations.replay() == istudy.annotations.current_rows()


def test_spans_are_blind_until_reconciliation(istudy):
    s = seg(istudy, "interview-04:2")
    add_span(istudy, s["id"], "bob", 0, 3, ["challenges:discrepancies"], codebook=CB)
    add_span(istudy, s["id"], "chen", 5, 12, ["challenges:model-application"], codebook=CB)
    assert [x["coder"] for x in visible_spans(istudy, [s["id"]], "chen")] == ["chen"]
    assert visible_spans(istudy, [s["id"]], None) == []
    open_reconciliation(istudy, "main", actor="lea")
    assert sorted(x["coder"] for x in visible_spans(istudy, [s["id"]], "chen")) == ["bob", "chen"]


def test_only_the_owner_changes_a_span_and_history_replays(istudy):
    s = seg(istudy, "interview-04:2")
    sid = add_span(istudy, s["id"], "bob", 0, 3, ["challenges:discrepancies"], codebook=CB)
    with pytest.raises(PermissionDenied):
        delete_span(istudy, sid, actor="chen")
    set_span_codes(istudy, sid, ["challenges:model-search"], actor="bob")
    other = add_span(istudy, s["id"], "bob", 4, 8, ["attributes:demos"], codebook=CB)
    delete_span(istudy, other, actor="bob")
    repo = istudy.transcripts
    assert repo.replay_spans() == repo.current_spans()
    assert [x["codes"] for x in repo.spans()] == [[["challenges", "model-search"]]]
    assert {h["action"] for h in istudy.history.recent(20, "span.")} == {"span.add", "span.codes", "span.delete"}


def test_memos_on_segments_and_codes_stay_private_until_reconciliation(istudy):
    sid = seg(istudy, "interview-04:2")["id"]
    add_segment_memo(istudy, sid, "bob", "sounds like a discrepancy")
    add_code_memo(istudy, CB, "challenges:discrepancies", "bob", "claimed vs measured accuracy")
    assert [m["text"] for m in segment_memos(istudy, sid, "bob")] == ["sounds like a discrepancy"]
    assert segment_memos(istudy, sid, "chen") == []
    assert code_memos(istudy, CB, "Discrepancies", "chen") == []
    open_reconciliation(istudy, "main", actor="lea")
    assert [m["code"] for m in code_memos(istudy, CB, "Discrepancies", "chen")] == ["challenges:discrepancies"]
    with pytest.raises(InvalidInput):
        add_segment_memo(istudy, sid, "bob", "   ")
