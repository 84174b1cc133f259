"""The study's claims (`store.claims`): text, type and check data, each change in the history."""

from __future__ import annotations

from studyapp.store.columns import dumps, loads, now


class Claims:
    def __init__(self, store):
        self.store = store

    def upsert(self, claim_id: str, *, text: str, type: str = "qualitative", data: dict | None = None,
               actor: str | None = None) -> None:
        old = self.get(claim_id)
        ts = now()
        with self.store.transaction():
            self.store.conn.execute(
                "INSERT INTO claims (id, text, type, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET text = excluded.text, type = excluded.type,"
                " data = excluded.data, updated_at = excluded.updated_at",
                (claim_id, text, type, dumps(data or {}), ts, ts))
            self.store.history.log("claim.set", actor=actor, old=old, new={"id": claim_id, "text": text,
                                                                          "type": type, "data": data or {}}, at=ts)

    def get(self, claim_id: str) -> dict | None:
        rows = self.store.query("SELECT id, text, type, data FROM claims WHERE id = ?", (claim_id,))
        if not rows:
            return None
        rows[0]["data"] = loads(rows[0]["data"]) or {}
        return rows[0]

    def list(self) -> list[dict]:
        rows = self.store.query("SELECT id, text, type, data, updated_at FROM claims ORDER BY id")
        for r in rows:
            r["data"] = loads(r["data"]) or {}
        return rows

    # Validations are evidence, kept in the append-only history ("claim.validate"): each run's verdict,
    # numbers, exact queries and a chart sample, with who and when. Nothing is overwritten.
    def record_validation(self, claim_id: str, record: dict, *, actor: str | None = None) -> int:
        with self.store.transaction():
            return self.store.history.log("claim.validate", actor=actor, new=record.get("verdict"),
                                          note=claim_id, detail=record)

    def latest_validations(self) -> dict[str, dict]:
        """{claim id: its last recorded validation, with `at` and `by`}."""
        rows = self.store.query(
            "SELECT h.note AS claim, h.at, h.actor, h.detail FROM history h JOIN"
            " (SELECT note, max(id) AS id FROM history WHERE action = 'claim.validate' GROUP BY note) last"
            " ON last.id = h.id")
        return {r["claim"]: {**(loads(r["detail"]) or {}), "at": r["at"], "by": r["actor"]} for r in rows}

    def validations(self, claim_id: str, limit: int = 20) -> list[dict]:
        """Recorded validations of one claim, newest first."""
        rows = self.store.query("SELECT at, actor, detail FROM history WHERE action = 'claim.validate' AND note = ?"
                                " ORDER BY id DESC LIMIT ?", (claim_id, int(limit)))
        return [{**(loads(r["detail"]) or {}), "at": r["at"], "by": r["actor"]} for r in rows]
