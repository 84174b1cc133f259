"""Coding rounds (pilot, calibration, main...), the codebooks they serve, each codebook's active
round, and whether a round's reconciliation is open.

Until the lead opens reconciliation for a round, coders see only their own values in it. A round
serves one or more codebooks (`round_codebooks`; a pilot may serve several); a round attached to
none is free, and the first codebook coded in it takes it. Each codebook has one active round
(`active_rounds`), the one its coding views open on.
"""

from __future__ import annotations

from studyapp.errors import NotFound
from studyapp.store.columns import now

DEFAULT_ROUND = "main"


class Rounds:
    def __init__(self, store):
        self.store = store
        self._attached: bool | None = None

    def _by_codebook(self) -> bool:
        """Whether the study has rounds per codebook (a study held at an older schema, as upgrade
        tests make, has not: every round is free there)."""
        if not self._attached:
            self._attached = bool(self.store.scalar(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'round_codebooks'"))
        return self._attached

    def ensure(self, round_id: str, label: str | None = None, *, actor: str | None = None,
               codebook: str | None = None) -> dict:
        """The round, made if missing; attached to `codebook` when one is given."""
        r = self.get(round_id)
        if r:
            if codebook:
                self.attach(round_id, codebook, actor=actor)
            return r
        with self.store.transaction():
            seq = int(self.store.scalar("SELECT coalesce(max(seq), 0) + 1 FROM rounds"))
            self.store.conn.execute("INSERT INTO rounds (id, label, seq) VALUES (?, ?, ?)",
                                    (round_id, label or round_id, seq))
            self.store.history.log("round.add", actor=actor, round=round_id, new={"label": label or round_id})
            if codebook:
                self.attach(round_id, codebook, actor=actor)
        return self.get(round_id)

    # -- which codebooks a round serves, and each codebook's active round --------------------------

    def attach(self, round_id: str, codebook: str, *, actor: str | None = None) -> bool:
        """Let `codebook` be coded in `round_id`; returns whether it was new."""
        if not self.get(round_id):
            raise NotFound(f"no round {round_id!r}")
        if not self._by_codebook() or codebook in self.codebooks_of(round_id):
            return False
        with self.store.transaction():
            cur = self.store.conn.execute("INSERT OR IGNORE INTO round_codebooks (round, codebook, attached_at,"
                                          " attached_by) VALUES (?, ?, ?, ?)", (round_id, codebook, now(), actor))
            if not cur.rowcount:
                return False  # another writer attached it first
            self.store.history.log("round.attach", actor=actor, round=round_id, codebook=codebook,
                                   new={"codebook": codebook})
        return True

    def codebooks_of(self, round_id: str) -> list[str]:
        if not self._by_codebook():
            return []
        return [r["codebook"] for r in self.store.query(
            "SELECT codebook FROM round_codebooks WHERE round = ? ORDER BY codebook", (round_id,))]

    def of_codebook(self, codebook: str) -> list[dict]:
        """The rounds `codebook` is coded in, in the study's round order."""
        if not self._by_codebook():
            return self.list()
        return self.store.query("SELECT r.* FROM rounds r JOIN round_codebooks rc ON rc.round = r.id"
                                " WHERE rc.codebook = ? ORDER BY r.seq", (codebook,))

    def active(self, codebook: str) -> str | None:
        """The codebook's active round: the one set, else `main` if it serves the codebook, else the
        codebook's newest round (None when it has none)."""
        rows = self.store.query("SELECT round FROM active_rounds WHERE codebook = ?",
                                (codebook,)) if self._by_codebook() else []
        ids = [r["id"] for r in self.of_codebook(codebook)]
        if rows and rows[0]["round"] in ids:
            return rows[0]["round"]
        if DEFAULT_ROUND in ids:
            return DEFAULT_ROUND
        return ids[-1] if ids else None

    def set_active(self, codebook: str, round_id: str, *, actor: str | None = None) -> None:
        old = self.active(codebook)
        with self.store.transaction():
            self.attach(round_id, codebook, actor=actor)
            self.store.conn.execute(
                "INSERT INTO active_rounds (codebook, round, set_at, set_by) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (codebook) DO UPDATE SET round = excluded.round, set_at = excluded.set_at,"
                " set_by = excluded.set_by", (codebook, round_id, now(), actor))
            self.store.history.log("round.active", actor=actor, round=round_id, codebook=codebook,
                                   old={"round": old}, new={"round": round_id})

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

    def attachments(self) -> dict[str, set[str]]:
        """Every round -> the codebooks it serves (an empty set: a free round)."""
        out: dict[str, set[str]] = {r["id"]: set() for r in self.list()}
        if not self._by_codebook():
            return out
        for r in self.store.query("SELECT round, codebook FROM round_codebooks"):
            out.setdefault(r["round"], set()).add(r["codebook"])
        return out
