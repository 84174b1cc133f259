"""Rounds per codebook and memos by round, in a real browser on the demo (issues 14 #1, 17 H1): bob
opens Interviews -> Code and Defects -> Label on the codebook's active round `main`, the Round boxes
list only the codebook's rounds (no screening round), and chen's memo on a turn stays hidden from bob.
Screenshots: test-output/browser/rounds-*.png."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from studyapp.cli import main
from tests.browser._helpers import (
    T,
    go,
    no_exception,
    open_app,
    selectbox_options,
    settle,
    shot,
    sign_in,
    widget,
)

pytestmark = pytest.mark.browser
SECRET = "secret-memo-of-chen-on-turn-1"


def _shown(page, label: str) -> str:
    """What the selectbox labelled `label` shows (its text, or its input's value)."""
    box = widget(page, "stSelectbox", label)
    inputs = box.locator("input")
    return f"{box.inner_text()} {inputs.first.input_value() if inputs.count() else ''}"


def test_coding_views_open_on_the_active_round_and_hide_another_coders_memo(demo_study, serve, browser, shots):
    r = CliRunner().invoke(main, ["interviews", "memo", str(demo_study), SECRET, "--coder", "chen",
                                  "--segment", "interview-01:1"])
    assert r.exit_code == 0, r.output
    url = serve(demo_study, auth=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    open_app(page, url)
    sign_in(page, "bob", "bob-demo")
    go(page, "Interviews")
    widget(page, "stSelectbox", "Round").wait_for(timeout=T)
    settle(page)
    assert "main" in _shown(page, "Round")
    assert selectbox_options(page, "Round") == ["pilot", "main"]
    shot(page, shots, "rounds-1-interviews-bob")
    no_exception(page)
    assert SECRET not in page.content()
    go(page, "Defects")
    widget(page, "stSelectbox", "Round").wait_for(timeout=T)
    settle(page)
    assert "main" in _shown(page, "Round")
    assert selectbox_options(page, "Round") == ["pilot", "calibration", "main"]
    shot(page, shots, "rounds-2-defects-bob")
    no_exception(page)
