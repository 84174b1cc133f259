"""The Papers page with AppTest on a real study: screen with one click and the next paper loads, stay
blind, reconcile and resolve as the lead, extract, record and merge claims, split a duplicate, PRISMA."""

from __future__ import annotations

import pytest

from studyapp.services.papers import claims as paper_claims
from studyapp.services.papers import extraction, prisma, screening
from tests.pages import open_page
from tests.papers.conftest import TA, screen_all


def _open(coder: str, view: str = "Screen"):
    return open_page("papers", coder, view=None if view == "Screen" else view)


def _title(at) -> str:
    return at.subheader[0].value


@pytest.fixture
def page_study(imported, monkeypatch):
    monkeypatch.setenv("STUDYAPP_STUDY", str(imported.folder))
    monkeypatch.setenv("STUDYAPP_AUTH", "0")  # single-user mode (sign-in is on unless asked off)
    return imported


def test_one_click_decides_and_the_next_paper_loads(page_study):
    at = _open("bob")
    first = _title(at)
    at.button(key="papers.screen.include").click().run()
    assert not at.exception
    assert any("include" in s.value for s in at.success)
    assert _title(at) != first
    second = _title(at)
    at.button(key="papers.screen.exclude.E1").click().run()
    assert _title(at) not in (first, second)
    mine = screening.my_decisions(page_study, "ta", "bob")
    assert sorted(d for d, _ in mine.values()) == ["exclude", "include"]
    assert {r for d, r in mine.values() if d == "exclude"} == {"E1"}


def test_skip_and_revisit_a_decision(page_study):
    at = _open("bob")
    first = _title(at)
    at.button(key="papers.screen.skip_btn").click().run()
    assert _title(at) != first
    at.button(key="papers.screen.maybe").click().run()
    at.selectbox(key="papers.screen.change").select_index(1).run()
    at.button(key="papers.screen.open_again").click().run()
    assert any("Your decision: maybe" in i.value for i in at.info)


def test_a_reviewer_never_sees_another_reviewers_decision(page_study):
    ids = page_study.units.ids_by_key("paper")
    screening.decide(page_study, ids["jiang2024challenges"], "chen", "ta", "exclude", "E1", note="CHEN-SECRET")
    screening.decide(page_study, ids["jiang2024challenges"], "bob", "ta", "include")
    for view in ("Screen", "Conflicts"):
        at = _open("bob", view)
        shown = " ".join(str(e.value) for e in at.main if hasattr(e, "value"))
        assert "CHEN-SECRET" not in shown and "chen" not in shown.lower()
    assert any("stay hidden" in i.value for i in at.info)


def test_the_lead_opens_reconciliation_and_resolves_a_conflict(page_study):
    screen_all(page_study, TA, "ta")
    ids = page_study.units.ids_by_key("paper")
    at = _open("lea", "Conflicts")
    assert any("Open reconciliation" in i.value for i in at.info)
    at.button(key="papers.conflicts.recon.ta").click().run()
    assert page_study.rounds.is_open("screening-ta")
    uid = ids["jiang2024challenges"]
    at.radio(key=f"papers.conflicts.d.ta.{uid}").set_value("include")
    at.text_area(key=f"papers.conflicts.why.ta.{uid}").input("it studies reused models")
    [submit] = [b for b in at.button if b.label == "Resolve" and str(uid) in str(b.id)] or \
        [next(b for b in at.button if b.label == "Resolve")]
    submit.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert screening.verdicts(page_study, "ta")[uid].status == "included"
    assert screening.verdicts(page_study, "ta")[uid].final


def test_a_coder_cannot_reconcile(page_study):
    screen_all(page_study, TA, "ta")
    at = _open("bob", "Conflicts")
    assert not [b for b in at.button if "reconciliation" in b.label.lower()]
    assert not page_study.rounds.get("screening-ta")["reconciliation_open"]


def test_extraction_form_saves_in_the_extraction_round(screened, monkeypatch):
    monkeypatch.setenv("STUDYAPP_STUDY", str(screened.folder))
    at = _open("bob", "Extract")
    included = extraction.included_papers(screened)
    assert included and _title(at) == (included[0]["title"] or included[0]["key"])
    cb = extraction.setup(screened)
    field = next(f for f in cb.fields if f.type == "nominal" and not f.parent_field)
    wkey = f"papers.extract.{cb.id}.{included[0]['id']}.{extraction.ROUND}.{field.id}"
    at.selectbox(key=wkey).select_index(1)
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    form = extraction.form(screened, included[0]["id"], "bob")
    assert form.values.get(field.id) == field.all_codes()[0].id
    assert extraction.filled_by(screened, "bob") == {included[0]["id"]}


def test_claims_are_recorded_with_a_quote_and_merged(screened, monkeypatch):
    monkeypatch.setenv("STUDYAPP_STUDY", str(screened.folder))
    keys = [u["key"] for u in extraction.included_papers(screened)]
    paper_claims.add_claim(screened, text="PTMs change often", unit_key=keys[0], quote="they change", actor="bob")
    at = _open("bob", "Claims")
    at.selectbox(key="papers.claims.new.paper").set_value(keys[1])
    at.text_input(key="papers.claims.new.text").input("Popular models change more often")
    at.text_area(key="papers.claims.new.quote").input("the most downloaded models are replaced")
    at.text_input(key="papers.claims.new.page").input("4")
    next(b for b in at.button if b.label == "Save claim").click().run()
    assert not at.exception, [e.value for e in at.exception]
    claims = paper_claims.paper_claims(screened)
    assert len(claims) == 2 and claims[1]["sources"][0] == {"kind": "paper", "unit_key": keys[1],
                                                            "quote": "the most downloaded models are replaced",
                                                            "page": "4"}
    at.multiselect(key="papers.claims.merge.ids").set_value([c["id"] for c in claims])
    at.text_input(key="papers.claims.merge.text").input("PTMs turn over fast")
    next(b for b in at.button if b.label == "Merge").click().run()
    merged = [c for c in paper_claims.paper_claims(screened) if c["merged_from"]]
    assert len(merged) == 1 and sorted(merged[0]["papers"]) == sorted(keys[:2])


def test_records_show_duplicates_and_a_split_sticks(page_study):
    from studyapp.services.papers.dedup import duplicate_groups

    groups = duplicate_groups(page_study)
    assert groups, "the sample exports hold cross-source duplicates"
    dup = groups[0]["duplicates"][0]["key"]
    at = _open("bob", "Records")
    at.button(key=f"papers.records.split.{dup}").click().run()
    assert not at.exception
    assert dup not in {d["key"] for g in duplicate_groups(page_study) for d in g["duplicates"]}


def test_prisma_view_shows_the_studys_counts(screened, monkeypatch):
    monkeypatch.setenv("STUDYAPP_STUDY", str(screened.folder))
    at = _open("bob", "PRISMA")
    assert not at.exception
    counts = prisma.prisma_counts(screened)
    shown = at.get("json")[0].value
    assert f'"included": {counts["included"]}' in shown and f'"identified": {counts["identified"]}' in shown
    assert len(at.get("download_button")) == 3


def test_import_and_exports_are_for_leads(page_study):
    at = _open("bob", "Import")
    assert any("Only a lead" in i.value for i in at.info)
    at = _open("lea", "Import")
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("download_button")) == 5


def test_a_number_field_shows_whole_numbers_as_integers(screened, monkeypatch):
    """"Models studied: 1000.00" (issue 14 #9): the form's number box formats with %g (1000, 0.25)."""
    monkeypatch.setenv("STUDYAPP_STUDY", str(screened.folder))
    included = extraction.included_papers(screened)
    cb = extraction.setup(screened)
    field = next(f for f in cb.fields if f.type == "number")
    extraction.save(screened, included[0]["id"], "bob", {field.id: 1000})
    at = _open("bob", "Extract")
    box = at.number_input(key=f"papers.extract.{cb.id}.{included[0]['id']}.{extraction.ROUND}.{field.id}")
    assert box.proto.format == "%g"
