"""The Interviews page's REFI-QDA view under AppTest: a lead imports a project by upload (the
same service as the CLI); a coder is told only a lead may."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from studyapp.interop.refi_export import qdpx_bytes

APP = str(Path(__file__).resolve().parents[2] / "studyapp" / "ui" / "app.py")


def _open(folder, coder, monkeypatch) -> AppTest:
    monkeypatch.setenv("STUDYAPP_STUDY", str(folder))
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["app.coder"] = coder
    at.session_state["interviews.view"] = "REFI-QDA"
    at.run()
    at.switch_page("views/interviews.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_coder_sees_only_a_note(coded, monkeypatch):
    at = _open(coded.folder, "bob", monkeypatch)
    assert any("Only a lead" in i.value for i in at.info)


def test_a_lead_sees_the_export_and_import(coded, monkeypatch):
    at = _open(coded.folder, "lea", monkeypatch)
    assert [b.label for b in at.button if b.key == "interviews.refi_go"] == ["Import project"]
    data, r = qdpx_bytes(coded, actor="lea")
    assert data[:2] == b"PK" and r.sources == 3
    with pytest.raises(Exception, match="only a lead"):
        qdpx_bytes(coded, actor="bob")
