"""Sign-in resists guessing and lasts (issue 17 M2, issue 14 #5): throttled failures per name and on
the whole server, recorded and audited; an unknown name costs what a real one does; scrypt at OWASP's
current numbers with old hashes upgraded on sign-in; invite links that expire and sign in once;
sessions that survive a reload and end on sign-out and on a new password; sign-in off only when
asked, and only for this machine.

The suite hashes at N=2^10 (tests/conftest.py); the production numbers are asserted on `Policy()`
and one hash is made at them. Throttle tests inject their own clock and smaller numbers."""

from __future__ import annotations

import asyncio
import dataclasses
import statistics
import time
from pathlib import Path

import pytest

from studyapp.errors import PermissionDenied
from studyapp.services.study import auth, sessions
from studyapp.services.study.auth import (
    FAILURE,
    Policy,
    create_invite,
    hash_password,
    set_password,
    sign_in,
    sign_in_with_token,
)

APP = str(Path(__file__).resolve().parents[2] / "studyapp" / "ui" / "app.py")
T0 = 1_800_000_000.0


@pytest.fixture
def policy(monkeypatch):
    """Cheap hashes and small throttle numbers: 3 free failures a name, then 10 s, 20 s, 40 s...;
    20 on the whole server in 10 minutes, then every name waits."""
    def use(**kw):
        small = dict(name_free=3, name_base=10.0, name_cap=600.0, overall_free=20, overall_base=5.0,
                     overall_cap=60.0, overall_window=600.0)
        pol = dataclasses.replace(auth.POLICY, **{**small, **kw})
        monkeypatch.setattr(auth, "POLICY", pol)
        return pol
    return use


@pytest.fixture
def bob(study):
    set_password(study, "bob", "bob-password")
    return study


# -- production numbers ------------------------------------------------------------------------------

def test_production_policy_is_current_guidance():
    pol = Policy()
    assert (pol.scrypt_n, pol.scrypt_r, pol.scrypt_p) == (2 ** 17, 8, 1)  # OWASP: N=2^17, r=8, p=1
    assert pol.invite_days == 7 and pol.name_free == 5 and pol.name_cap >= 600
    assert pol.overall_free <= 100 and sessions.SESSION_DAYS <= 14 and sessions.HANDOFF_SECONDS <= 300


def test_a_hash_at_production_cost_checks(monkeypatch):
    monkeypatch.setattr(auth, "POLICY", Policy())
    start = time.perf_counter()
    h = hash_password("correct horse battery")
    took = time.perf_counter() - start
    assert h.startswith("scrypt$131072$8$1$")
    assert auth.check_password("correct horse battery", h) and not auth.check_password("wrong", h)
    assert took > 0.05, f"a production hash took {took:.3f} s: not memory-hard at N=2^17?"


# -- throttling --------------------------------------------------------------------------------------

def test_25_wrong_passwords_then_the_right_one_is_refused(bob, policy):
    """The attack run's repro: 25 guesses, then the right password at once, used to sign in."""
    policy()
    refused = 0
    for i in range(25):
        with pytest.raises(PermissionDenied) as e:
            sign_in(bob, "bob", f"guess-{i}", now=T0 + i)
        refused += "wait" in str(e.value)
    assert refused >= 20  # after the third failure the password is no longer even checked
    with pytest.raises(PermissionDenied, match="too many failed sign-ins: wait"):
        sign_in(bob, "bob", "bob-password", now=T0 + 25)


def test_a_name_waits_twice_as_long_after_each_failure_and_a_success_forgets(bob, policy):
    policy()
    for i in range(3):
        with pytest.raises(PermissionDenied, match=FAILURE):
            sign_in(bob, "bob", "nope-nope", now=T0 + i)
    assert auth.wait_for(bob, "bob", now=T0 + 2) == pytest.approx(10)
    with pytest.raises(PermissionDenied, match="wait 5 s"):
        sign_in(bob, "bob", "bob-password", now=T0 + 7)
    with pytest.raises(PermissionDenied, match=FAILURE):  # after the wait: checked again, and wrong
        sign_in(bob, "bob", "still-wrong", now=T0 + 13)
    assert auth.wait_for(bob, "bob", now=T0 + 13) == pytest.approx(20)  # doubled
    assert auth.wait_for(bob, "chen", now=T0 + 13) == 0  # another name is not held up
    assert sign_in(bob, "bob", "bob-password", now=T0 + 34)["name"] == "bob"
    assert auth.wait_for(bob, "bob", now=T0 + 34) == 0 and bob.coders.failures("bob", since=0) == []


def test_failures_are_recorded_and_audited(bob, policy):
    policy()
    for i in range(4):
        with pytest.raises(PermissionDenied):
            sign_in(bob, "bob", "nope-nope", now=T0 + i)
    assert len(bob.coders.failures("bob", since=0)) == 3  # the fourth was refused unchecked
    actions = [h["action"] for h in bob.history.recent(10) if h["coder"] == "bob"]
    assert actions.count("coder.sign_in_failed") == 3 and actions.count("coder.sign_in_refused") == 1
    assert "nope-nope" not in str(bob.query("SELECT * FROM history")) + str(bob.query("SELECT * FROM sign_in_failures"))


def test_many_names_at_once_make_every_name_wait(bob, policy):
    """Spraying one password over many names: past the server-wide number, everyone waits."""
    policy()
    for i in range(20):
        with pytest.raises(PermissionDenied, match=FAILURE):
            sign_in(bob, f"user{i}", "Summer2026!", now=T0 + i)
    with pytest.raises(PermissionDenied, match="wait"):
        sign_in(bob, "bob", "bob-password", now=T0 + 20)
    assert sign_in(bob, "bob", "bob-password", now=T0 + 200)["name"] == "bob"  # the window passes


def test_an_unknown_name_is_throttled_and_answered_like_a_real_one(bob, policy):
    policy()
    answers = {}
    for name in ("bob", "nobody"):
        seen = []
        for i in range(5):
            with pytest.raises(PermissionDenied) as e:
                sign_in(bob, name, "nope-nope", now=T0 + i)
            seen.append(str(e.value).split(":")[0])
        answers[name] = seen
    assert answers["bob"] == answers["nobody"]


def test_an_unknown_name_takes_as_long_as_a_real_one(bob, policy):
    """No timing oracle: before, unknown names answered in 0 ms and real ones in 131 ms."""
    policy(scrypt_n=2 ** 14, name_free=10 ** 6, overall_free=10 ** 6)
    set_password(bob, "bob", "bob-password")
    auth._dummy_hash(2 ** 14, 8, 1)  # made once per process; not part of an answer's time

    def took(name: str) -> float:
        start = time.perf_counter()
        with pytest.raises(PermissionDenied):
            sign_in(bob, name, "wrong-password")
        return time.perf_counter() - start

    real, unknown = [], []
    for _ in range(7):
        real.append(took("bob"))
        unknown.append(took("nobody"))
    r, u = statistics.median(real), statistics.median(unknown)
    assert r > 0.005 and 0.6 < u / r < 1.6, (r, u)


# -- hashes upgraded ---------------------------------------------------------------------------------

def test_an_old_hash_is_upgraded_on_the_next_sign_in(study, policy):
    pol = policy(scrypt_n=2 ** 12)
    old = hash_password("bob-password", n=2 ** 10)
    study.coders.set_credentials("bob", password_hash=old)
    assert auth.needs_upgrade(old)
    assert sign_in(study, "bob", "bob-password")["name"] == "bob"
    new = study.coders.credentials("bob")[0]
    assert new.startswith(f"scrypt${pol.scrypt_n}$8$1$") and auth.check_password("bob-password", new)
    assert study.history.recent(5, "coder.password_upgraded")
    assert sign_in(study, "bob", "bob-password") and study.coders.credentials("bob")[0] == new  # once


# -- invite links ------------------------------------------------------------------------------------

def test_an_invite_link_signs_in_once(study):
    token = create_invite(study, "chen", actor="lea")
    assert sign_in_with_token(study, token)["name"] == "chen"
    with pytest.raises(PermissionDenied, match="not valid"):
        sign_in_with_token(study, token)


def test_an_invite_link_expires_after_seven_days(study):
    token = create_invite(study, "chen", actor="lea", now=T0)
    with pytest.raises(PermissionDenied, match="expired"):
        sign_in_with_token(study, token, now=T0 + 7 * 86400 + 1)
    token = create_invite(study, "chen", actor="lea", now=T0)
    assert sign_in_with_token(study, token, now=T0 + 6 * 86400)["name"] == "chen"


def test_bad_invite_links_count_on_the_server_but_do_not_block_good_ones(study, policy):
    policy()
    for i in range(5):
        with pytest.raises(PermissionDenied, match="not valid"):
            sign_in_with_token(study, f"forged-{i}", now=T0 + i)
    token = create_invite(study, "chen", actor="lea", now=T0)
    assert sign_in_with_token(study, token, now=T0 + 6)["name"] == "chen"
    assert len(study.coders.failures(None, since=0)) == 5
    for i in range(20):
        with pytest.raises(PermissionDenied):
            sign_in_with_token(study, f"forged-more-{i}", now=T0 + 10 + i)
    with pytest.raises(PermissionDenied, match="wait"):  # a flood of bad links: the server-wide wait
        sign_in_with_token(study, create_invite(study, "bob", actor="lea", now=T0), now=T0 + 30)


def test_an_invite_made_before_expiry_existed_is_no_longer_valid(study):
    study.conn.execute("UPDATE coders SET token_hash = ? WHERE name = 'chen'", (auth._token_hash("old-link"),))
    with pytest.raises(PermissionDenied):
        sign_in_with_token(study, "old-link")


# -- sessions ----------------------------------------------------------------------------------------

def test_a_session_lasts_until_it_expires_or_is_ended(bob):
    token, code = sessions.start_session(bob, "bob", now=T0)
    assert sessions.redeem_handoff(code, now=T0 + 1) == token
    assert sessions.redeem_handoff(code, now=T0 + 2) is None  # a handoff code is good once
    assert token not in str(bob.query("SELECT * FROM sign_in_sessions"))  # only its hash is kept
    assert sessions.session_coder(bob, token, now=T0 + 3600) == "bob"
    assert sessions.session_coder(bob, token, now=T0 + sessions.SESSION_DAYS * 86400 + 2) is None
    sessions.end_session(bob, token)
    assert sessions.session_coder(bob, token, now=T0 + 3600) is None
    assert sessions.session_coder(bob, "forged-token") is None and sessions.session_coder(bob, None) is None


def test_a_handoff_code_expires(bob):
    _, code = sessions.start_session(bob, "bob", now=T0)
    assert sessions.redeem_handoff(code, now=T0 + sessions.HANDOFF_SECONDS + 1) is None


def test_a_new_password_ends_every_session_of_that_coder(bob):
    mine = [sessions.start_session(bob, "bob")[0] for _ in range(2)]
    set_password(bob, "chen", "chen-password")
    theirs = sessions.start_session(bob, "chen")[0]
    set_password(bob, "bob", "a-new-password")
    assert [sessions.session_coder(bob, t) for t in mine] == [None, None]
    assert sessions.session_coder(bob, theirs) == "chen"


def _signed_in_page(bob, monkeypatch):
    """The app (with sign-in) after bob signed in through its form."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("STUDYAPP_STUDY", str(bob.folder))
    monkeypatch.setenv("STUDYAPP_AUTH", "1")
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input(key="app.sign_in.name").input("bob")
    at.text_input(key="app.sign_in.password").input("bob-password")
    at.button[0].click().run()
    return at


def test_an_open_page_is_signed_out_by_a_new_password(bob, monkeypatch):
    """The page that signed in (no reload) checks its session on every run."""
    at = _signed_in_page(bob, monkeypatch)
    assert at.session_state["app.user"] == "bob" and bob.coders.sessions_of("bob") == 1
    at.run()
    assert "Signed in as **bob** (coder)" in " ".join(m.value for m in at.sidebar.markdown)
    set_password(bob, "bob", "changed-password")
    at.run()
    assert [t.value for t in at.title] == ["Sign in"] and at.session_state["app.user"] is None


def test_sign_out_ends_the_session_in_the_study(bob, monkeypatch):
    at = _signed_in_page(bob, monkeypatch)
    at.sidebar.button(key="app.sign_out").click().run()
    assert [t.value for t in at.title] == ["Sign in"] and bob.coders.sessions_of("bob") == 0


def _request(path: str, query: str = "", cookie: str = ""):
    from starlette.requests import Request

    return Request({"type": "http", "method": "GET", "path": path, "query_string": query.encode(),
                    "headers": [(b"cookie", cookie.encode())] if cookie else [], "scheme": "http",
                    "server": ("127.0.0.1", 8501), "client": ("127.0.0.1", 5555), "root_path": ""})


def test_the_routes_set_an_httponly_cookie_and_clear_it(bob, monkeypatch):
    from studyapp.ui import server

    monkeypatch.setenv("STUDYAPP_STUDY", str(bob.folder))
    name = sessions.cookie_name(bob.folder)
    _, code = sessions.start_session(bob, "bob")
    r = asyncio.run(server.start_session(_request("/auth/session", f"code={code}&next=/defects")))
    assert r.status_code == 303 and r.headers["location"] == "/defects"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{name}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Max-Age=" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert sessions.session_coder(bob, token) == "bob"
    again = asyncio.run(server.start_session(_request("/auth/session", f"code={code}")))
    assert "set-cookie" not in again.headers  # a code is good once
    out = asyncio.run(server.sign_out(_request("/auth/sign-out", "next=/", cookie=f"{name}={token}")))
    assert f'{name}=""' in out.headers["set-cookie"] and "Max-Age=0" in out.headers["set-cookie"]
    assert sessions.session_coder(bob, token) is None  # ended in the study, not only in the browser


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:x"])
def test_the_routes_never_send_the_browser_elsewhere(bob, monkeypatch, target):
    from studyapp.ui import server

    monkeypatch.setenv("STUDYAPP_STUDY", str(bob.folder))
    r = asyncio.run(server.start_session(_request("/auth/session", f"code=x&next={target}")))
    assert r.headers["location"] == "/"


# -- sign-in off only when asked, and only here --------------------------------------------------------

def test_a_bare_streamlit_run_signs_coders_in(ui_study, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.delenv("STUDYAPP_AUTH", raising=False)  # what `streamlit run studyapp/ui/app.py` has
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert [t.value for t in at.title] == ["Sign in"] and not at.metric


def test_no_auth_is_for_this_machine_only(ui_study, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("STUDYAPP_AUTH", "0")
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert "Sign in" not in [t.value for t in at.title]  # localhost: single-user mode
    monkeypatch.setattr(type(st.context), "ip_address", property(lambda self: "192.0.2.7"))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert [t.value for t in at.title] == ["Sign in"]  # another machine: sign in all the same


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.7", "::"])
def test_serve_no_auth_refuses_a_network_address(study, host, monkeypatch):
    from click.testing import CliRunner

    from studyapp.cli import main
    from studyapp.cli import study as study_cli

    monkeypatch.setattr(study_cli.subprocess, "Popen", lambda *a, **k: pytest.fail("must not start a server"))
    r = CliRunner().invoke(main, ["serve", str(study.folder), "--no-auth", "--host", host, "--port", "8599"])
    assert r.exit_code != 0 and "only on this machine" in r.output


def test_the_demo_is_served_with_sign_in_and_lists_its_accounts(demo_copy, monkeypatch):
    from click.testing import CliRunner
    from streamlit.testing.v1 import AppTest

    from studyapp.cli import main
    from studyapp.cli import study as study_cli
    from studyapp.store import Store

    seen = {}
    monkeypatch.setattr(study_cli, "port_free", lambda host, port: True)
    monkeypatch.setattr(study_cli, "serve_study", lambda path, port, host, auth: seen.setdefault("auth", auth) and 0)
    r = CliRunner().invoke(main, ["demo", str(demo_copy), "--port", "8599"])
    assert seen == {"auth": True} and "bob (coder, password bob-demo)" in r.output, r.output
    monkeypatch.setenv("STUDYAPP_STUDY", str(demo_copy))
    monkeypatch.setenv("STUDYAPP_AUTH", "1")
    at = AppTest.from_file(APP, default_timeout=60).run()
    [table] = at.table
    rows = table.value.to_dict("records")
    assert {(r["coder"], r["role"], r["password"]) for r in rows} == {
        ("alice", "lead", "alice-demo"), ("bob", "coder", "bob-demo"), ("chen", "coder", "chen-demo")}
    with Store.open(demo_copy) as store:
        assert sign_in(store, "alice", "alice-demo")["role"] == "lead"  # the passwords shown are the real ones


def test_a_real_study_lists_no_accounts(ui_study, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("STUDYAPP_AUTH", "1")
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert [t.value for t in at.title] == ["Sign in"] and not at.table
    assert not [i for i in at.info if "demo" in i.value]


def test_the_readme_names_the_demo_accounts_the_sign_in_page_lists(demo_copy):
    from studyapp.store import Store

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Try the demo"):].split("\n## ", 1)[0]
    assert "make run" in section and "sign-in" in section
    with Store.open(demo_copy) as store:
        accounts = auth.demo_accounts(store)
    assert accounts
    for a in accounts:
        assert f"**{a['name']}**" in section and f"`{a['password']}`" in section
        assert (a["role"] == "lead") == (f"**{a['name']}** (lead" in section)


def test_the_cli_ends_sessions_and_unlocks_a_name(bob, policy):
    from click.testing import CliRunner

    from studyapp.cli import main

    policy()
    token = sessions.start_session(bob, "bob")[0]
    for i in range(4):
        with pytest.raises(PermissionDenied):
            sign_in(bob, "bob", "nope-nope")
    assert auth.wait_for(bob, "bob") > 0
    r = CliRunner().invoke(main, ["coder", "unlock", str(bob.folder), "bob"])
    assert r.exit_code == 0 and "forgot 3 failed sign-in(s)" in r.output, r.output
    assert auth.wait_for(bob, "bob") == 0 and sign_in(bob, "bob", "bob-password")
    r = CliRunner().invoke(main, ["coder", "sign-out", str(bob.folder), "bob"])
    assert r.exit_code == 0 and "ended 1 session(s)" in r.output, r.output
    assert sessions.session_coder(bob, token) is None
    assert bob.history.recent(5, "coder.sign_out_everywhere") and bob.history.recent(5, "coder.sign_in_unlocked")
    with pytest.raises(PermissionDenied):
        auth.sign_out_everywhere(bob, "chen", actor="bob")  # only a lead signs another coder out
