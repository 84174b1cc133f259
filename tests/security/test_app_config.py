"""The served app shows coders no tracebacks (they carry server paths and code): showErrorDetails is
"none" in the repository's config and on `studyapp serve`'s command line, which holds wherever
studyapp is installed and whatever folder it is started from."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_repository_config_hides_error_details():
    cfg = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["client"]["showErrorDetails"] == "none"


def _served(study, monkeypatch) -> dict:
    """What `serve_study` would start: the command, folder and environment of its Popen."""
    from studyapp.cli import study as study_cli

    seen = {}

    class Fake:
        def __init__(self, cmd, **kw):
            seen.update(cmd=cmd, cwd=kw.get("cwd"), env=kw.get("env"))

        def wait(self, timeout=None):
            return 0

        def poll(self):
            return 0

    monkeypatch.setattr(study_cli.subprocess, "Popen", Fake)
    assert study_cli.serve_study(study.folder, 8599, "127.0.0.1") == 0
    return seen


def test_serve_passes_it_on_the_command_line(study, monkeypatch):
    cmd = _served(study, monkeypatch)["cmd"]
    assert cmd[cmd.index("--client.showErrorDetails") + 1] == "none"


def test_streamlit_takes_the_setting(tmp_path):
    """The value is one this Streamlit knows (an unknown one would be ignored with a warning)."""
    out = subprocess.run([sys.executable, "-m", "streamlit", "config", "show", "--client.showErrorDetails", "none"],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    shown = [line for line in out.stdout.splitlines() if line.startswith("showErrorDetails")]
    assert shown == ['showErrorDetails = "none"'], shown


def test_the_app_itself_hides_error_details_however_it_is_started(ui_study):
    """A bare `streamlit run studyapp/ui/app.py` from any folder (no config.toml, no flags) too."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.set_option("client.showErrorDetails", "full")
    try:
        at = AppTest.from_file(str(REPO / "studyapp" / "ui" / "app.py"), default_timeout=30).run()
        assert not at.exception
        assert st.get_option("client.showErrorDetails") == "none"
    finally:
        st.set_option("client.showErrorDetails", "none")


def test_serve_runs_the_app_behind_the_session_routes(study, monkeypatch):
    seen = _served(study, monkeypatch)
    assert seen["cmd"][seen["cmd"].index("run") + 1].endswith("studyapp/ui/server.py")
    assert seen["env"]["STUDYAPP_AUTH"] == "1"
