"""Sign-in for a lab server: salted scrypt password hashes, throttled guessing, one-time invite links.

Passwords: scrypt from the standard library (memory-hard, RFC 7914; no extra dependency) at OWASP's
current guidance, N=2^17, r=8, p=1 (128 MiB, about 0.4 s a hash here). Parameters are stored with
each hash, so a hash made at older, weaker ones (N=2^14 before) still checks and is re-made at the
current ones on the coder's next successful sign-in.

Guessing: every failed sign-in is recorded in the study (`sign_in_failures`) and audited. After
`name_free` failures for one name, each further attempt on that name waits twice as long as the one
before (up to `name_cap` seconds); after `overall_free` failures on the server in the last
`overall_window` seconds, every name waits likewise. While a name must wait, its password is not
checked at all. A name that is no coder costs the same as one that is (its password is checked
against a dummy hash made with the same parameters) and gets the same message: no probing for
coders, by message or by time.

Invite links: random tokens (secrets.token_urlsafe) of which only the SHA-256 is stored; a link
expires after `invite_days` days and signs in once. Comparisons are constant-time.

The cost and throttle numbers live in `POLICY` (a `Policy`), read at each call: tests put cheaper
ones there; `Policy()` is what a served study uses.

Sign-in is on unless the app is served with `--no-auth` (single-user local mode): then the sidebar
lets the one researcher pick whom they code as.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import hashlib
import hmac
import math
import secrets
import time

from studyapp.domain.roles import require_lead
from studyapp.errors import PermissionDenied, StudyError
from studyapp.store import Store

MIN_PASSWORD = 8
FAILURE = "unknown coder or wrong password"
#: The demo study's coders sign in with NAME-demo; only a study built by `studyapp demo` says so.
DEMO_META = "demo_accounts"


@dataclasses.dataclass(frozen=True)
class Policy:
    scrypt_n: int = 2 ** 17
    scrypt_r: int = 8
    scrypt_p: int = 1
    name_free: int = 5            # failures of one name before it must wait
    name_base: float = 1.0        # the first wait (seconds), doubled with each further failure
    name_cap: float = 900.0       # at most this long
    name_window: float = 86400.0  # failures older than this are forgotten (a success forgets at once)
    overall_free: int = 100       # failures on the whole server in the window before every name waits
    overall_base: float = 1.0
    overall_cap: float = 300.0
    overall_window: float = 900.0
    invite_days: float = 7.0


POLICY = Policy()


# -- password hashes ---------------------------------------------------------------------------------

def hash_password(password: str, *, salt: bytes | None = None, n: int | None = None, r: int | None = None,
                  p: int | None = None) -> str:
    """`scrypt$n$r$p$salt$hash` (base64) for a password, at the policy's parameters unless given."""
    n, r, p = n or POLICY.scrypt_n, r or POLICY.scrypt_r, p or POLICY.scrypt_p
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32,
                            maxmem=256 * n * r * p + (1 << 24))
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${n}${r}${p}${b64(salt)}${b64(digest)}"


def check_password(password: str, stored: str | None) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, n, r, p, salt, digest = stored.split("$")
    again = hash_password(password, salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(again.rsplit("$", 1)[1], digest)


def needs_upgrade(stored: str) -> bool:
    """Whether a hash was made at weaker parameters than the policy's (or by another scheme)."""
    parts = stored.split("$")
    if parts[0] != "scrypt" or len(parts) != 6:
        return True
    n, r, p = (int(x) for x in parts[1:4])
    return n < POLICY.scrypt_n or r < POLICY.scrypt_r or p < POLICY.scrypt_p


@functools.lru_cache(maxsize=4)
def _dummy_hash(n: int, r: int, p: int) -> str:
    return hash_password(secrets.token_urlsafe(16), n=n, r=r, p=p)


def prepare() -> None:
    """Make the dummy hash now (the server calls this at start), so that not even the first unknown
    name of a process takes longer than a real one."""
    _dummy_hash(POLICY.scrypt_n, POLICY.scrypt_r, POLICY.scrypt_p)


def set_password(store: Store, name: str, password: str, *, actor: str | None = None) -> None:
    """Set a coder's password and end every session they have. From the app only the coder themself
    or a lead may (actor given); the CLI, run by whoever holds the study folder, passes actor=None."""
    if actor is not None and actor != name:
        require_lead(store, actor, "set another coder's password")
    if len(password) < MIN_PASSWORD:
        raise StudyError(f"a password needs at least {MIN_PASSWORD} characters")
    with store.transaction():
        store.coders.set_credentials(name, password_hash=hash_password(password), actor=actor or name)
        store.coders.end_sessions(name)


# -- throttling --------------------------------------------------------------------------------------

def _wait(times: list[float], free: int, base: float, cap: float, now: float) -> float:
    """Seconds still to wait after failures at `times` (newest first): none for the first `free`,
    then base, 2*base, 4*base... after the newest, at most `cap`."""
    if len(times) < free:
        return 0.0
    delay = min(cap, base * 2 ** min(len(times) - free, 64))
    return max(0.0, times[0] + delay - now)


def wait_for(store: Store, name: str | None, *, now: float | None = None) -> float:
    """How many seconds a sign-in as `name` must wait (0: it may try now); None: the server-wide
    wait only (for invite links, whose 192-bit tokens are not guessed one name at a time)."""
    now = time.time() if now is None else now
    pol = POLICY
    mine = store.coders.failures(name, since=now - pol.name_window) if name is not None else []
    overall = store.coders.failures(None, since=now - pol.overall_window)
    return max(_wait(mine, pol.name_free, pol.name_base, pol.name_cap, now),
               _wait(overall, pol.overall_free, pol.overall_base, pol.overall_cap, now))


def _refuse_while_waiting(store: Store, name: str, now: float, *, per_name: bool = True) -> None:
    wait = wait_for(store, name if per_name else None, now=now)
    if wait > 0:
        with store.transaction():
            store.history.log("coder.sign_in_refused", coder=name[:80], note=f"throttled for {math.ceil(wait)} s")
        raise PermissionDenied(f"too many failed sign-ins: wait {math.ceil(wait)} s, then try again")


def _failed(store: Store, name: str, now: float, why: str) -> None:
    with store.transaction():
        store.coders.record_failure(name[:80], now)
        store.history.log("coder.sign_in_failed", coder=name[:80], note=why)


def sign_in(store: Store, name: str, password: str, *, now: float | None = None) -> dict:
    """The coder record if name and password match; one message for every failure (no user probing)."""
    now = time.time() if now is None else now
    _refuse_while_waiting(store, name, now)
    coder = store.coders.get(name)
    stored = store.coders.credentials(name)[0] if coder else None
    usable = bool(coder and coder["active"] and stored and stored.startswith("scrypt$"))
    # An unknown name (or one without a password) is checked against a dummy hash: the same time.
    ok = check_password(password, stored if usable else _dummy_hash(POLICY.scrypt_n, POLICY.scrypt_r,
                                                                          POLICY.scrypt_p))
    if not (usable and ok):
        _failed(store, name, now, "wrong password or unknown coder")
        raise PermissionDenied(FAILURE)
    with store.transaction():
        if needs_upgrade(stored):
            store.coders.set_credentials(name, password_hash=hash_password(password), actor=name,
                                         action="coder.password_upgraded")
        store.coders.clear_failures(name)
        store.history.log("coder.sign_in", actor=name, coder=name)
    return coder


def sign_out_everywhere(store: Store, name: str, *, actor: str | None = None) -> int:
    """End every session of a coder (a lost laptop); returns how many ended. Audited."""
    if actor is not None and actor != name:
        require_lead(store, actor, "sign another coder out")
    store.coders.require(name)
    with store.transaction():
        n = store.coders.sessions_of(name)
        store.coders.end_sessions(name)
        store.history.log("coder.sign_out_everywhere", actor=actor, coder=name, new={"sessions": n})
    return n


def unlock(store: Store, name: str, *, actor: str | None = None) -> int:
    """Forget a name's failed sign-ins, so it need not wait; returns how many were forgotten. Audited."""
    if actor is not None:
        require_lead(store, actor, "unlock a coder's sign-in")
    with store.transaction():
        n = len(store.coders.failures(name, since=0))
        store.coders.clear_failures(name)
        store.history.log("coder.sign_in_unlocked", actor=actor, coder=name, new={"failures": n})
    return n


# -- invite links ------------------------------------------------------------------------------------

def create_invite(store: Store, name: str, *, actor: str | None = None, now: float | None = None) -> str:
    """A fresh invite token for a coder (replaces the previous one), valid for `invite_days` days and
    for one sign-in; returned once, stored hashed."""
    if actor is not None:
        require_lead(store, actor, "invite coders")
    store.coders.require(name)
    token = secrets.token_urlsafe(24)
    expires = _iso((time.time() if now is None else now) + POLICY.invite_days * 86400)
    store.coders.set_credentials(name, token_hash=_token_hash(token), token_expires_at=expires, actor=actor)
    return token


def sign_in_with_token(store: Store, token: str, *, now: float | None = None) -> dict:
    """Sign in with an invite link: once, before it expires."""
    now = time.time() if now is None else now
    _refuse_while_waiting(store, "(invite link)", now, per_name=False)  # a bad link must not block the rest
    found = store.coders.by_token_hash(_token_hash(token or ""))
    if found is None or found[1] is None or found[1] <= _iso(now):
        _failed(store, "(invite link)", now, "expired" if found else "not valid")
        raise PermissionDenied("this invite link is not valid or has expired (ask your lead for a new one)")
    name = found[0]
    with store.transaction():
        store.coders.use_token(name)
        store.history.log("coder.sign_in", actor=name, coder=name, note="invite link")
    return store.coders.require(name)


def demo_accounts(store: Store) -> list[dict]:
    """The demo's coders and their passwords, for its sign-in page; empty for any other study."""
    if store.meta(DEMO_META) != "1":
        return []
    return [{"name": c["name"], "role": c["role"], "password": demo_password(c["name"])}
            for c in store.coders.list() if c["active"]]


def demo_password(name: str) -> str:
    return f"{name}-demo"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).isoformat(timespec="microseconds")
