"""Labelling defects in a real browser: the issue text is rendered (its code block as code), the coder
answers with one key per choice (the key is on each choice's button), picks a root cause offered
under the chosen DL stage, several impacts, and saves with the keyboard (Ctrl+Enter: save and open
the next unlabelled defect); the next one is "not a defect" with a reason; a second coder sees none
of it (blind). Nothing is saved before the first question is answered, and Tab skips the "?" help
icons. Screenshots: test-output/browser/defects-*.png."""

from __future__ import annotations

import re

import pytest

from studyapp.domain.codebook_yaml import load_codebook
from studyapp.domain.values import decode
from studyapp.paths import CODEBOOKS_DIR
from studyapp.services.coding.codebooks import get_codebook
from studyapp.services.defects.imports import import_defects
from studyapp.services.defects.shortcuts import choice_keys
from studyapp.services.study.study import init_study
from studyapp.store import Store
from tests.browser._helpers import (
    T,
    alerts,
    blur,
    choose,
    multiselect,
    no_exception,
    open_app,
    pick_coder,
    selectbox_options,
    settle,
    shot,
    widget,
)
from tests.defects.conftest import CB, ISSUES_CSV

pytestmark = pytest.mark.browser
FIRST, SECOND, THIRD = "acme/detector#7:1", "acme/detector#7:2", "acme/detector#9:1"
REASON = "The second report repeats the first defect."
KEYS = choice_keys(load_codebook(CODEBOOKS_DIR / f"{CB}.yaml"))


def _press(page, key: str) -> None:
    """Press a one-key shortcut with nothing focused (a focused input would take the key)."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press(key)
    settle(page)


def _choice(page, label: str):
    """The button of a choice (its name is the label, then the key Streamlit draws on it)."""
    return page.locator('[data-testid="stMain"] button').filter(has_text=re.compile(rf"^{re.escape(label)}\s*\S?$"))


@pytest.fixture
def defects_folder(tmp_path):
    store = init_study(tmp_path / "study", title="Defect labelling", codebooks=[CODEBOOKS_DIR / f"{CB}.yaml"])
    for name, role in (("lea", "lead"), ("ana", "coder"), ("ben", "coder")):
        store.coders.add(name, role)
    (tmp_path / "issues.csv").write_text(ISSUES_CSV, encoding="utf-8")
    import_defects(store, [tmp_path / "issues.csv"])
    store.close()
    return tmp_path / "study"


def _current_defect(page) -> str:
    """The defect the labelling view has open (the "Defect" box shows "✓|○ KEY · title")."""
    box = widget(page, "stSelectbox", "Defect")
    inputs = box.locator("input")
    return f"{box.inner_text()} {inputs.first.input_value() if inputs.count() else ''}".strip()


def _own(folder, coder: str) -> dict:
    """`coder`'s stored values: {(defect key, field): value}."""
    with Store.open(folder) as store:
        keys = {u["id"]: u["key"] for u in store.units.list("defect", with_text=False)}
        types = {f.id: f.type for f in get_codebook(store, CB).fields}
        return {(keys[u], f): decode(types[f], v) for u, cb, f, c, _, v in store.annotations.current_rows()
                if c == coder and cb == CB}


def test_a_coder_labels_defects_from_the_keyboard_and_a_second_coder_sees_none(defects_folder, serve, browser,
                                                                                shots):
    url = serve(defects_folder)
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    open_app(page, url, "defects")
    pick_coder(page, "ana (coder)")
    page.get_by_role("heading", name="CUDA error on start").wait_for(timeout=T)
    assert FIRST in _current_defect(page) and "○" in _current_defect(page)
    code = page.locator('[data-testid="stCode"]').filter(has_text="RuntimeError: CUDA out of memory")
    assert code.count() == 1  # the issue's fenced block is drawn as code, not as a paragraph
    shot(page, shots, "defects-1-issue")

    assert KEYS["is_defect"]["defect"] in _choice(page, "Defect").first.inner_text()  # the key is on the choice
    _press(page, KEYS["is_defect"]["defect"])
    _press(page, KEYS["dl_stage"]["environment"])
    causes = selectbox_options(page, "Root cause")
    assert causes[1:5] == ["API defect", "GPU usage bug", "Wrong environment configuration",
                           "Insufficient/incorrect documentation"], causes  # the chosen stage's causes first
    choose(page, "Root cause", "GPU usage bug")
    page.get_by_text("Wrong or unsupported use of GPUs").first.wait_for(timeout=T)  # its definition at hand
    multiselect(page, "Impacts", ["Crash", "Memory exhaustion"])
    shot(page, shots, "defects-2-labelled")
    page.keyboard.press("Control+Enter")  # Save & next
    page.get_by_text("Saved (4 changes).").wait_for(timeout=T)
    settle(page)
    assert SECOND in _current_defect(page), _current_defect(page)  # the next unlabelled one, at once
    shot(page, shots, "defects-3-saved-next")

    _press(page, KEYS["is_defect"]["not-defect"])
    assert _choice(page, "Environment").count() == 0  # the other fields step aside
    page.get_by_role("textbox", name="Why not a defect").fill(REASON)
    blur(page)
    shot(page, shots, "defects-4-not-a-defect")
    page.get_by_role("button", name="Save & next").click()
    page.get_by_text("Saved (2 changes).").wait_for(timeout=T)
    settle(page)
    assert THIRD in _current_defect(page), _current_defect(page)
    page.get_by_role("heading", name="mAP lower than paper").wait_for(timeout=T)
    assert page.get_by_text("You have labelled 2 of 4 defects").count() == 1
    assert alerts(page) == []
    no_exception(page)
    shot(page, shots, "defects-5-next-unlabelled")

    assert _own(defects_folder, "ana") == {
        (FIRST, "is_defect"): "defect", (FIRST, "dl_stage"): "environment", (FIRST, "root_cause"): "environment.gpu",
        (FIRST, "impacts"): ["crash", "memory-exhaustion"],
        (SECOND, "is_defect"): "not-defect", (SECOND, "not_defect_reason"): REASON}

    pick_coder(page, "ben (coder)")
    choose(page, "Defect", FIRST, exact=False)
    page.get_by_role("heading", name="CUDA error on start").wait_for(timeout=T)
    assert "○" in _current_defect(page)  # not labelled, for ben
    assert page.get_by_text("You have labelled 0 of 4 defects").count() == 1
    main = page.locator('[data-testid="stMain"]')
    assert main.locator('[data-testid="stBaseButton-primary"]').filter(has_text=re.compile("^(Not a )?[Dd]efect")).count() == 0
    assert main.locator('[data-testid="stBaseButton-primary"]').filter(has_text="Environment").count() == 0
    assert page.locator('[data-testid="stExpander"]').filter(has_text="Other coders' values (").count() == 0
    assert widget(page, "stSelectbox", "Root cause").locator("input").input_value() == ""
    impacts = widget(page, "stMultiSelect", "Impacts").inner_text()
    assert "Crash" not in impacts and "Memory exhaustion" not in impacts
    no_exception(page)
    shot(page, shots, "defects-6-second-coder")
    assert _own(defects_folder, "ben") == {}
    page.close()


def test_nothing_is_saved_before_the_first_question_and_tab_skips_help_icons(defects_folder, serve, browser, shots):
    url = serve(defects_folder)
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    open_app(page, url, "defects")
    pick_coder(page, "ana (coder)")
    page.get_by_role("heading", name="CUDA error on start").wait_for(timeout=T)
    main = page.locator('[data-testid="stMain"]')
    icons = main.locator('[data-testid="stTooltipIcon"] button')
    assert icons.count() >= 3
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stTooltipIcon"] button')]
        .every(b => b.getAttribute('tabindex') === '-1')""", timeout=T)
    # Tab from one answer to the next never lands on a "?"
    _choice(page, "Defect").first.focus()
    for _ in range(12):
        page.keyboard.press("Tab")
        assert not page.evaluate("!!(document.activeElement && document.activeElement.closest('[data-testid=\"stTooltipIcon\"]'))")
    _press(page, KEYS["framework"]["pytorch"])
    page.get_by_role("button", name="Save", exact=True).click()
    settle(page)
    page.get_by_text("Nothing saved: answer the first question, “Reengineering defect?”, before saving").wait_for(
        timeout=T)
    shot(page, shots, "defects-7-first-question-first")
    assert _own(defects_folder, "ana") == {}
    _press(page, KEYS["is_defect"]["defect"])
    assert main.locator('[data-testid="stBaseButton-primary"]').filter(has_text=re.compile("^Defect")).count() == 1
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved (2 changes).").wait_for(timeout=T)
    no_exception(page)
    shot(page, shots, "defects-8-keys")
    assert _own(defects_folder, "ana") == {(FIRST, "is_defect"): "defect", (FIRST, "framework"): "pytorch"}
    page.close()
