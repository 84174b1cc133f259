"""Coders and their roles (coder | lead)."""

from __future__ import annotations

from studyapp.errors import NotFound, StudyError
from studyapp.store.base import now

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

    def names(self) -> list[str]:
        return [c["name"] for c in self.list()]
