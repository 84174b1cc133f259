"""Coders' annotations and adjudicated finals: current values derived from the history.

Every write appends a history row (who, when, old, new) and updates the current-value table in
the same transaction; `replay_*` recomputes the current values from the history alone, which is
how we prove the two never drift. Values arrive already encoded (see `studyapp.domain.values`):
the store does not interpret them. A value of None clears a coder's annotation.
"""

from __future__ import annotations

import json
from typing import Iterable, Sequence

from studyapp.store.columns import now

_KEY = ("unit_id", "codebook", "field", "coder", "round")

#: How many coders gave each value on each unit (per codebook field and round), counted again.
RECOUNT_COUNTS = ("SELECT codebook, field, unit_id, round, value, count(*) AS n FROM annotations"
                  " GROUP BY codebook, field, unit_id, round, value")
#: The coincidence pairs per (field, round, m values on the unit, value a, value b), counted again.
RECOUNT_PAIRS = (
    f"WITH c AS ({RECOUNT_COUNTS}),"
    " u AS (SELECT codebook, field, unit_id, round, sum(n) AS m FROM c GROUP BY codebook, field, unit_id, round"
    "       HAVING sum(n) >= 2)"
    " SELECT a.codebook, a.field, a.round, u.m, a.value AS value_a, b.value AS value_b,"
    "  sum(a.n * b.n - (a.value = b.value) * a.n) AS n"
    " FROM u JOIN c a ON a.codebook = u.codebook AND a.field = u.field AND a.unit_id = u.unit_id AND a.round = u.round"
    " JOIN c b ON b.codebook = u.codebook AND b.field = u.field AND b.unit_id = u.unit_id AND b.round = u.round"
    " WHERE a.value <= b.value GROUP BY a.codebook, a.field, a.round, u.m, a.value, b.value"
    " HAVING sum(a.n * b.n - (a.value = b.value) * a.n) != 0")
KEPT_TABLES = {"agreement_counts": RECOUNT_COUNTS, "agreement_pairs": RECOUNT_PAIRS}


def recount_kept(conn, *, skip: Iterable[str] = ()) -> list[str]:
    """Recompute the tables the triggers keep (those this schema has) from `annotations`; returns
    their names. For loading rows with triggers set aside: derived numbers are never taken on trust.
    Tables in `skip` (loaded from an archive) are left as loaded, for the loader's caller to check
    against a recount (`Annotations.counts_drift`, `pairs_drift`) and refuse when they differ."""
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    done = []
    for table, sql in KEPT_TABLES.items():
        if table in have and table not in set(skip):
            conn.execute(f"DELETE FROM {table}")
            conn.execute(f"INSERT INTO {table} {sql}")
            done.append(table)
    return done


class Annotations:
    def __init__(self, store):
        self.store = store

    def set(self, *, unit_id: int, codebook: str, field: str, coder: str, round: str,
            value: str | None, value_num: float | None = None, codebook_version: int | None = None,
            note: str | None = None, actor: str | None = None) -> bool:
        return self.set_many([dict(unit_id=unit_id, codebook=codebook, field=field, coder=coder,
                                   round=round, value=value, value_num=value_num,
                                   codebook_version=codebook_version, note=note)], actor=actor) > 0

    def set_many(self, rows: Iterable[dict], *, actor: str | None = None) -> int:
        """Write many annotations in one transaction; returns how many changed (no-ops are skipped)."""
        conn = self.store.conn
        hist: list[tuple] = []
        upserts: list[tuple] = []
        deletes: list[tuple] = []
        ts = now()
        with self.store.transaction():
            for r in rows:
                key = tuple(r[k] for k in _KEY)
                old = conn.execute("SELECT value, note FROM annotations WHERE unit_id = ? AND codebook = ?"
                                   " AND field = ? AND coder = ? AND round = ?", key).fetchone()
                old_value, old_note = old if old else (None, None)
                new_value, note = r.get("value"), r.get("note")
                if old_value == new_value and (note is None or note == old_note):
                    continue
                action = "annotation.clear" if new_value is None else "annotation.set"
                detail = json.dumps({"num": r.get("value_num"), "v": r.get("codebook_version")})
                hist.append((ts, actor or r["coder"], action, r["unit_id"], r["codebook"], r["field"],
                             r["coder"], r["round"], json.dumps(old_value) if old_value is not None else None,
                             json.dumps(new_value) if new_value is not None else None, note, detail))
                if new_value is None:
                    deletes.append(key)
                else:
                    upserts.append(key + (new_value, r.get("value_num"), r.get("codebook_version"),
                                          note if note is not None else old_note, ts))
            if hist:
                self.store.history.log_many(hist)
            if upserts:
                conn.executemany(
                    "INSERT INTO annotations (unit_id, codebook, field, coder, round, value, value_num,"
                    " codebook_version, note, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (unit_id, codebook, field, coder, round) DO UPDATE SET"
                    " value = excluded.value, value_num = excluded.value_num,"
                    " codebook_version = excluded.codebook_version, note = excluded.note,"
                    " updated_at = excluded.updated_at", upserts)
            if deletes:
                conn.executemany("DELETE FROM annotations WHERE unit_id = ? AND codebook = ? AND field = ?"
                                 " AND coder = ? AND round = ?", deletes)
        return len(hist)

    def for_unit(self, unit_id: int, *, coder: str | None = None, codebook: str | None = None) -> list[dict]:
        sql, params = "SELECT * FROM annotations WHERE unit_id = ?", [unit_id]
        if coder is not None:
            sql += " AND coder = ?"
            params.append(coder)
        if codebook is not None:
            sql += " AND codebook = ?"
            params.append(codebook)
        return self.store.query(sql + " ORDER BY codebook, field, coder, round", params)

    def values(self, codebook: str, field: str, *, rounds: Sequence[str] | None = None,
               coders: Sequence[str] | None = None, unit_ids: Sequence[int] | None = None) -> list[tuple]:
        """(unit_id, coder, round, value, value_num) tuples for one field: the input of agreement."""
        sql = ("SELECT unit_id, coder, round, value, value_num FROM annotations"
               " WHERE codebook = ? AND field = ?")
        params: list = [codebook, field]
        for col, vals in (("round", rounds), ("coder", coders), ("unit_id", unit_ids)):
            if vals is not None:
                vals = list(vals)
                sql += f" AND {col} IN ({','.join('?' * len(vals))})" if vals else " AND 0"
                params.extend(vals)
        return self.store.conn.execute(sql, params).fetchall()

    def value_counts(self, codebook: str, field: str, *, rounds: Sequence[str] | None = None,
                     coders: Sequence[str] | None = None, unit_ids: Sequence[int] | None = None) -> list[tuple]:
        """(unit_id, round, value, n coders) for one field, ordered by unit and round: the units x
        categories table agreement needs. For all coders and units it is read from the counts the
        triggers keep (a stream in key order); a subset of coders or units is counted in SQL."""
        if coders is None and unit_ids is None:
            sql = "SELECT unit_id, round, value, n FROM agreement_counts WHERE codebook = ? AND field = ?"
            params: list = [codebook, field]
            if rounds is not None:
                rounds = list(rounds)
                sql += f" AND round IN ({','.join('?' * len(rounds))})" if rounds else " AND 0"
                params.extend(rounds)
            return self.store.conn.execute(sql + " ORDER BY unit_id, round", params).fetchall()
        sql = ("SELECT unit_id, round, value, count(*) FROM annotations"
               " WHERE codebook = ? AND field = ? AND value IS NOT NULL")
        params = [codebook, field]
        for col, vals in (("round", rounds), ("coder", coders), ("unit_id", unit_ids)):
            if vals is not None:
                vals = list(vals)
                sql += f" AND {col} IN ({','.join('?' * len(vals))})" if vals else " AND 0"
                params.extend(vals)
        sql += " GROUP BY unit_id, round, value ORDER BY unit_id, round"
        return self.store.conn.execute(sql, params).fetchall()

    def counts_drift(self) -> list[tuple]:
        """Rows where the kept counts differ from counting `annotations` again (empty when sound)."""
        return self.store.conn.execute(
            "SELECT codebook, field, unit_id, round, value, sum(a), sum(b) FROM ("
            f" SELECT codebook, field, unit_id, round, value, n AS a, 0 AS b FROM ({RECOUNT_COUNTS})"
            " UNION ALL SELECT codebook, field, unit_id, round, value, 0, n FROM agreement_counts)"
            " GROUP BY codebook, field, unit_id, round, value HAVING sum(a) != sum(b)").fetchall()

    def kept_pairs(self, codebook: str, field: str, rounds: Sequence[str] | None = None) -> list[tuple]:
        """(round, m, value_a, value_b, n) for one field: n ordered pairs (a, b) of values from
        different coders on the units with m values, each unordered pair once (value_a <= value_b;
        (b, a) has the same count); see migration m008: the V x V coincidences, per m."""
        sql = "SELECT round, m, value_a, value_b, n FROM agreement_pairs WHERE codebook = ? AND field = ?"
        params: list = [codebook, field]
        if rounds is not None:
            rounds = list(rounds)
            sql += f" AND round IN ({','.join('?' * len(rounds))})" if rounds else " AND 0"
            params.extend(rounds)
        return self.store.conn.execute(sql, params).fetchall()

    def pairs_drift(self) -> list[tuple]:
        """Rows where the kept coincidence pairs differ from counting `annotations` again (empty when sound)."""
        key = "codebook, field, round, m, value_a, value_b"
        return self.store.conn.execute(
            f"SELECT {key}, sum(a), sum(b) FROM ("
            f" SELECT {key}, n AS a, 0 AS b FROM ({RECOUNT_PAIRS})"
            f" UNION ALL SELECT {key}, 0, n FROM agreement_pairs)"
            f" GROUP BY {key} HAVING sum(a) != sum(b)").fetchall()

    def coders_of(self, codebook: str, field: str, rounds: Sequence[str] | None = None) -> list[str]:
        """Coders with at least one value in the field (optionally in some rounds).

        One indexed EXISTS per (round, coder) pair - both tables are small - rather than a DISTINCT
        over every annotation of the field."""
        rounds = [r[0] for r in self.store.conn.execute("SELECT id FROM rounds")] if rounds is None else list(rounds)
        coders = [r[0] for r in self.store.conn.execute("SELECT name FROM coders ORDER BY name")]
        probe = ("SELECT EXISTS (SELECT 1 FROM annotations WHERE codebook = ? AND field = ? AND round = ?"
                 " AND coder = ?)")
        return [c for c in coders
                if any(self.store.conn.execute(probe, (codebook, field, r, c)).fetchone()[0] for r in rounds)]

    def rounds_of(self, codebook: str, field: str) -> list[str]:
        return [r[0] for r in self.store.conn.execute(
            "SELECT DISTINCT round FROM annotations WHERE codebook = ? AND field = ? ORDER BY round",
            (codebook, field))]

    def fields_in_use(self) -> list[tuple[str, str]]:
        return [tuple(r) for r in self.store.conn.execute(
            "SELECT DISTINCT codebook, field FROM annotations ORDER BY codebook, field")]

    def progress(self) -> list[dict]:
        """Units annotated per (codebook, field, coder, round)."""
        return self.store.query(
            "SELECT a.codebook, a.field, a.coder, a.round, u.kind, count(*) AS units FROM annotations a"
            " JOIN units u ON u.id = a.unit_id GROUP BY a.codebook, a.field, a.coder, a.round, u.kind"
            " ORDER BY a.codebook, a.field, a.coder, a.round")

    def coverage(self, kind: str, viewer: str | None) -> dict[int, dict]:
        """Per unit of `kind`: how many coders coded it and how many fields `viewer` coded (no values)."""
        rows = self.store.conn.execute(
            "SELECT a.unit_id, count(DISTINCT a.coder), sum(a.coder = ?) FROM annotations a"
            " JOIN units u ON u.id = a.unit_id WHERE u.kind = ? GROUP BY a.unit_id", (viewer, kind))
        return {uid: {"coders": n, "mine": int(m or 0)} for uid, n, m in rows}

    def units_coded(self) -> dict[tuple[str, str, str], int]:
        """(codebook, field, coder) -> distinct units coded, whatever the round."""
        rows = self.store.conn.execute("SELECT codebook, field, coder, count(DISTINCT unit_id) FROM annotations"
                                       " GROUP BY codebook, field, coder")
        return {(cb, f, c): n for cb, f, c, n in rows}

    def units_per_coder(self) -> list[dict]:
        return self.store.query(
            "SELECT a.coder, u.kind, count(DISTINCT a.unit_id) AS units, count(*) AS annotations"
            " FROM annotations a JOIN units u ON u.id = a.unit_id GROUP BY a.coder, u.kind ORDER BY a.coder, u.kind")

    def count(self) -> int:
        return int(self.store.scalar("SELECT count(*) FROM annotations"))

    def current_rows(self) -> list[tuple]:
        return sorted(self.store.conn.execute(
            "SELECT unit_id, codebook, field, coder, round, value FROM annotations").fetchall())

    def export_rows(self) -> list[dict]:
        """Every current value with its unit's kind and key and its codebook version, ordered for a
        long file (codebook, field, round, unit id, coder: the order agreement reads units in): what a
        replication package publishes."""
        return self.store.query(
            "SELECT u.kind AS unit_kind, u.key AS unit, a.codebook, a.codebook_version, a.field, a.coder,"
            " a.round, a.value, a.value_num FROM annotations a JOIN units u ON u.id = a.unit_id"
            " ORDER BY a.codebook, a.field, a.round, a.unit_id, a.coder")

    def replay(self) -> list[tuple]:
        """Current values recomputed from the history alone (same shape as `current_rows`)."""
        state: dict[tuple, str] = {}
        for unit_id, cb, f, coder, rnd, action, new in self.store.conn.execute(
                "SELECT unit_id, codebook, field, coder, round, action, new FROM history"
                " WHERE action IN ('annotation.set', 'annotation.clear') ORDER BY id"):
            key = (unit_id, cb, f, coder, rnd)
            if action == "annotation.clear":
                state.pop(key, None)
            else:
                state[key] = json.loads(new)
        return sorted(k + (v,) for k, v in state.items())
