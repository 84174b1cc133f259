"""What a real-browser test watches on every page: the browser console, uncaught page errors,
requests that leave localhost, Streamlit exceptions, Vega errors and charts drawn without marks.

`watch(page)` starts collecting console messages, page errors and requests; `check_page(page, what)`
asserts nothing went wrong so far on that page and that every chart on screen has marks. Streamlit
draws altair charts with Vega's SVG renderer: a data mark is an element under a `role-mark` group
that is not part of an axis, a legend or a title, so a chart whose data never arrived (the
`distinct_field` error of a broken spec) or whose marks were filtered away has none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlparse

from playwright.sync_api import Page

#: Console noise that says nothing about the app. Opened on a deep link (/defects), Streamlit's
#: front end first probes /defects/_stcore/health and /defects/_stcore/host-config for a base path,
#: logs their 404s and then uses the root: those two requests, and only those, are not the app's.
IGNORED_URLS: tuple[str, ...] = ("/_stcore/health", "/_stcore/host-config")

COUNT_MARKS = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]')]
  .filter(el => el.offsetParent !== null)
  .map(el => {
    const marks = [...el.querySelectorAll('g.role-mark > *')].filter(m =>
      !m.closest('.role-axis, .role-legend, .role-title, .role-axis-label, .role-legend-label'));
    const title = el.querySelector('.role-title-text');
    return {title: title ? title.textContent : (el.getAttribute('aria-label') || ''),
            svg: el.querySelectorAll('svg.marks').length, marks: marks.length,
            error: (el.innerText || '').includes('Error') ? el.innerText.slice(0, 200) : ''};
  })"""


@dataclass
class Watched:
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)


def watch(page: Page) -> Watched:
    """Collect, from now on, the page's console errors, uncaught errors and non-local requests."""
    w = Watched()

    def on_console(msg) -> None:
        where = (msg.location or {}).get("url", "")
        if msg.type == "error" and not where.endswith(IGNORED_URLS):
            w.console_errors.append(f"{msg.text} ({where})" if where else msg.text)

    def on_request(req) -> None:
        host = urlparse(req.url).hostname
        if req.url.startswith(("http:", "https:", "ws:", "wss:")) and host not in ("127.0.0.1", "localhost"):
            w.remote.append(req.url)

    page.on("console", on_console)
    page.on("pageerror", lambda err: w.page_errors.append(str(err)))
    page.on("request", on_request)
    page._studyapp_watched = w  # noqa: SLF001 (a test-only attribute)
    return w


def charts(page: Page) -> list[dict]:
    """Every chart on screen: its title, whether Vega drew an SVG, and how many data marks it has."""
    return page.evaluate(COUNT_MARKS)


def check_page(page: Page, what: str) -> None:
    """Assert that, on `page` so far, the browser logged no error, the app showed no exception and
    every chart on screen was drawn with marks. `what` names the page/view in failure messages."""
    w: Watched = page._studyapp_watched  # noqa: SLF001
    assert not w.page_errors, f"{what}: uncaught browser errors {w.page_errors}"
    assert not w.console_errors, f"{what}: browser console errors {w.console_errors}"
    assert not w.remote, f"{what}: requests left for other hosts {w.remote}"
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, f"{what}: {errors.all_inner_texts()}"
    for chart in charts(page):
        assert chart["svg"] == 1 and not chart["error"], f"{what}: a chart was not drawn: {chart}"
        assert chart["marks"] > 0, f"{what}: chart {chart['title']!r} has no marks"
