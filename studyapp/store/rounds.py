"""Coding rounds (pilot, calibration, main...) and whether their reconciliation is open.

Until the lead opens reconciliation for a round, coders see only their own values in it.
"""

from __future__ import annotations

from studyapp.errors import NotFound
from studyapp.store.columns import now

DEFAULT_ROUND = "main"


class Rounds:
    def __init__(self, store):
        self.store = store

    def ensure(self, round_id: str, label: str | None = None, *, actor: str | None = None) -> dict:
        r = self.get(round_id)
        if r:
            return r
        with self.store.transaction():
            seq = int(self.store.scalar("SELECT coalesce(max(seq), 0) + 1 FROM rounds"))
            self.store.conn.execute("INSERT INTO rounds (id, label, seq) VALUES (?, ?, ?)",
                                    (round_id, label or round_id, seq))
            self.store.history.log("round.add", actor=actor, round=round_id, new={"label": label or round_id})
        return self.get(round_id)

    def get(self, round_id: str) -> dict | None:
        rows = self.store.query("SELECT * FROM rounds WHERE id = ?", (round_id,))
        return rows[0] if rows else None

    def list(self) -> list[dict]:
        return self.store.query("SELECT * FROM rounds ORDER BY seq")

    def is_open(self, round_id: str) -> bool:
        return bool(self.store.scalar("SELECT reconciliation_open FROM rounds WHERE id = ?", (round_id,)))

    def set_reconciliation(self, round_id: str, open_: bool, *, actor: str | None = None) -> None:
        if not self.get(round_id):
            raise NotFound(f"no round {round_id!r}")
        with self.store.transaction():
            self.store.conn.execute(
                "UPDATE rounds SET reconciliation_open = ?, opened_at = ?, opened_by = ? WHERE id = ?",
                (int(open_), now() if open_ else None, actor if open_ else None, round_id))
            self.store.history.log("round.reconciliation", actor=actor, round=round_id,
                                   new={"open": bool(open_)})
