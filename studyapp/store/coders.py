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
                        actor: str | None = None) -> None:
        """Store a new password hash and/or invite token hash; the history says that, not the hash."""
        self.require(name)
        with self.store.transaction():
            if password_hash is not None:
                self.store.conn.execute("UPDATE coders SET password_hash = ? WHERE name = ?", (password_hash, name))
                self.store.history.log("coder.password", actor=actor, coder=name)
            if token_hash is not None:
                self.store.conn.execute("UPDATE coders SET token_hash = ? WHERE name = ?", (token_hash, name))
                self.store.history.log("coder.invite", actor=actor, coder=name)

    def by_token_hash(self, token_hash: str) -> str | None:
        row = self.store.conn.execute("SELECT name FROM coders WHERE token_hash = ? AND active = 1",
                                      (token_hash,)).fetchone()
        return row[0] if row else None

    def names(self) -> list[str]:
        return [c["name"] for c in self.list()]
