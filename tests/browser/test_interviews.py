"""Coding an interview in a real browser (headless Debian chromium through Playwright): a coder drags
the mouse over words in a turn, tags the selection with a code picked by typing, reloads and sees the
quote highlighted and the code chip; a second coder sees neither (blind coding). Screenshots land in
test-output/browser/interviews-*.png."""

from __future__ import annotations

import pytest

from studyapp.services.interviews.imports import import_transcripts
from studyapp.services.study.study import init_study
from studyapp.store import Store
from tests.browser._helpers import blur, coding_as, drag_over, pick_coder, settle
from tests.interviews.conftest import CODEBOOK, SAMPLES

pytestmark = pytest.mark.browser
TURN = ".sa-seg[data-key='interview-03:2']"
QUOTE = "downloads and likes"


@pytest.fixture
def interview_study(tmp_path):
    store = init_study(tmp_path / "study", title="Interview browser test", codebooks=[CODEBOOK])
    for name, role in (("bob", "coder"), ("chen", "coder"), ("lea", "lead")):
        store.coders.add(name, role)
    import_transcripts(store, [SAMPLES / "interview-03.vtt"], participant="P3")
    store.close()
    return tmp_path / "study"


def _drag_over(page, words: str) -> None:
    drag_over(page, TURN, words)


def test_a_coder_tags_a_mouse_selection_and_sees_it_after_reload(interview_study, serve, browser, shots):
    url = serve(interview_study)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/interviews?t=interview-03")
    page.locator(f"{TURN} .sa-text").wait_for(timeout=30_000)
    settle(page)
    page.screenshot(path=str(shots / "interviews-open.png"), full_page=True)
    assert "bob (coder)" in coding_as(page)

    _drag_over(page, QUOTE)
    page.get_by_text("Selected text").wait_for(timeout=15_000)
    settle(page)
    assert page.locator(f"{TURN} mark.sa-pending").inner_text() == QUOTE
    picker = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Codes for this quote")
    picker.locator("input").click()
    page.keyboard.type("Popularity")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    # Leave the picker first: its blur reflows the panel, and a click that starts before the reflow
    # ends on another element.
    blur(page)
    page.screenshot(path=str(shots / "interviews-picked.png"), full_page=True)
    page.get_by_role("button", name="Tag selection").click()
    page.get_by_text("saved with 1 code").wait_for(timeout=15_000)
    page.screenshot(path=str(shots / "interviews-tagged.png"), full_page=True)

    with Store.open(interview_study) as store:
        [span] = store.transcripts.spans()
        seg = store.units.require(span["unit_id"])
    assert (span["coder"], span["snippet"], span["codes"]) == ("bob", QUOTE, [["attributes", "popularity"]])
    assert seg["text"][span["start"]:span["end"]] == QUOTE

    page.reload()
    page.locator(f"{TURN} mark.sa-hl").wait_for(timeout=30_000)
    settle(page)
    assert page.locator(f"{TURN} mark.sa-hl").inner_text() == QUOTE
    assert page.locator(f"{TURN} .sa-chip").all_inner_texts() == ["Popularity"]
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(shots / "interviews-reloaded.png"), full_page=True)

    pick_coder(page, "chen (coder)")
    page.locator(f"{TURN} .sa-text").wait_for(timeout=15_000)
    assert page.locator(f"{TURN} mark.sa-hl").count() == 0
    assert page.locator(f"{TURN} .sa-chip").count() == 0
    page.screenshot(path=str(shots / "interviews-second-coder.png"), full_page=True)
    page.close()


def test_a_lead_creates_a_code_while_coding_and_tags_the_turn_with_it(interview_study, serve, browser, shots):
    """In-vivo coding (issue 14): the lead creates "Licence worries" in the coding view; the code is in
    a new codebook version, in the history, and offered by the picker at once; a coder sees no box."""
    from studyapp.services.coding.codebooks import get_codebook
    from tests.browser._helpers import choose, no_exception

    url = serve(interview_study)
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(f"{url}/interviews?t=interview-03")
    page.locator(f"{TURN} .sa-text").wait_for(timeout=30_000)
    settle(page)
    assert page.get_by_text("New code (lead)").count() == 0  # bob is a coder
    pick_coder(page, "lea (lead)")
    page.get_by_text("New code (lead)").click()
    settle(page)
    with Store.open(interview_study) as store:
        cb = get_codebook(store, "ptm-reuse-interviews")
    field = next(f for f in cb.fields if f.is_coded and not f.parent_field)
    choose(page, "Field", field.label)
    page.get_by_role("textbox", name="Label").fill("Licence worries")
    page.get_by_role("button", name="Create code").click()
    settle(page)
    page.get_by_text(f"Code “Licence worries” added to {field.label}").wait_for(timeout=30_000)
    no_exception(page)
    page.screenshot(path=str(shots / "interviews-new-code.png"), full_page=True)
    with Store.open(interview_study) as store:
        new = get_codebook(store, "ptm-reuse-interviews")
        assert new.version == f"{cb.version}+1" and new.require_field(field.id).code("licence-worries")
        assert store.query("SELECT actor FROM history WHERE action = 'codebook.add_code'") == [{"actor": "lea"}]
    page.close()


def _overlap(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def test_the_code_picker_adds_one_code_per_pick_and_its_list_leaves_tag_selection_free(
        interview_study, serve, browser, shots):
    """Issue 14 #6: typing "licen" offered "Select 7 matches" first (a fuzzy match over whole paths) and
    the open list covered "Tag selection". Now: the two License codes, told apart, and nothing else."""
    url = serve(interview_study)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{url}/interviews?t=interview-03")
    page.locator(f"{TURN} .sa-text").wait_for(timeout=30_000)
    settle(page)
    _drag_over(page, QUOTE)
    page.get_by_text("Selected text").wait_for(timeout=15_000)
    settle(page)
    picker = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Codes for this quote")
    picker.locator("input").click()
    page.keyboard.type("licen")
    page.get_by_role("option").first.wait_for(timeout=15_000)
    page.wait_for_timeout(300)
    options = page.get_by_role("option").all_inner_texts()
    page.screenshot(path=str(shots / "interviews-picker-open.png"), full_page=True)
    assert options == ["Portability › License", "Model selection factors › License"], options
    listbox = page.get_by_role("listbox").bounding_box()
    # The open list hides the rest of the page from roles: find the button by its text.
    button = page.locator("button").filter(has_text="Tag selection").bounding_box()
    assert not _overlap(listbox, button), (listbox, button)
    page.keyboard.press("Enter")  # picks the first match only
    page.keyboard.press("Escape")
    blur(page)
    assert picker.locator('[data-baseweb="tag"], [data-testid="stMultiSelectTag"]').count() == 1 \
        or picker.inner_text().count("License") == 1
    with Store.open(interview_study) as store:
        assert store.transcripts.count_spans() == 0, "nothing is saved before Tag selection"
    page.get_by_role("button", name="Tag selection").click()
    page.get_by_text("saved with 1 code").wait_for(timeout=15_000)
    with Store.open(interview_study) as store:
        [span] = store.transcripts.spans()
    assert span["codes"] == [["attributes", "license"]]
    page.close()
