"""The sign-in page and the signed-in sidebar (sign-in on; see ui/state.py for who is signed in).

A checked sign-in (name + password, or an invite link) starts a session that signs this page in at
once, and a one-time handoff code; the page then asks the server's `/auth/session` route
(ui/server.py) to trade the code for the session cookie, so a reload stays signed in. Sign-out ends the session in the study and
asks `/auth/sign-out` to clear the cookie. Where the app runs without those routes (a bare
`streamlit run studyapp/ui/app.py`), sign-in lasts as long as the page.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import streamlit as st

from studyapp.ui import state

#: Set by ui/server.py, the only way the app is served with the cookie routes.
ROUTES_ENV = "STUDYAPP_SESSION_ROUTES"


def gate() -> None:
    """With sign-in on: the signed-in sidebar, else the sign-in page (and nothing else of the app)."""
    from studyapp.services.study.views import sidebar_view

    path = state.study_path()
    if not state.auth_enabled() or path is None:
        return
    with state.open_store() as store:
        view = sidebar_view(store)
    user = state.current_coder()  # app.py's state.signed_in() has checked the session this run
    if user and user not in view.active:
        user = None
        state.put(state.USER_KEY, None)
    if user:
        state.put(state.CODER_KEY, user)
        signed_in_sidebar(user, view.role_of(user))
        return
    sign_in_page(path)


def _call_route(url: str) -> None:
    """Ask a cookie route from the browser (same origin, so the cookie is set or cleared there)."""
    if os.environ.get(ROUTES_ENV) != "1":
        return
    st.html(f"<script>fetch({json.dumps(url)}, {{credentials: 'same-origin', redirect: 'manual',"
            " cache: 'no-store'}).catch(() => {});</script>", unsafe_allow_javascript=True)


def _signed_in(name: str) -> None:
    from studyapp.services.study.sessions import start_session

    with state.open_store() as store:
        token, code = start_session(store, name)
    state.put(state.USER_KEY, name)
    state.put(state.TOKEN_KEY, token)
    state.put(state.HANDOFF_KEY, code)
    st.rerun()  # again, now signed in: with the page list (see app.py)


def signed_in_sidebar(user: str, role: str) -> None:
    from urllib.parse import quote

    code = state.pop(state.HANDOFF_KEY)
    if code:
        _call_route(f"/auth/session?code={quote(code)}")
    st.sidebar.markdown(f"Signed in as **{user}** ({role})")
    if st.sidebar.button("Sign out", key="app.sign_out"):
        from studyapp.services.study.sessions import end_session

        with state.open_store() as store:
            end_session(store, state.pop(state.TOKEN_KEY))
            end_session(store, state.session_token())  # the cookie's, if the page was loaded with one
        state.put(state.USER_KEY, None)
        state.put(state.CODER_KEY, None)
        state.put("app.signed_out", True)
        st.rerun()


def sign_in_page(path: Path) -> None:
    """Sign-in: an invite link (?token=...) or name + password; until then nothing else renders."""
    from studyapp.errors import PermissionDenied
    from studyapp.services.study.auth import demo_accounts, sign_in, sign_in_with_token

    if state.pop("app.signed_out"):
        _call_route("/auth/sign-out")
    token = st.query_params.get("token")
    if token:
        st.query_params.clear()
        try:
            with state.open_store() as store:
                name = sign_in_with_token(store, token)["name"]
        except PermissionDenied as e:
            st.error(str(e))
        else:
            _signed_in(name)
    st.title("Sign in")
    with st.form("app.sign_in"):
        name = st.text_input("Coder name", key="app.sign_in.name")
        password = st.text_input("Password", type="password", key="app.sign_in.password")
        if st.form_submit_button("Sign in"):
            try:
                with state.open_store() as store:
                    who = sign_in(store, name.strip(), password)["name"]
            except PermissionDenied as e:
                st.error(str(e))
            else:
                _signed_in(who)
    with state.open_store() as store:
        accounts = demo_accounts(store)
    if accounts:
        st.info("**This is the demo study.** Sign in as one of its coders: a lead sees everything; a coder "
                "codes blind (sees only their own values until a lead opens reconciliation).")
        st.table([{"coder": a["name"], "role": a["role"], "password": a["password"]} for a in accounts])
    else:
        st.caption("Ask your lead for a password (`studyapp coder password DIR NAME`) or an invite link "
                   "(`studyapp coder invite DIR NAME`). One researcher alone, on this machine: "
                   "`studyapp serve DIR --no-auth`.")
    st.stop()
