"""Every page and view of the demo in a real browser, as the lead (issue 14 #2, #9 and the day-one
check): on each, no browser console error, no Streamlit exception, no Vega error, and every chart
has marks. The marks are counted in the chart's own Vega scenegraph (the view vega-embed made,
reached through the chart element's React state), leaving out axes, legends and titles, so a chart
that drew only its frame (an empty dataset, a spec Vega could not evaluate) fails. The workflow
diagram's text must be drawn at 12 px or more. Screenshots: test-output/browser/every-*.png.

A second test downloads a chart's SVG and then its PNG (and PRISMA's), which failed with
`Deferred file ... not found`: each file must arrive whole.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.browser._helpers import BUSY, SIDEBAR, T, open_app, pick_coder

pytestmark = pytest.mark.browser

#: (page, views of its view switcher) in navigation order; "" = the page has no switcher.
PLAN = [("Home", []), ("Papers", ["Screen", "Conflicts", "Extract", "Claims", "Records", "PRISMA", "Import"]),
        ("Interviews", ["Code", "Analyse", "Import", "REFI-QDA"]),
        ("Defects", ["Label", "Analyse", "Workflow", "Import"]),
        ("Agreement", ["Overview", "Field", "Disagreements", "Quote spans", "Report"]), ("Claims", []),
        ("Codebooks", [])]
ANALYSES = ["Frequencies", "By attribute", "Co-occurrence", "Quotes", "Framework matrix", "Saturation"]
CLAIMS = ["C1-turnover", "C3-doc-correlation"]  # the two claim charts issue 14 found wrong
#: Views that must show at least this many charts (so a chart that silently vanished fails too).
CHARTS = {"Home": 1, "Defects-Analyse": 2, "Defects-Workflow": 1, "Agreement-Field": 2,
          "Interviews-Analyse-Frequencies": 1, "Interviews-Analyse-Co-occurrence": 1,
          "Interviews-Analyse-Framework matrix": 1, "Interviews-Analyse-Saturation": 1,
          "Claims-C1-turnover": 1, "Claims-C3-doc-correlation": 1}
#: Vega warnings that mean a chart is wrong (others, e.g. Streamlit's "Dropping fit-y", are layout notes).
VEGA_BAD = re.compile(r"infinite extent|unrecognized|invalid|cannot|undefined|error", re.I)

CHART_MARKS = """() => [...document.querySelectorAll('.vega-embed')].map(el => {
    let view = null;
    const key = Object.keys(el).find(k => k.startsWith('__reactFiber'));
    for (let f = key ? el[key] : null, d = 0; f && d < 40 && !view; d++, f = f.return) {
        for (let s = f.memoizedState; s && !view; s = s.next) {
            const m = s.memoizedState;
            const v = m && typeof m === 'object' && 'current' in m ? m.current : m;
            if (v && typeof v.scenegraph === 'function') view = v;
        }
    }
    const drawn = el.querySelectorAll('svg path, svg rect, svg circle, canvas').length;
    if (!view) return {marks: null, drawn};
    let marks = 0;
    const walk = (node, guide) => {
        if (!node) return;
        const g = guide || (node.marktype && /axis|legend|title/.test(node.role || ''));
        for (const it of node.items || []) {
            if (node.marktype && node.marktype !== 'group' && !g) marks++;
            walk(it, g);
        }
    };
    walk(view.scenegraph().root, false);
    return {marks, drawn};
})"""

DIAGRAM_PX = """() => [...document.querySelectorAll('[data-testid="stGraphVizChart"] svg')].map(svg => {
    const vb = svg.viewBox && svg.viewBox.baseVal;
    const scale = vb && vb.width ? svg.getBoundingClientRect().width / vb.width : 1;
    const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size') || '14') * scale);
    return Math.min(...sizes);
})"""


def settle(page, timeout: float = 60) -> None:
    """`_helpers.settle` with a shorter quiet window (three 200 ms polls): this test has ~35 views to
    visit within its time budget, and the app marks a run as running the moment it is asked for."""
    deadline, quiet = time.monotonic() + timeout, 0
    while quiet < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        quiet = 0 if page.locator(BUSY).count() else quiet + 1


def go(page, title: str) -> None:
    page.locator(SIDEBAR).get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=T)
    settle(page)


class Watch:
    """Console errors, page errors and bad Vega warnings since the last `take()`."""

    def __init__(self, page):
        self.items: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.items.append(f"page error: {e}"))

    def _console(self, msg) -> None:
        if msg.type == "error" or (msg.type == "warning" and msg.text.startswith("WARN") and VEGA_BAD.search(msg.text)):
            self.items.append(f"console {msg.type}: {msg.text}")

    def take(self) -> list[str]:
        out, self.items = self.items, []
        return out


def _switch(page, view: str, group: int = 0) -> None:
    """Click `view` in the page's view switcher (a radio group or a segmented control)."""
    radios = page.locator('main [data-testid="stRadio"]').first
    buttons = page.locator('main [data-testid="stButtonGroup"]').nth(group)
    if buttons.count() and buttons.get_by_text(view, exact=True).count():
        buttons.get_by_text(view, exact=True).first.click()
    else:
        radios.get_by_text(view, exact=True).first.click()
    settle(page)


def _check(page, watch: Watch, shots, name: str, problems: list[str], charts: dict) -> None:
    if page.locator(BUSY).count():
        settle(page)
    if page.locator('[data-testid="stVegaLiteChart"]').count():
        page.wait_for_timeout(300)  # vega-embed draws after the run ends
    page.screenshot(path=str(shots / f"every-{name}.png"))
    problems += [f"{name}: {p}" for p in watch.take()]
    exc = page.locator('[data-testid="stException"]')
    if exc.count():
        problems.append(f"{name}: exception {exc.first.inner_text()[:300]}")
    drawn = page.evaluate(CHART_MARKS)
    charts[name] = drawn
    for i, c in enumerate(drawn):
        if c["marks"] is None:
            if not c["drawn"]:
                problems.append(f"{name}: chart {i + 1} drew nothing")
        elif c["marks"] == 0:
            problems.append(f"{name}: chart {i + 1} has no marks")
    if len(drawn) < CHARTS.get(name, 0):
        problems.append(f"{name}: {len(drawn)} chart(s), expected {CHARTS[name]}")
    if name == "Defects-Workflow":
        sizes = page.evaluate(DIAGRAM_PX)
        if not sizes or min(sizes) < 12:
            problems.append(f"{name}: workflow diagram text at {sizes} px (needs >= 12)")


def test_every_page_and_view_as_the_lead(serve, demo_study, browser, shots):
    started = time.monotonic()
    url = serve(demo_study)
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    watch = Watch(page)
    open_app(page, url)
    pick_coder(page, "alice (lead)")
    problems: list[str] = []
    charts: dict = {}
    for title, views in PLAN:
        if title != "Home":
            go(page, title)
        if not views:
            _check(page, watch, shots, title, problems, charts)
        for i, view in enumerate(views):
            if i:  # the first view is the one the page opens on
                _switch(page, view)
            if (title, view) != ("Interviews", "Analyse"):
                _check(page, watch, shots, f"{title}-{view}", problems, charts)
                continue
            for j, a in enumerate(ANALYSES):  # Analyse opens on Frequencies
                if j:
                    _switch(page, a, group=1)
                _check(page, watch, shots, f"{title}-{view}-{a}", problems, charts)
        if title == "Claims":
            box = page.locator('main [data-testid="stSelectbox"]').filter(
                has=page.locator('[data-testid="stWidgetLabel"]', has_text="Claim")).first
            for cid in CLAIMS:
                box.locator("input").first.click()
                page.get_by_role("option", name=re.compile(f"^{cid}:")).first.click(timeout=T)
                settle(page)
                _check(page, watch, shots, f"Claims-{cid}", problems, charts)
    page.close()
    assert not problems, "\n".join(problems)
    assert sum(len(v) for v in charts.values()) >= 12, charts
    assert time.monotonic() - started < 120  # the walk itself, server start included (~60-90 s)


def _download(page, button) -> bytes:
    with page.expect_download(timeout=T) as info:
        button.click()
    d = info.value
    assert d.failure() is None, d.failure()
    return open(d.path(), "rb").read()


def test_svg_then_png_downloads_both_arrive(serve, demo_study, browser, shots):
    url = serve(demo_study)
    page = browser.new_page(viewport={"width": 1400, "height": 2400}, accept_downloads=True)
    watch = Watch(page)
    open_app(page, url)
    pick_coder(page, "alice (lead)")
    go(page, "Papers")
    _switch(page, "PRISMA")
    main = page.locator("main")
    svg = _download(page, main.get_by_role("button", name="SVG", exact=True).first)
    png = _download(page, main.get_by_role("button", name="PNG (print resolution)").first)
    assert svg.lstrip().startswith(b"<svg") and png.startswith(b"\x89PNG")
    go(page, "Defects")
    _switch(page, "Analyse")
    row = main.locator('[data-testid="stDownloadButton"]')
    files = [_download(page, row.filter(has_text=fmt).first) for fmt in ("SVG", "PNG", "LaTeX", "SVG", "PNG")]
    assert files[0].lstrip().startswith(b"<svg") and files[1].startswith(b"\x89PNG") and b"\\toprule" in files[2]
    assert files[3] == files[0] and files[4].startswith(b"\x89PNG")
    go(page, "Papers")  # the review's exports, one after another (each once lost the next one's file)
    _switch(page, "Import")
    bib = _download(page, main.get_by_role("button", name="included.bib", exact=True))
    csv = _download(page, main.get_by_role("button", name="screening.csv", exact=True))
    xlsx = _download(page, main.get_by_role("button", name="extraction.xlsx", exact=True))
    assert b"@" in bib and b"," in csv and xlsx.startswith(b"PK")
    page.screenshot(path=str(shots / "every-downloads.png"), full_page=True)
    assert not watch.take()
    assert page.locator(SIDEBAR).count()
