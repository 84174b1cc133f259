"""Coders and their roles (coder | lead)."""

from __future__ import annotations

from studyapp.errors import NotFound, StudyError
from studyapp.store.columns import now

ROLES = ("coder", "lead")


class Coders:
    def __init__(self, store):
        self.store = store

    def add(self, name: str, role: str = "coder", *, actor: str | None = None) -> dict:
        if role not in ROLES:
            raise StudyError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if self.get(name):
            raise StudyError(f"coder {name!r} already exists")
        with self.store.transaction():
            self.store.conn.execute("INSERT INTO coders (name, role, created_at) VALUES (?, ?, ?)",
                                    (name, role, now()))
            self.store.history.log("coder.add", actor=actor, coder=name, new={"role": role})
        return self.get(name)

    def set_role(self, name: str, role: str, *, actor: str | None = None) -> None:
        old = self.require(name)
        if role not in ROLES:
            raise StudyError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        with self.store.transaction():
            self.store.conn.execute("UPDATE coders SET role = ? WHERE name = ?", (role, name))
            self.store.history.log("coder.role", actor=actor, coder=name, old={"role": old["role"]},
                                   new={"role": role})

    def get(self, name: str) -> dict | None:
        rows = self.store.query("SELECT name, role, created_at, active FROM coders WHERE name = ?", (name,))
        return rows[0] if rows else None

    def require(self, name: str) -> dict:
        c = self.get(name)
        if c is None:
            raise NotFound(f"no coder named {name!r} in this study")
        return c

    def list(self) -> list[dict]:
        return self.store.query("SELECT name, role, created_at, active FROM coders ORDER BY name")

    def credentials(self, name: str) -> tuple[str | None, str | None]:
        """(password hash, invite token hash) of a coder; never shown, only compared."""
        row = self.store.conn.execute("SELECT password_hash, token_hash FROM coders WHERE name = ?",
                                      (name,)).fetchone()
        if row is None:
            raise NotFound(f"no coder named {name!r} in this study")
        return row[0], row[1]

    def set_credentials(self, name: str, *, password_hash: str | None = None, token_hash: str | None = None,
                        token_expires_at: str | None = None, actor: str | None = None,
                        action: str = "coder.password") -> None:
        """Store a new password hash and/or invite token hash; the history says that, not the hash."""
        self.require(name)
        with self.store.transaction():
            if password_hash is not None:
                self.store.conn.execute("UPDATE coders SET password_hash = ? WHERE name = ?", (password_hash, name))
                self.store.history.log(action, actor=actor, coder=name)
            if token_hash is not None:
                self.store.conn.execute("UPDATE coders SET token_hash = ?, token_expires_at = ? WHERE name = ?",
                                        (token_hash, token_expires_at, name))
                self.store.history.log("coder.invite", actor=actor, coder=name, new={"expires": token_expires_at})

    def by_token_hash(self, token_hash: str) -> tuple[str, str | None] | None:
        """(coder, expiry) of the active coder whose invite token hashes to `token_hash`."""
        row = self.store.conn.execute("SELECT name, token_expires_at FROM coders WHERE token_hash = ? AND active = 1",
                                      (token_hash,)).fetchone()
        return (row[0], row[1]) if row else None

    def use_token(self, name: str) -> None:
        """An invite link signs in once: forget its hash."""
        self.store.conn.execute("UPDATE coders SET token_hash = NULL, token_expires_at = NULL WHERE name = ?",
                                (name,))

    # -- sign-in sessions (hashed; see services/study/sessions.py) -----------------

    def add_session(self, token_hash: str, name: str, expires_at: str) -> None:
        with self.store.transaction():
            self.store.conn.execute("DELETE FROM sign_in_sessions WHERE expires_at <= ?", (now(),))
            self.store.conn.execute("INSERT INTO sign_in_sessions (token_hash, coder, created_at, expires_at)"
                                    " VALUES (?, ?, ?, ?)", (token_hash, name, now(), expires_at))

    def session(self, token_hash: str, at: str) -> str | None:
        row = self.store.conn.execute("SELECT coder FROM sign_in_sessions WHERE token_hash = ? AND expires_at > ?",
                                      (token_hash, at)).fetchone()
        return row[0] if row else None

    def end_session(self, token_hash: str) -> None:
        with self.store.transaction():
            self.store.conn.execute("DELETE FROM sign_in_sessions WHERE token_hash = ?", (token_hash,))

    def end_sessions(self, name: str) -> None:
        """End every session of a coder: after a password change."""
        with self.store.transaction():
            self.store.conn.execute("DELETE FROM sign_in_sessions WHERE coder = ?", (name,))

    def sessions_of(self, name: str) -> int:
        return int(self.store.scalar("SELECT count(*) FROM sign_in_sessions WHERE coder = ?",
                                     (name,)))

    # -- failed sign-ins (for throttling) ----------------------------------------------------------

    def record_failure(self, name: str, at: float) -> None:
        self.store.conn.execute("DELETE FROM sign_in_failures WHERE at < ?", (at - 3 * 86400,))
        self.store.conn.execute("INSERT INTO sign_in_failures (name, at) VALUES (?, ?)", (name, at))

    def failures(self, name: str | None, *, since: float) -> list[float]:
        """Times of failed sign-ins since `since` (newest first), for one name or (None) all."""
        if name is None:
            rows = self.store.conn.execute("SELECT at FROM sign_in_failures WHERE at >= ? ORDER BY at DESC",
                                           (since,)).fetchall()
        else:
            rows = self.store.conn.execute("SELECT at FROM sign_in_failures WHERE name = ? AND at >= ?"
                                           " ORDER BY at DESC", (name, since)).fetchall()
        return [r[0] for r in rows]

    def clear_failures(self, name: str) -> None:
        self.store.conn.execute("DELETE FROM sign_in_failures WHERE name = ?", (name,))

    def names(self) -> list[str]:
        return [c["name"] for c in self.list()]
