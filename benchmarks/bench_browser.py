"""Views timed in a real browser: Defects -> Label and Defects -> Analyse on the small demo study.

Serves a copy of the demo study with `studyapp serve` and drives Debian's chromium through
Playwright (as the browser tests do). Each figure is the time from the action (opening the page,
clicking a view) until Streamlit's script run is over and nothing on the page is busy, polled
every 25 ms; the median of --repeat runs is printed beside the target (issue 16: < 0.5 s). The
floor is the same wait after a rerun of the Home page, which draws almost nothing.
Run: python benchmarks/bench_browser.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
BUSY = ('[data-testid="stApp"][data-test-script-state="running"], '
        '[data-testid="stApp"][data-test-script-state="rerunRequested"], '
        '[data-testid="stStatusWidget"], [data-testid="stSkeleton"]')


def done(page, t0: float, timeout: float = 60.0) -> float:
    """Seconds from t0 until the script run the action started is over: the app must first show
    it is busy (a rerun starts one websocket round trip after the click), then nothing may be
    busy for two polls in a row (the quiet polls are not counted)."""
    seen, quiet, last_busy = False, 0, t0
    deadline = t0 + timeout
    while time.perf_counter() < deadline:
        busy = page.locator(BUSY).count() > 0
        if busy:
            seen, quiet, last_busy = True, 0, time.perf_counter()
        elif seen:
            quiet += 1
            if quiet >= 2:
                break
        elif time.perf_counter() - t0 > 3.0:  # never went busy: nothing was rerun
            break
        page.wait_for_timeout(25)
    return last_busy - t0


def serve(folder: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(Path(sys.executable).parent / "studyapp"), "serve", str(folder), "--port", str(port),
                             "--no-auth"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return proc, url
        except OSError:
            time.sleep(0.2)
    raise SystemExit("studyapp serve did not come up")


def measure(repeat: int = 5) -> dict[str, float]:
    """{view: median seconds} over `repeat` rounds; "Home rerun (floor)" is the floor."""
    from playwright.sync_api import sync_playwright

    from studyapp.services.demo.build import build_demo

    rows: dict[str, list[float]] = {"Home rerun (floor)": [], "Defects -> Label (open the page)": [],
                                    "Defects -> Analyse": [], "Defects -> Label (back from Analyse)": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = build_demo(Path(tmp) / "demo")
        proc, url = serve(folder)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{url}/")
                page.locator("h1").first.wait_for(timeout=60_000)
                done(page, time.perf_counter())
                sidebar = page.locator('[data-testid="stSidebar"]')
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    sidebar.get_by_role("link", name="Home").first.click()
                    rows["Home rerun (floor)"].append(done(page, t0))
                    t0 = time.perf_counter()
                    sidebar.get_by_role("link", name="Defects").first.click()
                    page.get_by_role("heading", name="Defects").first.wait_for(timeout=60_000)
                    shown = time.perf_counter() - t0  # the run may be over before a busy poll sees it
                    rows["Defects -> Label (open the page)"].append(max(shown, done(page, t0)))
                    t0 = time.perf_counter()
                    page.get_by_text("Analyse", exact=True).first.click()
                    rows["Defects -> Analyse"].append(done(page, t0))
                    t0 = time.perf_counter()
                    page.get_by_text("Label", exact=True).first.click()
                    rows["Defects -> Label (back from Analyse)"].append(done(page, t0))
                browser.close()
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
    return {name: statistics.median(times) for name, times in rows.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    medians = measure(args.repeat)
    floor = medians["Home rerun (floor)"]
    print(f"real Chromium, demo study, median of {args.repeat} (target < 0.5 s):")
    for name, med in medians.items():
        print(f"  {name:40} {med:6.2f} s = {med / floor:5.1f}x the Home rerun")


if __name__ == "__main__":
    main()
