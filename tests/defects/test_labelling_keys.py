"""Defect labelling by single keys per choice (issue 14, as Label Studio): each choice of a short
question has its key, shown on its button; nothing is saved without the first question answered."""

from __future__ import annotations

import pytest

from studyapp.errors import InvalidInput
from studyapp.paths import CODEBOOKS_DIR
from studyapp.domain.codebook_yaml import load_codebook
from studyapp.services.defects.analysis import save_labels
from studyapp.services.defects.imports import import_defects
from studyapp.services.defects.shortcuts import POOL, choice_keys, first_question, keyed
from tests.defects.conftest import CB
from tests.pages import open_page


def test_every_short_question_has_a_key_per_choice_none_repeated():
    cb = load_codebook(CODEBOOKS_DIR / f"{CB}.yaml")
    keys = choice_keys(cb)
    assert list(keys)[0] == "is_defect" and keys["is_defect"] == {"defect": "1", "not-defect": "2"}
    assert {"framework", "dl_stage", "same_code", "reporter"} <= set(keys)
    assert "root_cause" not in keys and "code_error" not in keys  # trees and long lists stay searchable
    given = [k for f in keys.values() for k in f.values()]
    assert len(given) == len(set(given)) and set(given) <= set(POOL) and not {"C", "R"} & set(given)
    assert all(len(keys[f.id]) == len(f.codes) for f in cb.fields if keyed(f))
    assert first_question(cb).id == "is_defect"


@pytest.fixture
def page_study(defect_study, issues_csv, monkeypatch):
    import_defects(defect_study, [issues_csv])
    monkeypatch.setenv("STUDYAPP_STUDY", str(defect_study.folder))
    monkeypatch.setenv("STUDYAPP_AUTH", "0")
    return defect_study


def _k(store, field: str) -> str:
    return f"defects.{CB}.{store.units.by_key('defect', 'acme/detector#7:1')['id']}.main.{field}"


def test_each_choice_button_carries_its_key(page_study):
    at = open_page("defects", "ana")
    assert not at.exception
    assert at.button(key=_k(page_study, "is_defect") + ".defect").proto.shortcut == "1"
    assert at.button(key=_k(page_study, "is_defect") + ".not-defect").proto.shortcut == "2"
    keys = choice_keys(load_codebook(CODEBOOKS_DIR / f"{CB}.yaml"))
    assert at.button(key=_k(page_study, "dl_stage") + ".training").proto.shortcut == keys["dl_stage"]["training"].lower()


def test_the_form_refuses_to_save_without_the_first_question(page_study):
    at = open_page("defects", "ana")
    at.button(key=_k(page_study, "dl_stage") + ".environment").click().run()
    at.button(key="defects.save").click().run()
    assert any("Nothing saved" in e.value and "Reengineering defect?" in e.value for e in at.error)
    assert not page_study.annotations.current_rows()
    at.button(key=_k(page_study, "is_defect") + ".defect").click().run()
    at.button(key="defects.save").click().run()
    assert any("Saved (2 changes)" in s.value for s in at.success)


def test_the_service_refuses_too(page_study):
    uid = page_study.units.by_key("defect", "acme/detector#7:1")["id"]
    with pytest.raises(InvalidInput, match="first question"):
        save_labels(page_study, CB, uid, "ana", "main", {"dl_stage": "training"}, {})
    assert not page_study.annotations.current_rows()


def test_a_drafted_choice_is_never_shown_to_the_next_coder_in_the_same_browser(page_study):
    at = open_page("defects", "ana")
    at.button(key=_k(page_study, "is_defect") + ".not-defect").click().run()
    assert at.button(key=_k(page_study, "is_defect") + ".not-defect").proto.type == "primary"
    at.session_state["app.coder"] = "ben"
    at.run()
    assert not at.exception
    assert at.button(key=_k(page_study, "is_defect") + ".not-defect").proto.type == "secondary"
    assert at.button(key=_k(page_study, "is_defect") + ".defect").proto.type == "secondary"


def test_a_lead_creates_a_code_while_labelling_and_a_coder_cannot(page_study):
    from studyapp.services.coding.codebooks import get_codebook

    assert not any("New code" in e.label for e in open_page("defects", "ana").expander)
    at = open_page("defects", "lea")
    at.selectbox(key="defects.new_code.field").set_value("repository_type").run()
    at.text_input(key="defects.new_code.label").input("JAX")
    [b for b in at.button if b.label == "Create code"][0].click().run()
    assert not at.exception
    assert get_codebook(page_study, CB).require_field("repository_type").code("jax").label == "JAX"
    assert any(b.key.endswith(".repository_type.jax") for b in at.button)  # a choice (with its key) at once
    entry = page_study.query("SELECT * FROM history WHERE action = 'codebook.add_code'")[-1]
    assert entry["actor"] == "lea" and entry["field"] == "repository_type"
