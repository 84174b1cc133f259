"""In-vivo coding (issue 14, as ATLAS.ti, MAXQDA and Taguette): a lead creates a code while coding,
in the Interviews -> Code and Defects -> Label views and from the command line: a new codebook
version, recorded in the history; a coder cannot."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from studyapp.cli import main
from studyapp.errors import InvalidInput, PermissionDenied
from studyapp.services.coding.codebooks import add_code, get_codebook
from tests.pages import open_page, serve_to_pages

CB = "ptm-reuse-interviews"


def _field(store):
    return next(f for f in get_codebook(store, CB).fields if f.is_coded and not f.parent_field)


def test_a_lead_creates_a_code_as_a_new_version_in_the_history(istudy):
    f = _field(istudy)
    before = get_codebook(istudy, CB)
    new, vid, cid = add_code(istudy, CB, f.id, "Licence worries", definition="Fears about a model's licence.",
                             actor="lea")
    assert cid == "licence-worries" and new.version == f"{before.version}+1"
    assert get_codebook(istudy, CB).require_field(f.id).code(cid).label == "Licence worries"
    assert len(istudy.codebooks.versions(CB)) == 2
    [entry] = istudy.query("SELECT * FROM history WHERE action = 'codebook.add_code'")
    assert (entry["actor"], entry["codebook"], entry["field"]) == ("lea", CB, f.id) and cid in entry["new"]
    under = f.codes[0].id
    _, _, child = add_code(istudy, CB, f.id, "Licence worries", parent=under, actor="lea")
    assert child == f"{under}.licence-worries"


def test_a_coder_cannot_and_mistakes_are_refused(istudy):
    f = _field(istudy)
    with pytest.raises(PermissionDenied, match="only a lead"):
        add_code(istudy, CB, f.id, "Sneaky", actor="bob")
    with pytest.raises(InvalidInput, match="already has a code labelled"):
        add_code(istudy, CB, f.id, f.codes[0].label.upper(), actor="lea")
    with pytest.raises(InvalidInput, match="needs a label"):
        add_code(istudy, CB, f.id, "  ", actor="lea")
    with pytest.raises(InvalidInput, match="no code 'nope'"):
        add_code(istudy, CB, f.id, "X", parent="nope", actor="lea")
    assert len(istudy.codebooks.versions(CB)) == 1


def test_the_cli_adds_a_code(istudy):
    f = _field(istudy)
    r = CliRunner().invoke(main, ["codebook", "add-code", str(istudy.folder), CB, f.id, "Hub outages", "--by", "lea"])
    assert r.exit_code == 0, r.output
    assert "'hub-outages'" in r.output and get_codebook(istudy, CB).require_field(f.id).code("hub-outages")
    r = CliRunner().invoke(main, ["codebook", "add-code", str(istudy.folder), CB, f.id, "X", "--by", "bob"])
    assert r.exit_code == 2 and "only a lead" in r.output


@pytest.fixture
def page_study(istudy, monkeypatch):
    return serve_to_pages(istudy, monkeypatch)


def test_a_lead_creates_a_code_in_the_coding_view_and_a_coder_sees_no_form(page_study):
    assert not any("New code" in e.label for e in open_page("interviews", "bob").expander)
    at = open_page("interviews", "lea")
    assert any("New code" in e.label for e in at.expander)
    f = _field(page_study)
    at.selectbox(key="interviews.code.new_code.field").set_value(f.id).run()
    at.text_input(key="interviews.code.new_code.label").input("Licence worries")
    [submit] = [b for b in at.button if b.label == "Create code"]
    submit.click().run()
    assert not at.exception
    assert any("Licence worries" in s.value and "version" in s.value for s in at.success)
    assert get_codebook(page_study, CB).require_field(f.id).code("licence-worries") is not None
    assert any("licence-worries" in str(o) or "Licence worries" in str(o)
               for m in at.multiselect for o in m.options)  # offered in the picker at once
