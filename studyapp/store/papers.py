"""SQL of the SLR feature: duplicate links and splits, snowballing rounds and links, paper counts.

Papers themselves are units of kind 'paper'; this module only adds what units cannot hold.
Duplicates are linked to a primary record and never deleted; a split removes the link, remembers
the pair so automatic de-duplication never links it again, and is in the history like every change.
"""

from __future__ import annotations

from studyapp.errors import NotFound, StudyError
from studyapp.store.columns import now


class Papers:
    def __init__(self, store):
        self.store = store

    # -- duplicates ---------------------------------------------------------------------------
    def link(self, unit_id: int, primary_id: int, *, method: str, score: float | None = None,
             actor: str | None = None) -> None:
        if unit_id == primary_id:
            raise StudyError("a paper cannot be a duplicate of itself")
        with self.store.transaction():
            self.store.conn.execute(
                "INSERT INTO paper_duplicates (unit_id, primary_id, method, score, linked_at, linked_by)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (unit_id) DO UPDATE SET primary_id = excluded.primary_id,"
                " method = excluded.method, score = excluded.score, linked_at = excluded.linked_at,"
                " linked_by = excluded.linked_by", (unit_id, primary_id, method, score, now(), actor))
            self.store.history.log("paper.duplicate", actor=actor, unit_id=unit_id,
                                   new={"primary": primary_id, "method": method, "score": score})

    def split(self, unit_id: int, *, actor: str | None = None) -> int:
        """Undo the duplicate link of `unit_id`; returns the primary it was linked to."""
        primary = self.store.scalar("SELECT primary_id FROM paper_duplicates WHERE unit_id = ?", (unit_id,))
        if primary is None:
            raise NotFound("this paper is not linked as a duplicate")
        with self.store.transaction():
            self.store.conn.execute("DELETE FROM paper_duplicates WHERE unit_id = ?", (unit_id,))
            self.store.conn.execute("INSERT OR REPLACE INTO paper_splits (unit_id, other_id, split_at, split_by)"
                                    " VALUES (?, ?, ?, ?)", (min(unit_id, primary), max(unit_id, primary), now(), actor))
            self.store.history.log("paper.split", actor=actor, unit_id=unit_id, old={"primary": primary})
        return int(primary)

    def split_pairs(self) -> set[tuple[int, int]]:
        return {(a, b) for a, b in self.store.conn.execute("SELECT unit_id, other_id FROM paper_splits")}

    def duplicate_map(self) -> dict[int, int]:
        """duplicate unit id -> primary unit id."""
        return dict(self.store.conn.execute("SELECT unit_id, primary_id FROM paper_duplicates"))

    def duplicates(self) -> list[dict]:
        return self.store.query(
            "SELECT d.unit_id, u.key, u.title, json_extract(u.attrs, '$.year') AS year,"
            " json_extract(u.attrs, '$.source') AS source, d.primary_id, p.key AS primary_key,"
            " p.title AS primary_title, json_extract(p.attrs, '$.source') AS primary_source, d.method, d.score,"
            " d.linked_by, d.linked_at FROM paper_duplicates d JOIN units u ON u.id = d.unit_id"
            " JOIN units p ON p.id = d.primary_id ORDER BY d.primary_id, d.unit_id")

    # -- counts ----------------------------------------------------------------------------
    def source_counts(self) -> dict[str, int]:
        """Paper records per source database (duplicates included), snowballed records left out."""
        rows = self.store.conn.execute(
            "SELECT coalesce(json_extract(u.attrs, '$.source'), 'unknown'), count(*) FROM units u"
            " WHERE u.kind = 'paper' AND u.id NOT IN (SELECT unit_id FROM snowball_links)"
            " GROUP BY 1 ORDER BY 2 DESC, 1")
        return {s: n for s, n in rows}

    # -- snowballing --------------------------------------------------------------------------
    def add_round(self, direction: str, *, note: str | None = None, actor: str | None = None) -> int:
        with self.store.transaction():
            cur = self.store.conn.execute(
                "INSERT INTO snowball_rounds (direction, note, started_at, started_by) VALUES (?, ?, ?, ?)",
                (direction, note, now(), actor))
            rid = int(cur.lastrowid)
            self.store.history.log("snowball.round", actor=actor, new={"round": rid, "direction": direction,
                                                                        "note": note})
        return rid

    def rounds(self) -> list[dict]:
        return self.store.query(
            "SELECT r.*, (SELECT count(DISTINCT unit_id) FROM snowball_links l WHERE l.round_id = r.id) AS papers"
            " FROM snowball_rounds r ORDER BY r.id")

    def require_round(self, round_id: int) -> dict:
        rows = self.store.query("SELECT * FROM snowball_rounds WHERE id = ?", (round_id,))
        if not rows:
            raise NotFound(f"no snowballing round {round_id}")
        return rows[0]

    def add_link(self, unit_id: int, from_unit_id: int, *, round_id: int, direction: str,
                 actor: str | None = None) -> None:
        with self.store.transaction():
            self.store.conn.execute(
                "INSERT OR IGNORE INTO snowball_links (unit_id, from_unit_id, round_id, direction, added_at, added_by)"
                " VALUES (?, ?, ?, ?, ?, ?)", (unit_id, from_unit_id, round_id, direction, now(), actor))
            self.store.history.log("snowball.link", actor=actor, unit_id=unit_id,
                                   new={"from": from_unit_id, "round": round_id, "direction": direction})

    def links(self, round_id: int | None = None) -> list[dict]:
        sql = ("SELECT l.unit_id, u.key, u.title, l.from_unit_id, f.key AS from_key, f.title AS from_title,"
               " l.round_id, l.direction, l.added_by, l.added_at FROM snowball_links l"
               " JOIN units u ON u.id = l.unit_id JOIN units f ON f.id = l.from_unit_id")
        params: tuple = ()
        if round_id is not None:
            sql += " WHERE l.round_id = ?"
            params = (round_id,)
        return self.store.query(sql + " ORDER BY l.round_id, l.from_unit_id, l.unit_id", params)

    def snowballed(self) -> dict[int, str]:
        """unit id -> direction, for papers that came in by snowballing (the first link decides)."""
        return {u: d for u, d, _ in self.store.conn.execute(
            "SELECT unit_id, direction, min(rowid) FROM snowball_links GROUP BY unit_id")}

    # -- screening ----------------------------------------------------------------------------
    def decision_order(self, codebook: str, field: str, coder: str, round_id: str) -> list[int]:
        """Unit ids `coder` decided in a field and round, in the order of their first decision."""
        return [u for u, in self.store.conn.execute(
            "SELECT unit_id FROM history WHERE action = 'annotation.set' AND codebook = ? AND field = ?"
            " AND coder = ? AND round = ? GROUP BY unit_id ORDER BY min(id)", (codebook, field, coder, round_id))]
