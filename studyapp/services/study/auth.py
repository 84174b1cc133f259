"""Sign-in for a lab server: passwords as salted scrypt hashes, per-coder invite tokens.

Why scrypt from the standard library: it is a memory-hard password hash (RFC 7914) with no extra
dependency; parameters are stored with each hash so they can be raised later without breaking old
ones. Invite tokens are random (secrets.token_urlsafe) and only their SHA-256 is stored, so a copy of
the study file does not hand out sign-ins. Comparisons are constant-time.

Sign-in is on unless the app is served with `--no-auth` (single-user local mode): then the sidebar
lets the one researcher pick whom they code as.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from studyapp.domain.roles import require_lead
from studyapp.errors import PermissionDenied, StudyError
from studyapp.store import Store

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
MIN_PASSWORD = 8


def hash_password(password: str, *, salt: bytes | None = None, n: int = SCRYPT_N, r: int = SCRYPT_R,
                  p: int = SCRYPT_P) -> str:
    """`scrypt$n$r$p$salt$hash` (base64) for a password."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${n}${r}${p}${b64(salt)}${b64(digest)}"


def check_password(password: str, stored: str | None) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, n, r, p, salt, digest = stored.split("$")
    again = hash_password(password, salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(again.rsplit("$", 1)[1], digest)


def set_password(store: Store, name: str, password: str, *, actor: str | None = None) -> None:
    """Set a coder's password. From the app only the coder themself or a lead may (actor given);
    the CLI, run by whoever holds the study folder, passes actor=None."""
    if actor is not None and actor != name:
        require_lead(store, actor, "set another coder's password")
    if len(password) < MIN_PASSWORD:
        raise StudyError(f"a password needs at least {MIN_PASSWORD} characters")
    store.coders.set_credentials(name, password_hash=hash_password(password), actor=actor or name)


def sign_in(store: Store, name: str, password: str) -> dict:
    """The coder record if name and password match; one message for every failure (no user probing)."""
    coder = store.coders.get(name)
    stored = store.coders.credentials(name)[0] if coder else None
    if coder is None or not coder["active"] or not check_password(password, stored):
        raise PermissionDenied("unknown coder or wrong password")
    store.history.log("coder.sign_in", actor=name, coder=name)
    return coder


def create_invite(store: Store, name: str, *, actor: str | None = None) -> str:
    """A fresh invite token for a coder (replaces the previous one); returned once, stored hashed."""
    if actor is not None:
        require_lead(store, actor, "invite coders")
    store.coders.require(name)
    token = secrets.token_urlsafe(24)
    store.coders.set_credentials(name, token_hash=_token_hash(token), actor=actor)
    return token


def sign_in_with_token(store: Store, token: str) -> dict:
    name = store.coders.by_token_hash(_token_hash(token or ""))
    if name is None:
        raise PermissionDenied("this invite link is not valid (ask your lead for a new one)")
    store.history.log("coder.sign_in", actor=name, coder=name, note="invite link")
    return store.coders.require(name)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
