"""Session state, sign-in and caching for the pages: the one UI module that opens the store, keeps
session keys and holds `st.cache_data`.

The study folder comes from the session (`app.study`), else from `STUDYAPP_STUDY` (set by
`studyapp serve`); it is read once per rerun. A page opens the study with `open_store()`, asks one
read-model function of its feature's `services.<feature>.views` and draws what comes back.

Cached reads are named functions below, one per cached service function and named after it; each
forwards to that function on a store of its own, keyed on the study path and a change counter (the
whole study's, or one field's or one screening stage's signature), never on hidden state: caches
persist across sessions and AppTest instances in one process.

Session keys are namespaced by page (`agreement.coders`, `papers.screen.note`); pages read and write
their non-widget keys through `get`/`put`/`pop`/`init`, and a message that must survive `st.rerun()`
through `flash`/`show_flash`.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Callable, Iterator

import streamlit as st

from studyapp.domain.roles import Role
from studyapp.render.safe_text import plain_line
from studyapp.store import Store  # also the type the pages annotate with; only this module opens one

STUDY_KEY = "app.study"
CODER_KEY = "app.coder"
CODER_WIDGET = "app.coder_pick"
USER_KEY = "app.user"
TOKEN_KEY = "app.session"       # the page's session token (kept in server memory, never sent back)
HANDOFF_KEY = "app.handoff"     # a handoff code the page trades for a session cookie (see ui/sign_in.py)


# -- the study ---------------------------------------------------------------------------------------

def auth_enabled() -> bool:
    """Sign-in is on unless asked off: STUDYAPP_AUTH=0 (what `studyapp serve --no-auth` sets), and
    even then only for a browser on this machine. A bare `streamlit run studyapp/ui/app.py` signs
    coders in; so does a no-auth server reached from another machine."""
    if os.environ.get("STUDYAPP_AUTH", "1") != "0":
        return True
    ip = st.context.ip_address  # None for localhost (AppTest has no real connection: no str either)
    return isinstance(ip, str) and bool(ip)


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


def deferred(fn: Callable[..., Any], *args, **kwargs) -> Callable[[], Any]:
    """`fn(store, *args, **kwargs)` for a download button, run when the button is clicked: by then the
    run that drew the button has closed its store, so it opens one of its own on the same study."""
    folder = study_path()

    def make():
        with Store.open(folder) as store:
            return fn(store, *args, **kwargs)
    return make


# -- session values --------------------------------------------------------------------------------

def get(key: str, default: Any = None) -> Any:
    """A session value; for a widget's key, the value it holds at the start of this run (what the
    widget will show unless its options changed)."""
    return st.session_state.get(key, default)


def put(key: str, value: Any) -> None:
    st.session_state[key] = value


def pop(key: str, default: Any = None) -> Any:
    return st.session_state.pop(key, default)


def init(key: str, value: Any) -> None:
    """Give a widget its starting value once (a draft then lives in the session until saved)."""
    if key not in st.session_state:
        st.session_state[key] = value


def flash(key: str, message: str, *, error: bool = False) -> None:
    """Keep `message` for the top of view `key` on the next run (write it, then `st.rerun()`)."""
    st.session_state[f"{key}.flash"] = ("error" if error else "success", message)


def show_flash(key: str) -> None:
    """Show, once, the message `flash` kept for view `key`."""
    kept = st.session_state.pop(f"{key}.flash", None)
    if kept:
        (st.error if kept[0] == "error" else st.success)(kept[1])


# -- who is coding ---------------------------------------------------------------------------------

def current_coder() -> str | None:
    if auth_enabled():
        return st.session_state.get(USER_KEY)
    return st.session_state.get(CODER_KEY)


def signed_in() -> bool:
    """Whether pages may be shown: always in single-user mode, else once a coder has signed in.
    app.py asks first on every run: with sign-in on, this checks the page's session (see below)."""
    return not auth_enabled() or bool(check_session())


def check_session() -> str | None:
    """The signed-in coder, checked against the study: the session this page signed in with, else
    the session cookie the page was loaded with. A session ended in the study (sign-out elsewhere, a
    new password, expiry, a coder made inactive) signs the page out here."""
    from studyapp.services.study.sessions import session_coder

    path = study_path()
    token = st.session_state.get(TOKEN_KEY) or session_token()
    name = None
    if token and path is not None and Store.exists(path):
        with Store.open(path) as store:
            name = session_coder(store, token)
    st.session_state[USER_KEY], st.session_state[TOKEN_KEY] = name, token if name else None
    return name


def session_token() -> str | None:
    """The session cookie this page was loaded with (None if none)."""
    from studyapp.services.study.sessions import cookie_name

    path = study_path()
    token = st.context.cookies.get(cookie_name(path)) if path else None
    return token if isinstance(token, str) and token else None


def current_role() -> str | None:
    """The current coder's role (coder | lead), read from the study, never from the session."""
    name, path = current_coder(), study_path()
    if not name or path is None or not Store.exists(path):
        return None
    with Store.open(path) as store:
        return Role.of(store, name).role


def is_lead() -> bool:
    return Role(current_coder(), current_role()).is_lead


def sidebar() -> None:
    from studyapp.services.study.views import sidebar_view

    path = study_path()
    if path is None or not Store.exists(path):
        return
    with Store.open(path) as store:
        view = sidebar_view(store)
    st.sidebar.markdown(f"**{plain_line(view.title)}**")
    if auth_enabled():
        return  # who is signed in: ui/sign_in.py (app.py runs it next)
    if not view.coders:
        st.sidebar.info("No coders yet: add one with `studyapp coder add`.")
        return
    names = view.names
    if st.session_state.get(CODER_KEY) not in names:
        st.session_state[CODER_KEY] = names[0]
    st.sidebar.selectbox("Coding as", names, index=names.index(st.session_state[CODER_KEY]), key=CODER_WIDGET,
                         format_func=lambda n: f"{n} ({view.role_of(n)})", on_change=_pick_coder)


def _pick_coder() -> None:
    # The choice lives in a plain key: widget state is dropped when a rerun does not draw the widget.
    st.session_state[CODER_KEY] = st.session_state[CODER_WIDGET]


# -- cached reads: one per service function, named after it ---------------------------------------
# Each public wrapper computes its key from the store (the study's change counter, or the narrower
# signature the service names) and forwards to a private @st.cache_data function that opens a store
# of its own: the arguments, not the store object, are what the cache hashes.

def _counter(store: Store) -> int:
    return store.change_counter()


@st.cache_data(show_spinner=False, max_entries=8)
def _status(study: str, counter: int) -> dict:
    from studyapp.services.study.study import status as fn
    with Store.open(study) as store:
        return fn(store)


def status(store: Store) -> dict:
    """`services.study.study.status`, cached on the study's change counter."""
    return _status(str(store.folder), _counter(store))


@st.cache_data(show_spinner=False, max_entries=16)
def _queue(study: str, signature: tuple, stage: str, coder: str):
    from studyapp.services.papers.queue import queue as fn
    with Store.open(study) as store:
        return fn(store, stage, coder)


def queue(store: Store, stage: str, coder: str):
    """`services.papers.queue.queue`, cached on the stage's queue signature: a save elsewhere in the
    study does not retrain the screening model."""
    from studyapp.services.papers.queue import queue_signature
    return _queue(str(store.folder), queue_signature(store, stage), stage, coder)


@st.cache_data(show_spinner=False, max_entries=16)
def _my_decisions(study: str, signature: tuple, stage: str, coder: str) -> dict:
    from studyapp.services.papers.screening import my_decisions as fn
    with Store.open(study) as store:
        return fn(store, stage, coder)


def my_decisions(store: Store, stage: str, coder: str) -> dict:
    """`services.papers.screening.my_decisions`, cached on the stage's queue signature."""
    from studyapp.services.papers.queue import queue_signature
    return _my_decisions(str(store.folder), queue_signature(store, stage), stage, coder)


@st.cache_data(show_spinner=False, max_entries=64)
def _field_rows(study: str, signature: tuple, codebook: str, field_id: str) -> list:
    from studyapp.services.agreement.report import field_rows as fn
    with Store.open(study) as store:
        return fn(store, codebook, field_id)


def field_rows(store: Store, codebook: str, field_id: str) -> list:
    """`services.agreement.report.field_rows`, cached on that field's own change counter (and the
    codebook version and rounds): saving one code recomputes one field, not the overview."""
    from studyapp.services.agreement.views import field_signature
    return _field_rows(str(store.folder), field_signature(store, codebook, field_id), codebook, field_id)


@st.cache_data(show_spinner=False, max_entries=16)
def _field_agreement(study: str, counter: int, codebook: str, field_id: str, rounds, coders, depth):
    from studyapp.services.agreement.fields import field_agreement as fn
    with Store.open(study) as store:
        return fn(store, codebook, field_id, rounds=rounds, coders=coders, depth=depth)


def field_agreement(store: Store, codebook: str, field_id: str, *, rounds=None, coders=None, depth=None):
    """`services.agreement.fields.field_agreement`, cached on the study's change counter."""
    return _field_agreement(str(store.folder), _counter(store), codebook, field_id, rounds, coders, depth)


@st.cache_data(show_spinner=False, max_entries=16)
def _agreement_by_round(study: str, counter: int, codebook: str, field_id: str, coders, depth, n_boot: int):
    from studyapp.services.agreement.fields import agreement_by_round as fn
    with Store.open(study) as store:
        return fn(store, codebook, field_id, coders=coders, depth=depth, n_boot=n_boot)


def agreement_by_round(store: Store, codebook: str, field_id: str, *, coders=None, depth=None, n_boot: int = 0):
    """`services.agreement.fields.agreement_by_round`, cached on the study's change counter."""
    return _agreement_by_round(str(store.folder), _counter(store), codebook, field_id, coders, depth, n_boot)


@st.cache_data(show_spinner=False, max_entries=8)
def _reconciliation_progress(study: str, counter: int, codebook: str):
    from studyapp.services.agreement.fields import reconciliation_progress as fn
    with Store.open(study) as store:
        return fn(store, codebook)


def reconciliation_progress(store: Store, codebook: str):
    """`services.agreement.fields.reconciliation_progress`, cached on the study's change counter."""
    return _reconciliation_progress(str(store.folder), _counter(store), codebook)


@st.cache_data(show_spinner=False, max_entries=16)
def _distribution_for(study: str, counter: int, cb, field_id: str, source, level):
    from studyapp.services.defects.analysis import distribution_for as fn
    with Store.open(study) as store:
        return fn(store, cb, field_id, source, level)


def distribution_for(store: Store, cb, field_id: str, source, level=None) -> dict:
    """`services.defects.analysis.distribution_for`, cached on the study's change counter."""
    return _distribution_for(str(store.folder), _counter(store), cb, field_id, source, level)


@st.cache_data(show_spinner=False, max_entries=16)
def _crosstab(study: str, counter: int, rows: str, cols: str, kwargs: tuple) -> dict:
    from studyapp.services.defects.crosstab import crosstab as fn
    with Store.open(study) as store:
        return fn(store, rows, cols, **dict(kwargs))


def crosstab(store: Store, rows: str, cols: str, **kwargs) -> dict:
    """`services.defects.crosstab.crosstab`, cached on the study's change counter."""
    return _crosstab(str(store.folder), _counter(store), rows, cols, tuple(sorted(kwargs.items())))


@st.cache_data(show_spinner=False, max_entries=8)
def _workflow_for(study: str, counter: int, cb, source, interview_source) -> dict:
    from studyapp.services.defects.workflow import workflow_for as fn
    with Store.open(study) as store:
        return fn(store, cb, source, interview_source=interview_source)


def workflow_for(store: Store, cb, source, *, interview_source) -> dict:
    """`services.defects.workflow.workflow_for`, cached on the study's change counter."""
    return _workflow_for(str(store.folder), _counter(store), cb, source, interview_source)


@st.cache_data(show_spinner=False, max_entries=16)
def _span_agreement(study: str, counter: int, codebook, viewer, n_boot: int):
    from studyapp.services.agreement.spans import span_agreement as fn
    with Store.open(study) as store:
        return fn(store, codebook, viewer=viewer, n_boot=n_boot)


def span_agreement(store: Store, codebook=None, *, viewer=None, n_boot: int = 1000):
    """`services.agreement.spans.span_agreement` (blind for `viewer`), cached on the change counter."""
    return _span_agreement(str(store.folder), _counter(store), codebook, viewer, n_boot)


# -- files for download buttons (bytes made once per content, never deferred callables) ------------

@st.cache_data(show_spinner=False, max_entries=256)
def chart_file(spec: str, fmt: str) -> str | bytes:
    """A chart (its Vega-Lite JSON) as an SVG or PNG file, made once per spec and format."""
    from studyapp.render.charts import render_chart
    return render_chart(spec, fmt)


@st.cache_data(show_spinner=False, max_entries=16)
def prisma_png(svg: str) -> bytes:
    """The PRISMA diagram (its SVG) at print resolution."""
    from studyapp.services.papers.prisma import prisma_png as fn
    return fn(svg)
