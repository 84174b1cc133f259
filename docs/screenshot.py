"""Take the README's screenshot: the demo study's Agreement page in a headless Debian chromium.

Run: python docs/screenshot.py [OUT.png]  (builds the demo study if needed, serves it on a free
port without sign-in, captures the page, stops the server).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from studyapp.paths import DEMO_STUDY
from studyapp.services.demo.build import build_demo

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("screenshot.png")


def main() -> None:
    folder = build_demo(DEMO_STUDY)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(Path(sys.executable).parent / "studyapp"), "serve", str(folder), "--port",
                             str(port), "--no-auth"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                        args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"{url}/agreement")
            page.get_by_text("One row per field, tree level and round").wait_for(timeout=120_000)
            page.wait_for_timeout(3000)
            page.screenshot(path=str(OUT))
            browser.close()
    finally:
        proc.terminate()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
