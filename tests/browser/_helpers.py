"""Helpers for the real-browser tests: wait for a Streamlit run to end, sign in and out, pick the
coder, move between pages without losing the session, choose in Streamlit's widgets, read a
dataframe's cells and save a screenshot per step.

Streamlit redraws the page after every interaction (a "rerun"), so every action is followed by
`settle(page)`. Navigate with `go(page, "Agreement")` (the sidebar link), not `page.goto(...)`: a
new page load is a new session, which signs the coder out.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

#: Anything on screen while a script run is going on or about to redraw.
BUSY = ('[data-testid="stApp"][data-test-script-state="running"], '
        '[data-testid="stApp"][data-test-script-state="rerunRequested"], '
        '[data-testid="stStatusWidget"], [data-testid="stSkeleton"]')
SIDEBAR = '[data-testid="stSidebar"]'
T = 30_000  # generous timeout (ms) for anything a rerun draws


def settle(page: Page, timeout: float = 60) -> None:
    """Wait until the script run is over: nothing busy for three polls in a row (about a second)."""
    deadline, quiet = time.monotonic() + timeout, 0
    while quiet < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(300)
        quiet = 0 if page.locator(BUSY).count() else quiet + 1


def shot(page: Page, shots: Path, name: str) -> None:
    """A full-page screenshot `name.png` in the test-output folder, once the page is not busy."""
    if page.locator(BUSY).count():
        settle(page)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def no_exception(page: Page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.all_inner_texts()


def blur(page: Page) -> None:
    """Leave the focused widget: its blur reflows the layout, so do it before clicking elsewhere."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    settle(page)


def open_app(page: Page, url: str, path: str = "") -> None:
    page.goto(f"{url}/{path}")
    page.locator('[data-testid="stApp"]').wait_for(timeout=T)
    page.locator("h1").first.wait_for(timeout=T)
    settle(page)


def sign_in(page: Page, name: str, password: str) -> None:
    """Fill in the sign-in form (served with auth) and submit it."""
    page.get_by_role("textbox", name="Coder name").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    settle(page)


def signed_in_as(page: Page) -> str:
    """The sidebar's "Signed in as NAME (role)" line, or "" when nobody is signed in."""
    line = page.locator(SIDEBAR).get_by_text("Signed in as")
    return line.first.inner_text() if line.count() else ""


def sign_out(page: Page) -> None:
    page.locator(SIDEBAR).get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for(timeout=T)
    settle(page)


def coding_as(page: Page) -> str:
    """What the sidebar's "Coding as" box shows (Streamlit draws the choice in an input or a div)."""
    box = page.locator(f'{SIDEBAR} [data-testid="stSelectbox"]').first
    inputs = box.locator("input")
    shown = inputs.first.input_value() if inputs.count() else ""
    return f"{box.inner_text()} {shown}"


def pick_coder(page: Page, option: str) -> None:
    """Choose whom to code as in single-user mode (`option` as shown, e.g. "bob (coder)")."""
    _open_list(page, page.locator(f'{SIDEBAR} [data-testid="stSelectbox"]').first)
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)
    assert option in coding_as(page)


def go(page: Page, title: str, heading: str | None = None) -> None:
    """Open a page from the sidebar's navigation (the session, and so the sign-in, is kept) and wait
    for its heading (`heading`, else the page's title; Home's heading is the study's title)."""
    page.locator(SIDEBAR).get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=heading or title).first.wait_for(timeout=T)
    settle(page)


def widget(page: Page, testid: str, label: str) -> Locator:
    """The Streamlit widget of a kind (stSelectbox, stMultiSelect, stRadio...) whose label is `label`."""
    return page.locator(f'[data-testid="{testid}"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=label)).first


def _open_list(page: Page, box: Locator) -> None:
    """Open a selectbox's list; a click that lands while the layout still moves may not open it."""
    for _ in range(4):
        box.locator("input").first.click()
        try:
            page.get_by_role("option").first.wait_for(timeout=1_500)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            blur(page)
    raise AssertionError(f"the list of {box.inner_text()!r} did not open")


def choose(page: Page, label: str, option: str, *, exact: bool = True) -> None:
    """Pick `option` in the selectbox labelled `label`."""
    _open_list(page, widget(page, "stSelectbox", label))
    page.get_by_role("option", name=option, exact=exact).first.click()
    settle(page)


def selectbox_options(page: Page, label: str) -> list[str]:
    """The options the selectbox labelled `label` offers (opens and closes its list)."""
    _open_list(page, widget(page, "stSelectbox", label))
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    blur(page)
    return options


def multiselect(page: Page, label: str, options: list[str]) -> None:
    """Type each option into the multiselect labelled `label` and press Enter, then leave it."""
    box = widget(page, "stMultiSelect", label)
    for option in options:
        box.locator("input").click()
        page.keyboard.type(option)
        page.get_by_role("option", name=option, exact=True).first.wait_for(timeout=T)
        page.keyboard.press("Enter")
        settle(page)
    page.keyboard.press("Escape")
    blur(page)


def radio(page: Page, label: str, option: str) -> None:
    """Click `option` of the radio group labelled `label`."""
    widget(page, "stRadio", label).get_by_text(option, exact=True).click()
    settle(page)


def grid(locator: Locator) -> list[dict[str, str]]:
    """The cells of an st.dataframe as {column: text} rows, read from the accessible table that the
    canvas grid keeps in the page (the rows and columns currently scrolled into view)."""
    locator.locator("table").first.wait_for(state="attached", timeout=T)
    return locator.evaluate("""el => {
        const t = el.querySelector('table');
        const head = [...t.querySelectorAll('thead th')].map(th => th.innerText.trim());
        return [...t.querySelectorAll('tbody tr')].map(tr => Object.fromEntries(
            [...tr.querySelectorAll('td')].map((td, i) => [head[i], td.innerText.trim()])));
    }""")


def alerts(page: Page, kind: str = "stAlertContentError") -> list[str]:
    """Texts of the alerts of a kind shown now (stAlertContentError, ...Success, ...Info, ...Warning)."""
    return page.locator(f'[data-testid="{kind}"]').all_inner_texts()


def drag_over(page: Page, turn: str, words: str) -> None:
    """Select `words` in a transcript turn (`turn`: its CSS selector, e.g. `.sa-seg[data-key='KEY']`)
    as a person does: press the mouse just inside the first letter and release inside the last."""
    box = page.evaluate("""([sel, words]) => {
        const node = document.querySelector(sel + ' .sa-text').firstChild, i = node.textContent.indexOf(words);
        const r = document.createRange();
        r.setStart(node, i); r.setEnd(node, i + 1);
        const a = r.getBoundingClientRect();
        r.setStart(node, i + words.length - 1); r.setEnd(node, i + words.length);
        const b = r.getBoundingClientRect();
        return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
    }""", [turn, words])
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, (box["y1"] + box["y2"]) / 2, steps=4)
    page.mouse.move(box["x2"], box["y2"], steps=4)
    page.mouse.up()


def pick_code(page: Page, picker: str, name: str) -> None:
    """Type `name` into the code picker whose label contains `picker`, choose its option, leave it."""
    page.locator('[data-testid="stMultiSelect"]').filter(has_text=picker).locator("input").click()
    page.keyboard.type(name)
    page.get_by_role("option", name=re.compile(re.escape(name))).first.click()
    page.keyboard.press("Escape")
    blur(page)
