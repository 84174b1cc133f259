"""Code and retrieve in a real browser, on the demo study: bob picks a code in the Interviews page's
Retrieve view and reads his quotes with their participant and turn (others' only in open rounds),
filters them by a participant attribute and downloads them as DOCX. Screenshot:
test-output/browser/retrieve-*.png."""

from __future__ import annotations

import io

import pytest

from tests.browser._helpers import (
    T,
    choose,
    multiselect,
    no_exception,
    pick_coder,
    settle,
    shot,
)

pytestmark = pytest.mark.browser


def test_a_coder_retrieves_the_quotes_of_a_code(demo_study, serve, browser, shots):
    import docx

    url = serve(demo_study)
    page = browser.new_page(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
    page.goto(f"{url}/interviews")
    page.locator('[data-testid="stApp"]').wait_for(timeout=T)
    settle(page)
    pick_coder(page, "bob (coder)")
    page.locator('[data-testid="stButtonGroup"] button').filter(has_text="Retrieve").first.click()
    settle(page)
    multiselect(page, "Codes (a parent code", ["Dataset details"])
    page.get_by_text("quote(s)").first.wait_for(timeout=T)
    no_exception(page)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "3 quote(s)" in text and "interview-01 turn 4" in text  # bob's and, the pilot being open, chen's
    shot(page, shots, "retrieve-1-code")
    choose(page, "Participant attribute", "role")
    settle(page)
    value = page.locator('[data-testid="stSelectbox"]').filter(has_text="Value").first
    inputs = value.locator("input")
    shown = f"{value.inner_text()} {inputs.first.input_value() if inputs.count() else ''}"
    assert "Machine learning engineer" in shown, shown  # the first value, and the filter uses it
    choose(page, "Value", "Research engineer")
    page.get_by_text("0 quote(s)").wait_for(timeout=T)  # P2 (a research engineer) said none of these
    shot(page, shots, "retrieve-2-attribute")
    choose(page, "Value", "Machine learning engineer")
    page.get_by_text("3 quote(s)").wait_for(timeout=T)
    no_exception(page)
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="DOCX").click()
    d = docx.Document(io.BytesIO(open(dl.value.path(), "rb").read()))
    assert any("Dataset details" in p.text for p in d.paragraphs)
