"""A real headless Chromium (Debian's package, driven by Playwright) against `studyapp serve`.

Every page is opened in the browser; none may show an exception. Screenshots land in
test-output/browser/ for a person to look at.
"""

from __future__ import annotations

import pytest

from studyapp.ui.views import PAGES

pytestmark = pytest.mark.browser


def test_every_page_renders_in_a_real_browser(server, browser, shots):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    for name, title, _ in PAGES:
        page.goto(f"{server}/{'' if name == 'home' else name}")
        page.get_by_role("heading", name=title if name != "home" else "Tiny", exact=False).first.wait_for(
            timeout=30_000)
        page.wait_for_timeout(300)
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0, f"exception on {name}"
    page.close()


def test_transcript_text_is_shown_as_text_not_html(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/interviews")
    page.get_by_text("turn 1 <script>alert(1)</script>").first.wait_for(timeout=30_000)
    assert page.locator("script:text('alert(1)')").count() == 0
    page.close()
