"""Sign-in in the app: nothing renders before it, a wrong password is refused, an invite link works,
and a signed-in coder cannot switch to another coder."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from studyapp.services.study.auth import create_invite, set_password

APP = str(Path(__file__).resolve().parents[2] / "studyapp" / "ui" / "app.py")


@pytest.fixture
def auth_study(ui_study, monkeypatch):
    monkeypatch.setenv("STUDYAPP_AUTH", "1")
    set_password(ui_study, "bob", "bob-password")
    return ui_study


def test_sign_in_required_then_fixed_identity(auth_study):
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert [t.value for t in at.title] == ["Sign in"] and not at.metric
    at.text_input(key="app.sign_in.name").input("bob")
    at.text_input(key="app.sign_in.password").input("wrong-password")
    at.button[0].click().run()
    assert any("wrong password" in e.value for e in at.error)
    at.text_input(key="app.sign_in.password").input("bob-password")
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["app.user"] == "bob"
    assert "Signed in as **bob** (coder)" in " ".join(m.value for m in at.sidebar.markdown)
    assert not [s for s in at.sidebar.selectbox if s.key == "app.coder_pick"]  # no switching coders


def test_invite_link_signs_in(auth_study):
    token = create_invite(auth_study, "chen")
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["token"] = token
    at.run()
    assert not at.exception
    assert at.session_state["app.user"] == "chen"
