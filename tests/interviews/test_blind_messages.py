"""Blinding tells the truth (issue 14 #7): codes a viewer may not see yet are "hidden", never "none";
a lead's analyses count every coder; and a quote says whose it is, one passage marked by two coders
quoted once with both names."""

from __future__ import annotations

import pytest

from studyapp.services.interviews import qualitative as q
from studyapp.services.interviews.saturation import saturation_in_study
from studyapp.services.interviews.spans import add_span, tag_segment
from tests.interviews.conftest import seg
from tests.pages import open_page

CB = "ptm-reuse-interviews"
PASSAGE = "The training configuration."


@pytest.fixture
def split(istudy):
    """bob codes P3's interview only; chen codes the other two; both mark the same passage in P3's."""
    def tag(key, coder, *codes):
        tag_segment(istudy, seg(istudy, key)["id"], coder, codes, codebook=CB)
    tag("interview-03:2", "bob", "attributes:popularity")
    tag("interview-04:2", "chen", "challenges:discrepancies")
    tag("interview-05:2", "chen", "attributes:documentation")
    s = seg(istudy, "interview-03:4")
    i = s["text"].index(PASSAGE)
    for coder in ("bob", "chen"):
        add_span(istudy, s["id"], coder, i, i + len(PASSAGE), ["challenges:missing-attributes"], codebook=CB)
    return istudy


def test_a_coder_is_told_other_participants_codes_are_hidden_not_missing(split):
    curve = saturation_in_study(split, CB, viewer="bob")
    people = [p for p in curve.participants if p != "P3"]
    assert len(people) == 2
    assert not any("no codes yet" in w for w in curve.warnings), curve.warnings
    assert any(w.startswith(f"codes of {', '.join(people)} are hidden until a lead opens reconciliation")
               for w in curve.warnings), curve.warnings


def test_a_lead_sees_every_coders_codes_in_saturation(split):
    curve = saturation_in_study(split, CB, viewer="lea")
    assert curve.warnings == []
    assert all(n > 0 for n in curve.new_codes), curve.as_dict()


def test_a_quote_marked_by_two_coders_is_shown_once_with_both(split):
    md = q.quotes_markdown(split, CB, viewer="lea")
    assert md.count(f"> {PASSAGE}") == 1, md
    assert "marked by bob and chen" in md and "1 quote, 1 participant" in md
    own = q.quotes_markdown(split, CB, viewer="bob")  # chen's mark stays hidden from bob
    assert own.count(f"> {PASSAGE}") == 1 and "marked by bob" in own and "chen" not in own


def _analysis(coder: str, view: str):
    at = open_page("interviews", coder)
    at.segmented_control(key="interviews.view").set_value("Analyse").run()
    at.segmented_control(key="interviews.a_view").set_value(view).run()
    assert not at.exception
    return at


def test_the_saturation_and_quotes_views_say_hidden_and_whose(split, monkeypatch):
    monkeypatch.setenv("STUDYAPP_STUDY", str(split.folder))
    lead = _analysis("lea", "Saturation")
    assert not [w.value for w in lead.warning], "a lead sees all codes: nothing is missing or hidden"
    coder = _analysis("bob", "Saturation")
    texts = [w.value for w in coder.warning]
    assert any("are hidden until a lead opens reconciliation" in t for t in texts) and \
        not any("no codes yet" in t for t in texts), texts
    quotes = "\n".join(m.value for m in _analysis("lea", "Quotes").markdown)
    assert quotes.count(PASSAGE) == 1 and "marked by bob and chen" in quotes


def test_the_saturation_table_names_codes_as_people_read_them(demo_copy):
    """The table listed `field:code` ids (`attributes:popularity`); it shows the codes' names."""
    from studyapp.store import Store

    with Store.open(demo_copy) as store:
        rows = saturation_in_study(store, "ptm-reuse-interviews").rows()
    listed = ", ".join(r["codes"] for r in rows)
    assert listed and ":" not in listed, listed
    assert "Popularity" in listed or "Missing attributes" in listed
