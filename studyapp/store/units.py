"""Units (papers, transcripts, segments, defects) and the imports that brought them in.

A unit is identified by (kind, key): a DOI-like key for papers, `transcript:n` for segments, the
issue key for defects. Segments point to their transcript through `parent_id` and keep `seq`.
"""

from __future__ import annotations

from typing import Any, Iterable

from studyapp.errors import NotFound, StudyError
from studyapp.store.columns import dumps, loads, now


def _decode(row: dict) -> dict:
    if "attrs" in row:
        row["attrs"] = loads(row["attrs"]) or {}
    return row


class Units:
    def __init__(self, store):
        self.store = store

    def add_many(self, units: Iterable[dict], *, import_id: int | None = None,
                 actor: str | None = None) -> list[int]:
        """Insert units given as dicts (kind, key, title, text, parent_id, seq, attrs); one transaction.

        A (kind, key) that exists already is an error naming it: imports decide about duplicates
        before they write.
        """
        ids: list[int] = []
        kinds: set[str] = set()
        ts = now()
        with self.store.transaction():
            for u in units:
                try:
                    cur = self.store.conn.execute(
                        "INSERT INTO units (kind, key, title, text, parent_id, seq, attrs, import_id, created_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (u["kind"], u["key"], u.get("title"), u.get("text"), u.get("parent_id"),
                         u.get("seq"), dumps(u.get("attrs") or {}), import_id, ts))
                except Exception as e:  # sqlite3.IntegrityError
                    if "UNIQUE" in str(e):
                        raise StudyError(f"a {u['kind']} with key {u['key']!r} is already in the study") from None
                    raise
                ids.append(int(cur.lastrowid))
                kinds.add(u["kind"])
            self.store.history.log("units.add", actor=actor,
                                   detail={"count": len(ids), "import": import_id, "kinds": sorted(kinds)})
        return ids

    def get(self, unit_id: int) -> dict | None:
        rows = self.store.query("SELECT * FROM units WHERE id = ?", (unit_id,))
        return _decode(rows[0]) if rows else None

    def require(self, unit_id: int) -> dict:
        u = self.get(unit_id)
        if u is None:
            raise NotFound(f"no unit with id {unit_id}")
        return u

    def by_key(self, kind: str, key: str) -> dict | None:
        rows = self.store.query("SELECT * FROM units WHERE kind = ? AND key = ?", (kind, key))
        return _decode(rows[0]) if rows else None

    def ids_by_key(self, kind: str) -> dict[str, int]:
        return {k: i for i, k in self.store.conn.execute("SELECT id, key FROM units WHERE kind = ?", (kind,))}

    def list(self, kind: str | None = None, *, parent_id: int | None = None, limit: int | None = None,
             offset: int = 0, with_text: bool = True) -> list[dict]:
        cols = "*" if with_text else "id, kind, key, title, parent_id, seq, attrs, import_id, created_at"
        where, params = [], []
        if kind:
            where.append("kind = ?")
            params.append(kind)
        if parent_id is not None:
            where.append("parent_id = ?")
            params.append(parent_id)
        sql = f"SELECT {cols} FROM units"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY coalesce(parent_id, 0), coalesce(seq, 0), id"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return [_decode(r) for r in self.store.query(sql, params)]

    def ordered_ids(self, kind: str) -> list[int]:
        """Ids of one kind in list order (parent, seq, id), without reading or decoding any row."""
        return [i for i, in self.store.conn.execute(
            "SELECT id FROM units WHERE kind = ? ORDER BY coalesce(parent_id, 0), coalesce(seq, 0), id", (kind,))]

    def texts(self, kind: str) -> dict[int, tuple[str, str]]:
        """unit id -> (title, text) of every unit of a kind: what a text model reads."""
        return {i: (t or "", x or "") for i, t, x in self.store.conn.execute(
            "SELECT id, title, text FROM units WHERE kind = ?", (kind,))}

    def signature(self, kind: str) -> tuple[int, int]:
        """(count, largest id) of a kind. Units are added, never edited in their text, so the pair
        names the set of texts a cache may key on."""
        n, top = self.store.conn.execute("SELECT count(*), coalesce(max(id), 0) FROM units WHERE kind = ?",
                                         (kind,)).fetchone()
        return int(n), int(top)

    def count_by_kind(self) -> dict[str, int]:
        return {k: n for k, n in self.store.conn.execute("SELECT kind, count(*) FROM units GROUP BY kind")}

    def count(self, kind: str) -> int:
        return int(self.store.scalar("SELECT count(*) FROM units WHERE kind = ?", (kind,)))


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
