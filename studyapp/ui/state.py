"""Session state and caching for the pages: the only place with st.cache_* and session keys.

The study folder comes from the session (`app.study`), else from `STUDYAPP_STUDY` (set by
`studyapp serve`); it is read once per rerun and passed to cached functions as an argument, so
caches are keyed on the study path and its change counter, never on hidden state.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

import streamlit as st

from studyapp.domain.roles import Role
from studyapp.errors import StudyError
from studyapp.store import Store

STUDY_KEY = "app.study"
CODER_KEY = "app.coder"
CODER_WIDGET = "app.coder_pick"
USER_KEY = "app.user"


def auth_enabled() -> bool:
    """Sign-in is on when the app was served with it (`studyapp serve` sets STUDYAPP_AUTH=1 unless
    --no-auth); a bare `streamlit run` or AppTest without the variable is single-user mode."""
    return os.environ.get("STUDYAPP_AUTH", "0") == "1"


def study_path() -> Path | None:
    p = st.session_state.get(STUDY_KEY) or os.environ.get("STUDYAPP_STUDY")
    return Path(p) if p else None


@contextlib.contextmanager
def open_store() -> Iterator[Store]:
    """The study's store for this rerun (a connection per rerun: sqlite must not cross threads)."""
    path = study_path()
    if path is None or not Store.exists(path):
        st.error("No study is open. Start the app with `studyapp serve DIR` or `studyapp demo`.")
        st.stop()
    store = Store.open(path)
    try:
        yield store
    finally:
        store.close()


def current_coder() -> str | None:
    if auth_enabled():
        return st.session_state.get(USER_KEY)
    return st.session_state.get(CODER_KEY)


def signed_in() -> bool:
    """Whether pages may be shown: always in single-user mode, else once a coder has signed in."""
    return not auth_enabled() or bool(st.session_state.get(USER_KEY))


def current_role() -> str | None:
    """The current coder's role (coder | lead), read from the study, never from the session."""
    name, path = current_coder(), study_path()
    if not name or path is None or not Store.exists(path):
        return None
    with Store.open(path) as store:
        return (store.coders.get(name) or {}).get("role")


def is_lead() -> bool:
    return Role(current_coder(), current_role()).is_lead


def sidebar() -> None:
    path = study_path()
    if path is None or not Store.exists(path):
        return
    with Store.open(path) as store:
        coders = store.coders.list()
        title = store.title
    st.sidebar.markdown(f"**{title}**")
    if auth_enabled():
        _signed_in_sidebar(path, coders)
        return
    if not coders:
        st.sidebar.info("No coders yet: add one with `studyapp coder add`.")
        return
    names = [c["name"] for c in coders]
    roles = {c["name"]: c["role"] for c in coders}
    if st.session_state.get(CODER_KEY) not in names:
        st.session_state[CODER_KEY] = names[0]
    st.sidebar.selectbox("Coding as", names, index=names.index(st.session_state[CODER_KEY]), key=CODER_WIDGET,
                         format_func=lambda n: f"{n} ({roles[n]})", on_change=_pick_coder)


def _signed_in_sidebar(path: Path, coders: list[dict]) -> None:
    """Sign-in: an invite link (?token=...) or name + password; until then nothing else renders."""
    from studyapp.errors import PermissionDenied
    from studyapp.services.study.auth import sign_in, sign_in_with_token

    user = st.session_state.get(USER_KEY)
    if user and user not in {c["name"] for c in coders if c["active"]}:
        user = st.session_state[USER_KEY] = None
    token = st.query_params.get("token")
    if not user and token:
        try:
            with Store.open(path) as store:
                user = st.session_state[USER_KEY] = sign_in_with_token(store, token)["name"]
        except PermissionDenied as e:
            st.error(str(e))
        st.query_params.clear()
        if user:
            st.rerun()  # again, now signed in: with the page list (see app.py)
    if user:
        role = next(c["role"] for c in coders if c["name"] == user)
        st.session_state[CODER_KEY] = user
        st.sidebar.markdown(f"Signed in as **{user}** ({role})")
        if st.sidebar.button("Sign out", key="app.sign_out"):
            st.session_state[USER_KEY] = None
            st.session_state[CODER_KEY] = None
            st.rerun()
        return
    st.title("Sign in")
    with st.form("app.sign_in"):
        name = st.text_input("Coder name", key="app.sign_in.name")
        password = st.text_input("Password", type="password", key="app.sign_in.password")
        if st.form_submit_button("Sign in"):
            try:
                with Store.open(path) as store:
                    st.session_state[USER_KEY] = sign_in(store, name.strip(), password)["name"]
                st.rerun()
            except PermissionDenied as e:
                st.error(str(e))
    st.caption("Ask your lead for a password (`studyapp coder password DIR NAME`) or an invite link "
               "(`studyapp coder invite DIR NAME`). One researcher alone: `studyapp serve DIR --no-auth`.")
    st.stop()


def _pick_coder() -> None:
    # The choice lives in a plain key: widget state is dropped when a rerun does not draw the widget.
    st.session_state[CODER_KEY] = st.session_state[CODER_WIDGET]


def show_error(e: StudyError) -> None:
    st.error(str(e))


@st.cache_data(show_spinner=False, max_entries=32)
def cached(study: str, counter: int, fn_name: str, *args, kwargs: tuple = ()):
    """Result of a read-only service function, cached on (study path, change counter, arguments)."""
    import importlib

    module, _, name = fn_name.rpartition(".")
    fn = getattr(importlib.import_module(module), name)
    with Store.open(study) as store:
        return fn(store, *args, **dict(kwargs))


def cached_on(store: Store, signature, fn_name: str, *args, **kwargs):
    """Like `cached_call`, keyed on `signature` (e.g. one field's change counter) instead of the whole
    study's: a save elsewhere in the study keeps this result."""
    return cached(str(store.folder), signature, fn_name, *args, kwargs=tuple(sorted(kwargs.items())))


def cached_call(store: Store, fn_name: str, *args, **kwargs):
    return cached(str(store.folder), store.change_counter(), fn_name, *args, kwargs=tuple(sorted(kwargs.items())))
