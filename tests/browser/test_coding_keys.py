"""Coding speed in a real browser: the recent-codes row, keyboard shortcuts (j/k between turns, a
digit applies a recent code to the mouse selection as a quote) and a memo on a quote.
Screenshots: test-output/browser/keys-*.png."""

from __future__ import annotations

import pytest

from studyapp.services.interviews.imports import import_transcripts
from studyapp.services.interviews.spans import tag_segment
from studyapp.services.study.study import init_study
from studyapp.store import Store
from tests.browser._helpers import blur, settle, shot
from tests.browser.test_interviews import QUOTE, TURN, _drag_over
from tests.interviews.conftest import CODEBOOK, SAMPLES

pytestmark = pytest.mark.browser
CB = "ptm-reuse-interviews"


@pytest.fixture
def keyed_study(tmp_path):
    store = init_study(tmp_path / "study", title="Keys browser test", codebooks=[CODEBOOK])
    for name, role in (("bob", "coder"), ("lea", "lead")):
        store.coders.add(name, role)
    import_transcripts(store, [SAMPLES / "interview-03.vtt"], participant="P3")
    first = store.units.by_key("segment", "interview-03:1")
    tag_segment(store, first["id"], "bob", ["attributes:license"], codebook=CB)  # a recent code
    store.close()
    return tmp_path / "study"


def _turn_box(page) -> str:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Turn").first
    inputs = box.locator("input")
    return f"{box.inner_text()} {inputs.first.input_value() if inputs.count() else ''}"


def test_keys_move_between_turns_and_apply_a_recent_code_to_the_selection(keyed_study, serve, browser, shots):
    url = serve(keyed_study)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/interviews?t=interview-03")
    page.locator(f"{TURN} .sa-text").wait_for(timeout=30_000)
    settle(page)
    page.get_by_role("button", name="1 License").wait_for(timeout=30_000)
    assert "#1" in _turn_box(page)
    page.locator("h1").first.click()  # focus the page, not a field
    page.keyboard.press("j")
    settle(page)
    assert "#2" in _turn_box(page)
    page.keyboard.press("k")
    settle(page)
    assert "#1" in _turn_box(page)
    shot(page, shots, "keys-1-moved")

    _drag_over(page, QUOTE)
    page.get_by_text("Selected text").wait_for(timeout=15_000)
    settle(page)
    blur(page)
    page.keyboard.press("1")
    page.get_by_text("saved with attributes:license").wait_for(timeout=15_000)
    settle(page)
    shot(page, shots, "keys-2-tagged-by-key")
    with Store.open(keyed_study) as store:
        [span] = store.transcripts.spans()
    assert (span["snippet"], span["codes"]) == (QUOTE, [["attributes", "license"]])

    memo = page.get_by_placeholder("Memo on this quote…")
    memo.fill("the two signals she trusts")
    memo.press("Enter")
    settle(page)
    page.get_by_text(f"Memo on quote {span['id']} saved").wait_for(timeout=15_000)
    with Store.open(keyed_study) as store:
        assert store.transcripts.require_span(span["id"])["note"] == "the two signals she trusts"
    shot(page, shots, "keys-3-memo")
    page.close()
