"""Memos on units and codes, and claim records (the claims issue extends them)."""

from __future__ import annotations

from studyapp.errors import NotFound
from studyapp.store.columns import now


class Memos:
    def __init__(self, store):
        self.store = store

    def add(self, *, text: str, coder: str | None, target_kind: str = "unit", unit_id: int | None = None,
            codebook: str | None = None, code: str | None = None, round: str | None = None) -> int:
        """A memo; `round` is the round it was written in (who may read it follows that round)."""
        ts = now()
        with self.store.transaction():
            cur = self.store.conn.execute(
                "INSERT INTO memos (target_kind, unit_id, codebook, code, coder, text, created_at, updated_at, round)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (target_kind, unit_id, codebook, code, coder, text, ts, ts, round))
            mid = int(cur.lastrowid)
            self.store.history.log("memo.add", actor=coder, unit_id=unit_id, codebook=codebook, coder=coder,
                                   round=round, new=text, detail={"memo": mid, "target": target_kind, "code": code}, at=ts)
        return mid

    def edit(self, memo_id: int, text: str, *, actor: str | None = None) -> None:
        old = self.store.query("SELECT * FROM memos WHERE id = ?", (memo_id,))
        if not old:
            raise NotFound(f"no memo {memo_id}")
        with self.store.transaction():
            self.store.conn.execute("UPDATE memos SET text = ?, updated_at = ? WHERE id = ?", (text, now(), memo_id))
            self.store.history.log("memo.edit", actor=actor, unit_id=old[0]["unit_id"], coder=old[0]["coder"],
                                   round=old[0].get("round"), old=old[0]["text"],
                                   new=text, detail={"memo": memo_id})

    def for_unit(self, unit_id: int) -> list[dict]:
        return self.store.query("SELECT * FROM memos WHERE unit_id = ? ORDER BY id", (unit_id,))

    def for_code(self, codebook: str, code: str) -> list[dict]:
        return self.store.query("SELECT * FROM memos WHERE codebook = ? AND code = ? AND target_kind = 'code'"
                                " ORDER BY id", (codebook, code))

    def list(self, limit: int | None = None) -> list[dict]:
        sql = ("SELECT m.*, u.kind AS unit_kind, u.key AS unit_key FROM memos m"
               " LEFT JOIN units u ON u.id = m.unit_id ORDER BY m.id")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return self.store.query(sql)

    def count(self) -> int:
        return int(self.store.scalar("SELECT count(*) FROM memos"))
