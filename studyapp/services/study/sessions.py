"""Sign-in that lasts: a session cookie the browser keeps across reloads, revoked on sign-out and on
a password change.

Streamlit's script cannot set a cookie (it talks to the browser over a websocket), so the served app
(`studyapp/ui/server.py`, an `st.App` wrapper) adds two HTTP routes and the script hands over to
them:

1. The sign-in form checks the password (`auth.sign_in`) and makes a *handoff code*: random, stored
   hashed, good for one use within `HANDOFF_SECONDS`. The page then opens
   `/auth/session?code=...&next=/page`.
2. That route redeems the code (`redeem_handoff`): it makes the session token (random, 32 bytes; only
   its SHA-256 is stored, with the coder and an expiry), sets it as an HttpOnly, SameSite=Strict
   cookie and sends the browser back to the page it came from.
3. On every new page load the script reads the cookie (`st.context.cookies`) and asks
   `session_coder`: the coder, while the session is in the study and not expired.
4. Sign-out ends the session in the study (`end_session`) and then opens `/auth/sign-out`, which
   clears the cookie. A new password ends every session of that coder (`auth.set_password`).

A copy of the study file hands out no sessions (only hashes are kept). The cookie is named after the
study's folder, so two studies served on one host keep apart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from pathlib import Path

from studyapp.store import Store

SESSION_DAYS = 7
HANDOFF_SECONDS = 120


def cookie_name(folder: str | Path) -> str:
    digest = hashlib.sha256(str(Path(folder).resolve()).encode("utf-8")).hexdigest()[:12]
    return f"studyapp_session_{digest}"


def start_handoff(store: Store, name: str, *, now: float | None = None) -> str:
    """A one-time code the sign-in route exchanges for a session cookie (after a checked sign-in)."""
    code = secrets.token_urlsafe(24)
    store.coders.add_session(_hash(code), name, "handoff", _iso(_now(now) + HANDOFF_SECONDS))
    return code


def redeem_handoff(store: Store, code: str, *, now: float | None = None) -> tuple[str, str] | None:
    """(session token, coder) for a valid, unused, unexpired handoff code (used up here), else None."""
    with store.transaction():
        name = store.coders.take_session(_hash(code or ""), "handoff", _iso(_now(now)))
        if name is None or not _active(store, name):
            return None
        token = secrets.token_urlsafe(32)
        store.coders.add_session(_hash(token), name, "session", _iso(_now(now) + SESSION_DAYS * 86400))
    return token, name


def session_coder(store: Store, token: str | None, *, now: float | None = None) -> str | None:
    """The coder a session token belongs to, while it lasts and the coder is active; else None."""
    if not token:
        return None
    name = store.coders.session(_hash(token), _iso(_now(now)))
    return name if name and _active(store, name) else None


def end_session(store: Store, token: str | None) -> None:
    if token:
        store.coders.end_session(_hash(token))


def redeem_in(folder: str | Path, code: str) -> tuple[str, str] | None:
    """`redeem_handoff` on the study in `folder` (for the HTTP route, which has no store open)."""
    with Store.open(folder) as store:
        return redeem_handoff(store, code)


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
