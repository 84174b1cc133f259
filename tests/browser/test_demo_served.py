"""The newcomer's first command, for real: `studyapp demo DIR --port P` builds the demo study and
serves it with sign-in; its sign-in page lists the demo accounts; signed in as alice (the lead),
headless Chromium opens every page by its address (a new page load each time: the sign-in lasts),
none shows an exception, and the home page shows the demo's counts. Screenshots land in
test-output/browser/demo-*.png."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from studyapp.ui.views import PAGES

pytestmark = pytest.mark.browser
OUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"
TITLE = "Demo: reusing pre-trained models"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settled(page, timeout: float = 60) -> None:
    """Wait until the script run is over: no running indicator and no placeholder for a second."""
    busy = '[data-testid="stStatusWidget"], [data-testid="stSkeleton"]'
    deadline, quiet = time.monotonic() + timeout, 0
    while quiet < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(350)
        quiet = 0 if page.locator(busy).count() else quiet + 1


@pytest.fixture
def demo_url(tmp_path):
    OUT.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    log = OUT.parent / f"demo-{port}.log"
    env = {k: v for k, v in os.environ.items() if k not in ("STUDYAPP_STUDY", "STUDYAPP_AUTH")}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "studyapp"), "demo", str(tmp_path / "demo"),
                             "--port", str(port)], stdout=log.open("w"), stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"studyapp demo exited with {proc.returncode}; see {log}")
                time.sleep(0.3)
        else:
            pytest.fail(f"studyapp demo did not come up; see {log}")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the demo command and the Streamlit server it started
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_the_served_demo_shows_every_page_populated(demo_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(demo_url)
    page.get_by_role("heading", name="Sign in").wait_for(timeout=30_000)
    _settled(page)
    rows = [[c.strip() for c in tr.locator("td, th").all_inner_texts()]
            for tr in page.locator('[data-testid="stTable"] tr').all()]
    for row in (["alice", "lead", "alice-demo"], ["bob", "coder", "bob-demo"], ["chen", "coder", "chen-demo"]):
        assert any(r[-3:] == row for r in rows), rows
    page.screenshot(path=str(OUT / "demo-sign-in.png"), full_page=True)
    page.get_by_role("textbox", name="Coder name").fill("alice")
    page.get_by_role("textbox", name="Password").fill("alice-demo")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=TITLE, exact=False).first.wait_for(timeout=30_000)
    _settled(page)
    for name, title, _ in PAGES:
        page.goto(f"{demo_url}/{'' if name == 'home' else name}")
        page.get_by_role("heading", name=TITLE if name == "home" else title, exact=False).first.wait_for(
            timeout=30_000)
        _settled(page)
        page.screenshot(path=str(OUT / f"demo-{name}.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0, f"exception on {name}"
        assert page.get_by_text("Signed in as alice (lead)").count() == 1, f"signed out on {name}"
        if name == "home":
            metrics = page.locator('[data-testid="stMetric"]').all_inner_texts()
            assert any("Defects" in m and "101" in m for m in metrics), metrics
            assert any("Papers" in m and "43" in m for m in metrics), metrics  # 42 found by search, 1 by snowballing
    page.close()
