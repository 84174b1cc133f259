"""The append-only history: every change to a study, with who and when. Nothing is deleted in place."""

from __future__ import annotations

from typing import Any

from studyapp.store.columns import dumps, loads, now


class History:
    def __init__(self, store):
        self.store = store

    def log(self, action: str, *, actor: str | None = None, unit_id: int | None = None,
            codebook: str | None = None, field: str | None = None, coder: str | None = None,
            round: str | None = None, old: Any = None, new: Any = None, note: str | None = None,
            detail: Any = None, at: str | None = None) -> int:
        cur = self.store.conn.execute(
            "INSERT INTO history (at, actor, action, unit_id, codebook, field, coder, round, old, new,"
            " note, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (at or now(), actor, action, unit_id, codebook, field, coder, round, dumps(old), dumps(new),
             note, dumps(detail)))
        return int(cur.lastrowid)

    def log_many(self, rows: list[tuple]) -> None:
        """Bulk form of `log`: tuples of (at, actor, action, unit_id, codebook, field, coder, round,
        old_json, new_json, note, detail_json)."""
        self.store.conn.executemany(
            "INSERT INTO history (at, actor, action, unit_id, codebook, field, coder, round, old, new,"
            " note, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def _rows(self, where: str, params: tuple, limit: int | None) -> list[dict]:
        sql = f"SELECT * FROM history WHERE {where} ORDER BY id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        rows = self.store.query(sql, params)
        for r in rows:
            r["old"], r["new"], r["detail"] = loads(r["old"]), loads(r["new"]), loads(r["detail"])
        return rows

    def for_unit(self, unit_id: int, limit: int | None = None) -> list[dict]:
        return self._rows("unit_id = ?", (unit_id,), limit)

    def recent(self, limit: int = 50, action_prefix: str | None = None) -> list[dict]:
        if action_prefix:
            return self._rows("action LIKE ?", (action_prefix + "%",), limit)
        return self._rows("1", (), limit)

    def recent_by(self, actor: str, codebook: str, actions: tuple[str, ...], limit: int = 200) -> list[dict]:
        """The newest changes `actor` made with `codebook` (of these actions), newest first."""
        marks = ",".join("?" * len(actions))
        return self._rows(f"actor = ? AND codebook = ? AND action IN ({marks})", (actor, codebook, *actions), limit)

    def field_counter(self, codebook: str, field: str) -> int:
        """Id of the last change to one field of a codebook (0 if none): a per-field change counter."""
        return int(self.store.scalar("SELECT coalesce(max(id), 0) FROM history WHERE codebook = ? AND field = ?",
                                     (codebook, field)) or 0)

    def count(self) -> int:
        return int(self.store.scalar("SELECT count(*) FROM history"))
