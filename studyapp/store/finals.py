"""Adjudicated values (`store.finals`): one per unit, codebook and field, kept apart from coders'
values, each change in the history."""

from __future__ import annotations

import json

from studyapp.store.columns import now


class Finals:
    """Adjudicated values: one per (unit, codebook, field), kept apart from coders' values."""

    def __init__(self, store):
        self.store = store

    def set(self, *, unit_id: int, codebook: str, field: str, value: str | None, value_num: float | None = None,
            round: str | None = None, rationale: str | None = None, by: str | None = None,
            codebook_version: int | None = None) -> None:
        conn = self.store.conn
        ts = now()
        with self.store.transaction():
            old = conn.execute("SELECT value, rationale FROM finals WHERE unit_id = ? AND codebook = ? AND field = ?",
                               (unit_id, codebook, field)).fetchone()
            self.store.history.log("final.clear" if value is None else "final.set", actor=by, unit_id=unit_id,
                                   codebook=codebook, field=field, round=round,
                                   old=old[0] if old else None, new=value, note=rationale,
                                   detail={"num": value_num, "v": codebook_version}, at=ts)
            if value is None:
                conn.execute("DELETE FROM finals WHERE unit_id = ? AND codebook = ? AND field = ?",
                             (unit_id, codebook, field))
                return
            conn.execute(
                "INSERT INTO finals (unit_id, codebook, field, round, value, value_num, rationale, by, at,"
                " codebook_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (unit_id, codebook, field) DO UPDATE SET round = excluded.round,"
                " value = excluded.value, value_num = excluded.value_num, rationale = excluded.rationale,"
                " by = excluded.by, at = excluded.at, codebook_version = excluded.codebook_version",
                (unit_id, codebook, field, round, value, value_num, rationale, by, ts, codebook_version))

    def for_unit(self, unit_id: int) -> list[dict]:
        return self.store.query("SELECT * FROM finals WHERE unit_id = ? ORDER BY codebook, field", (unit_id,))

    def values(self, codebook: str, field: str) -> list[tuple]:
        """(unit_id, value, value_num) for one field."""
        return self.store.conn.execute("SELECT unit_id, value, value_num FROM finals WHERE codebook = ?"
                                       " AND field = ?", (codebook, field)).fetchall()

    def count(self, codebook: str | None = None, field: str | None = None) -> int:
        sql, params = "SELECT count(*) FROM finals WHERE 1", []
        if codebook:
            sql += " AND codebook = ?"
            params.append(codebook)
        if field:
            sql += " AND field = ?"
            params.append(field)
        return int(self.store.scalar(sql, params))

    def current_rows(self) -> list[tuple]:
        return sorted(self.store.conn.execute("SELECT unit_id, codebook, field, value FROM finals").fetchall())

    def export_rows(self) -> list[dict]:
        """Every adjudicated value with its unit's kind and key, rationale, lead, round and time."""
        return self.store.query(
            "SELECT u.kind AS unit_kind, u.key AS unit, f.codebook, f.codebook_version, f.field, f.value,"
            " f.value_num, f.rationale, f.by AS lead, f.round, f.at FROM finals f JOIN units u ON u.id = f.unit_id"
            " ORDER BY f.codebook, f.field, u.kind, u.key")

    def replay(self) -> list[tuple]:
        state: dict[tuple, str] = {}
        for unit_id, cb, f, action, new in self.store.conn.execute(
                "SELECT unit_id, codebook, field, action, new FROM history"
                " WHERE action IN ('final.set', 'final.clear') ORDER BY id"):
            if action == "final.clear":
                state.pop((unit_id, cb, f), None)
            else:
                state[(unit_id, cb, f)] = json.loads(new)
        return sorted(k + (v,) for k, v in state.items())
