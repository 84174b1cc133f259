"""Real-browser fixtures: `studyapp serve` on a free localhost port, and Debian's chromium via Playwright.

Use `serve(folder)` to start the app on any study folder (it is stopped after the test), and
`browser` for a headless Chromium. Screenshots go to `OUT` (test-output/browser/). `demo_study` is
the demo study built in a temporary folder. Helpers to drive the pages (settle after a rerun, sign
in, pick the coder, read a dataframe) are in `_helpers.py`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "test-output" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(folder, auth: bool, procs: list) -> str:
    port = _free_port()
    log = OUT.parent / f"serve-{port}.log"
    cmd = [str(Path(sys.executable).parent / "studyapp"), "serve", str(folder), "--port", str(port)]
    proc = subprocess.Popen(cmd + ([] if auth else ["--no-auth"]), stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    procs.append(proc)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return url
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"studyapp serve did not come up; see {log}")


def _stop(procs: list) -> None:
    for proc in procs:
        # The whole process group: `studyapp serve` runs Streamlit as a child, which would outlive it.
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)


@pytest.fixture
def serve():
    """Factory: serve(folder, auth=False) -> base URL of `studyapp serve folder` on a free port.
    Without `auth` the app runs in single-user mode (`--no-auth`): tests pick the coder in the sidebar."""
    procs: list = []
    OUT.mkdir(parents=True, exist_ok=True)
    yield lambda folder, auth=False: _start(folder, auth, procs)
    _stop(procs)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


@pytest.fixture
def shots() -> Path:
    """Folder for screenshots a person can look at after the run."""
    OUT.mkdir(parents=True, exist_ok=True)
    return OUT


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server for a module's read-only tests, on its own copy of the tiny UI study (the `ui_study`
    fixture's data): starting Streamlit is paid once per module, not once per test."""
    from tests.conftest import TINY_CODEBOOK, add_ui_data, make_tiny_study

    folder = tmp_path_factory.mktemp("ui-server")
    (folder / "tiny.yaml").write_text(TINY_CODEBOOK, encoding="utf-8")
    store = make_tiny_study(folder / "study", folder / "tiny.yaml")
    add_ui_data(store)
    store.close()
    procs: list = []
    OUT.mkdir(parents=True, exist_ok=True)
    yield _start(folder / "study", False, procs)
    _stop(procs)


@pytest.fixture
def demo_study(demo_copy) -> Path:
    """The demo study (data/demo) in a temporary folder (a copy of the one built for the session):
    coders alice (lead), bob and chen, whose passwords are NAME-demo."""
    return demo_copy


@pytest.fixture(scope="session")
def _playwright_browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: `make test` installs it with apt-get")
        pytest.skip("Debian's chromium is not installed (`make test` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def browser(_playwright_browser):
    return _playwright_browser
