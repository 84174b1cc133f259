"""Opening one page of the real app with Streamlit's AppTest, as a coder in single-user mode.

The page tests share this so that how the app is started (the script, the coder, the page switch,
the check that nothing raised) is written once. Sign-in flows use tests/team/_app.py instead.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "studyapp" / "ui" / "app.py")


def serve_to_pages(store, monkeypatch):
    """Point the pages `open_page` opens at `store`'s study, in single-user mode; returns `store`."""
    monkeypatch.setenv("STUDYAPP_STUDY", str(store.folder))
    monkeypatch.setenv("STUDYAPP_AUTH", "0")
    return store


def open_page(page: str, coder: str | None, *, view: str | None = None, timeout: float = 120,
              **state) -> AppTest:
    """The app on `page` (views/<page>.py) as `coder`, with `state` preset in the session and, if
    given, `view` chosen in the page's `<page>.view` radio. Fails on any exception the run raised."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    if coder:
        at.session_state["app.coder"] = coder
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    if page != "home":
        at.switch_page(f"views/{page}.py").run()
    if view is not None:
        at.radio(key=f"{page}.view").set_value(view).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
