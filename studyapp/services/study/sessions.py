"""Sign-in that lasts: a session cookie the browser keeps across reloads, revoked on sign-out and on
a password change.

Streamlit's script cannot set a cookie (it talks to the browser over a websocket), so the served app
(`studyapp/ui/server.py`, an `st.App` wrapper) adds two HTTP routes and the script hands over to
them:

1. The sign-in form checks the password (`auth.sign_in`) and starts a session (`start_session`): a
   random 32-byte token, of which only the SHA-256 is stored, with the coder and an expiry. The page
   keeps the token (in the server's memory) and gets a *handoff code* for it: random, good for one
   use within `HANDOFF_SECONDS`, and held only in this process's memory (the routes run in the same
   process as the script). The page then asks `/auth/session?code=...`.
2. That route redeems the code (`redeem_handoff`) and sets the token as an HttpOnly, SameSite=Strict
   cookie.
3. On every run the page checks its token against the study (`session_coder`); a new page load
   takes the token from the cookie (`st.context.cookies`). A session ended in the study ends on the
   open page at its next run, and on any page loaded later.
4. Sign-out ends the session in the study (`end_session`) and asks `/auth/sign-out`, which clears
   the cookie. A new password ends every session of that coder (`auth.set_password`).

A copy of the study file hands out no sessions (only hashes are kept). The cookie is named after the
study's folder, so two studies served on one host keep apart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from pathlib import Path

from studyapp.store import Store

SESSION_DAYS = 7
HANDOFF_SECONDS = 120
_HANDOFFS: dict[str, tuple[str, float]] = {}  # sha256(code) -> (session token, until): this process only
_LOCK = threading.Lock()


def cookie_name(folder: str | Path) -> str:
    digest = hashlib.sha256(str(Path(folder).resolve()).encode("utf-8")).hexdigest()[:12]
    return f"studyapp_session_{digest}"


def start_session(store: Store, name: str, *, now: float | None = None) -> tuple[str, str]:
    """(session token, handoff code) for a coder who has just signed in (the caller checked that)."""
    token, code, at = secrets.token_urlsafe(32), secrets.token_urlsafe(24), _now(now)
    store.coders.add_session(_hash(token), name, _iso(at + SESSION_DAYS * 86400))
    with _LOCK:
        for key in [k for k, (_, until) in _HANDOFFS.items() if until <= at]:
            del _HANDOFFS[key]
        _HANDOFFS[_hash(code)] = (token, at + HANDOFF_SECONDS)
    return token, code


def redeem_handoff(code: str, *, now: float | None = None) -> str | None:
    """The session token of an unused, unexpired handoff code (used up here), else None."""
    with _LOCK:
        found = _HANDOFFS.pop(_hash(code or ""), None)
    return found[0] if found and found[1] > _now(now) else None


def session_coder(store: Store, token: str | None, *, now: float | None = None) -> str | None:
    """The coder a session token belongs to, while it lasts and the coder is active; else None."""
    if not token:
        return None
    name = store.coders.session(_hash(token), _iso(_now(now)))
    return name if name and _active(store, name) else None


def end_session(store: Store, token: str | None) -> None:
    if token:
        store.coders.end_session(_hash(token))


def redeem_in(folder: str | Path, code: str) -> str | None:
    """For the HTTP route, which has no store open: the token of a handoff code, if its session is
    still in the study in `folder`."""
    token = redeem_handoff(code)
    if token is None:
        return None
    with Store.open(folder) as store:
        return token if session_coder(store, token) else None


def end_in(folder: str | Path, token: str | None) -> None:
    with Store.open(folder) as store:
        end_session(store, token)


def _active(store: Store, name: str) -> bool:
    coder = store.coders.get(name)
    return bool(coder and coder["active"])


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now(now: float | None) -> float:
    return time.time() if now is None else now


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).isoformat(timespec="microseconds")
