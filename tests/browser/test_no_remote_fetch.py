"""M6 (issue 17) in a real browser: a study whose imported paper, issue and transcript carry
`![](http://beacon.invalid/x.png)` (and `data:` / `javascript:` links) is served and every page that
shows that text is opened in headless chromium; no request ever leaves for the beacon's host (the
Playwright `request` event sees every fetch the page starts, failed ones included), no `<img>` points
at it and no link is a `data:` or `javascript:` URL (a plain link to the host is no fetch and may
stay). Screenshots: test-output/browser/beacon-*.png."""

from __future__ import annotations

import pytest

from tests.browser._helpers import go, no_exception, settle
from tests.security.test_no_remote_images import beacon_study

pytestmark = pytest.mark.browser
HOST = "beacon.invalid"


def test_imported_text_makes_no_request_to_a_remote_host(tmp_path, serve, browser, shots):
    url = serve(beacon_study(tmp_path))
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.locator('[data-testid="stApp"]').wait_for(timeout=30_000)
    settle(page)
    for title, check in (("Papers", "A study"), ("Defects", "Title"), ("Interviews", "the card")):
        go(page, title)
        page.get_by_text(check).first.wait_for(timeout=30_000)
        settle(page)
        no_exception(page)
        page.screenshot(path=str(shots / f"beacon-{title.lower()}.png"), full_page=True)
        bad = page.evaluate("""() => [
            ...[...document.querySelectorAll('img, image, source, video, audio, iframe, object, embed')]
                .map(e => e.getAttribute('src') || e.getAttribute('href') || e.getAttribute('data') || '')
                .filter(u => /beacon\\.invalid/i.test(u)),
            ...[...document.querySelectorAll('a[href]')].map(e => e.getAttribute('href'))
                .filter(u => /^\\s*(data|javascript|vbscript):/i.test(u))]""")
        assert bad == [], f"{title}: {bad}"
    assert [u for u in requests if HOST in u] == [], "a page fetched the beacon"
    page.close()
