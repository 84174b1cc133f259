"""A real headless Chromium (Debian's package, driven by Playwright) against `studyapp serve`.

Every page is opened in the browser; none may show an exception. Screenshots land in
test-output/browser/ for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from studyapp.ui.pages import PAGES

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "test-output" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(ui_study):
    port = _free_port()
    log = (OUT.parent / "serve.log")
    OUT.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([str(Path(sys.executable).parent / "studyapp"), "serve", str(ui_study.folder),
                             "--port", str(port)], stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail(f"studyapp serve did not come up; see {log}")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: `make test` installs it with apt-get")
        pytest.skip("Debian's chromium is not installed (`make test` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


def test_every_page_renders_in_a_real_browser(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    for name, title, _ in PAGES:
        page.goto(f"{server}/{'' if name == 'home' else name}")
        page.get_by_role("heading", name=title if name != "home" else "Tiny", exact=False).first.wait_for(
            timeout=30_000)
        page.wait_for_timeout(300)
        page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0, f"exception on {name}"
    page.close()


def test_transcript_text_is_shown_as_text_not_html(server, browser):
    page = browser.new_page()
    page.goto(f"{server}/interviews")
    page.get_by_text("turn 1 <script>alert(1)</script>").first.wait_for(timeout=30_000)
    assert page.locator("script:text('alert(1)')").count() == 0
    page.close()
