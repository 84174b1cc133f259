"""Import runs (`store.imports`): which file came in, from where, by whom, with what counts."""

from __future__ import annotations

from typing import Any

from studyapp.store.columns import dumps, loads, now


class Imports:
    def __init__(self, store):
        self.store = store

    def start(self, *, kind: str, file: str | None, source: str | None = None,
              search_string: str | None = None, actor: str | None = None) -> int:
        cur = self.store.conn.execute(
            "INSERT INTO imports (kind, file, source, search_string, at, by) VALUES (?, ?, ?, ?, ?, ?)",
            (kind, file, source, search_string, now(), actor))
        return int(cur.lastrowid)

    def finish(self, import_id: int, *, n_read: int, n_imported: int, n_duplicates: int = 0,
               n_rejected: int = 0, report: Any = None, actor: str | None = None) -> None:
        self.store.conn.execute(
            "UPDATE imports SET n_read = ?, n_imported = ?, n_duplicates = ?, n_rejected = ?, report = ?"
            " WHERE id = ?", (n_read, n_imported, n_duplicates, n_rejected, dumps(report), import_id))
        self.store.history.log("import", actor=actor, detail={"import": import_id, "read": n_read,
                                                              "imported": n_imported})

    def list(self) -> list[dict]:
        rows = self.store.query("SELECT * FROM imports ORDER BY id")
        for r in rows:
            r["report"] = loads(r["report"])
        return rows
