"""The code picker (issue 14 #6): typing matches the code's own name as a substring (never a scattered
subsequence of the whole path), there is no bulk "Select all / Select N matches" entry, and names
repeated in the codebook are told apart (parent › label) in the picker and on the turn's chips, with
the full path in the chip's tooltip."""

from __future__ import annotations

import json

import pytest
from streamlit.proto.SelectWidgetFilterMode_pb2 import SelectWidgetFilterMode

from studyapp.domain.codebook_yaml import load_codebook
from studyapp.services.interviews.spans import code_choices, code_names, tag_segment
from tests.interviews.conftest import CODEBOOK, seg
from tests.pages import open_page

CB = "ptm-reuse-interviews"


def _contains(options: list[str], typed: str) -> list[str]:
    """What Streamlit's `filter_mode="contains"` keeps of the shown options (case-insensitive substring)."""
    return [o for o in options if typed.casefold() in o.casefold()]


def test_repeated_labels_get_their_parent_and_unique_ones_stay_short():
    cb = load_codebook(CODEBOOK)
    names = code_names(cb)
    assert names["attributes:license"] == ("Portability › License", "PTM attributes wanted › Portability › License")
    assert names["selection_factors:license"][0] == "Model selection factors › License"
    assert names["attributes:popularity"][0] == "Popularity"
    shown = [c.label for c in code_choices(cb)]
    assert len(shown) == len({s.casefold() for s in shown}), "every code has a distinct name in the picker"


@pytest.fixture
def coding_page(istudy, monkeypatch):
    monkeypatch.setenv("STUDYAPP_STUDY", str(istudy.folder))
    s = seg(istudy, "interview-03:2")
    tag_segment(istudy, s["id"], "bob", ["attributes:license", "selection_factors:license"], codebook=CB)
    return istudy, s


def test_the_turn_picker_matches_names_and_offers_no_bulk_selection(coding_page):
    store, s = coding_page
    sid = seg(store, "interview-03:4")["id"]
    at = open_page("interviews", "bob", **{"interviews.segment": sid,
                                           "interviews.pending": {"segment": sid, "start": 0, "end": 5,
                                                                  "text": seg(store, "interview-03:4")["text"][:5]}})
    assert not at.exception
    pickers = [m for m in at.multiselect if m.key.startswith("interviews.codes.") or m.key == "interviews.span_codes"]
    assert len(pickers) == 2
    for m in pickers:
        assert m.proto.select_all == 0, f"{m.label}: a 'Select N matches' entry would add codes in bulk"
        assert m.proto.filter_mode == SelectWidgetFilterMode.FILTER_MODE_CONTAINS
        assert _contains(list(m.options), "licen") == ["Portability › License", "Model selection factors › License"]
        assert _contains(list(m.options), "popul") == ["Popularity"]


def test_chips_tell_repeated_labels_apart_with_the_path_as_tooltip(coding_page):
    at = open_page("interviews", "bob")
    [doc] = [e for e in at.get("bidi_component") if "interviews.doc" in e.proto.id]
    chips = {x["key"]: x for x in json.loads(doc.proto.json)["segments"]}["interview-03:2"]["chips"]
    assert [c["label"] for c in chips] == ["Portability › License", "Model selection factors › License"]
    assert chips[0]["title"] == "PTM attributes wanted › Portability › License (bob)"
