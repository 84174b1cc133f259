"""Interview data beyond units: participants with attributes, quote spans with their codes, and the
read models the analyses need (segments with their transcript, segment codes per coder or final).

Every write logs to the append-only history in the same transaction (`participant.set`,
`span.add`, `span.codes`, `span.delete`, `unit.attrs`), and `replay_spans` rebuilds the spans from
the history alone, as annotations do. Used as `store.transcripts`.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from studyapp.errors import NotFound
from studyapp.store.columns import dumps, loads, now


def _in(col: str, values: Sequence) -> tuple[str, list]:
    values = list(values)
    return (f" AND {col} IN ({','.join('?' * len(values))})", values) if values else (" AND 0", [])


class Transcripts:
    def __init__(self, store):
        self.store = store

    # participants -------------------------------------------------------------------------------
    def upsert_participants(self, rows: Iterable[tuple[str, dict]], *, import_id: int | None = None,
                            actor: str | None = None) -> dict[str, int]:
        """Add or update participants; attributes replace the old ones. Returns new/updated/unchanged."""
        counts = {"new": 0, "updated": 0, "unchanged": 0}
        ts = now()
        with self.store.transaction():
            for pid, attrs in rows:
                old = self.participant(pid)
                if old is not None and old == attrs:
                    counts["unchanged"] += 1
                    continue
                self.store.conn.execute(
                    "INSERT INTO participants (id, attrs, import_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET attrs = excluded.attrs, import_id = excluded.import_id,"
                    " updated_at = excluded.updated_at", (pid, dumps(attrs), import_id, ts, ts))
                self.store.history.log("participant.set", actor=actor, old=old, new={"id": pid, "attrs": attrs},
                                       detail={"import": import_id}, at=ts)
                counts["new" if old is None else "updated"] += 1
        return counts

    def participant(self, pid: str) -> dict | None:
        row = self.store.scalar("SELECT attrs FROM participants WHERE id = ?", (pid,))
        return None if row is None else loads(row)

    def participants(self) -> dict[str, dict]:
        """Participant id -> attributes, in the order they were first added."""
        return {pid: loads(a) or {} for pid, a in self.store.conn.execute(
            "SELECT id, attrs FROM participants ORDER BY rowid")}

    # transcript and segment attributes ------------------------------------------------------------
    def set_attrs(self, changes: Iterable[tuple[int, dict]], *, actor: str | None = None) -> int:
        """Replace the attributes of units (participant links); returns how many changed."""
        n = 0
        with self.store.transaction():
            for unit_id, attrs in changes:
                old = self.store.scalar("SELECT attrs FROM units WHERE id = ?", (unit_id,))
                if old is None:
                    raise NotFound(f"no unit with id {unit_id}")
                if loads(old) == attrs:
                    continue
                self.store.conn.execute("UPDATE units SET attrs = ? WHERE id = ?", (dumps(attrs), unit_id))
                self.store.history.log("unit.attrs", actor=actor, unit_id=unit_id, old=loads(old), new=attrs)
                n += 1
        return n

    def next_transcript_seq(self) -> int:
        return int(self.store.scalar("SELECT coalesce(max(seq), 0) + 1 FROM units WHERE kind = 'transcript'"))

    def segment_index(self, transcript_ids: Sequence[int] | None = None) -> list[dict]:
        """Every segment (no text) with its transcript's id, key, order and attributes, in reading order."""
        sql = ("SELECT s.id, s.key, s.seq, s.title, s.attrs, t.id AS transcript_id, t.key AS transcript_key,"
               " t.seq AS transcript_seq, t.attrs AS transcript_attrs FROM units s JOIN units t ON t.id = s.parent_id"
               " WHERE s.kind = 'segment' AND t.kind = 'transcript'")
        params: list = []
        if transcript_ids is not None:
            extra, params = _in("t.id", transcript_ids)
            sql += extra
        rows = self.store.query(sql + " ORDER BY coalesce(t.seq, 0), t.id, coalesce(s.seq, 0), s.id", params)
        for r in rows:
            r["attrs"], r["transcript_attrs"] = loads(r["attrs"]) or {}, loads(r["transcript_attrs"]) or {}
        return rows

    def texts(self, unit_ids: Sequence[int]) -> dict[int, str]:
        extra, params = _in("id", unit_ids)
        return {i: t or "" for i, t in self.store.conn.execute(f"SELECT id, text FROM units WHERE 1{extra}", params)}

    def segment_annotations(self, codebook: str, unit_ids: Sequence[int] | None = None,
                            round: str | None = None) -> list[tuple]:
        """(unit_id, field, coder, round, value) of coders' annotations on segments with `codebook`
        (only on `unit_ids` and in `round` when given: one transcript's, probed by primary key)."""
        if unit_ids is not None:
            extra, params = _in("a.unit_id", unit_ids)
            if round is not None:
                extra += " AND a.round = ?"
                params = [*params, round]
            return self.store.conn.execute(
                "SELECT a.unit_id, a.field, a.coder, a.round, a.value FROM annotations a"
                f" WHERE a.codebook = ?{extra} ORDER BY a.unit_id, a.field, a.coder", (codebook, *params)).fetchall()
        return self.store.conn.execute(
            "SELECT a.unit_id, a.field, a.coder, a.round, a.value FROM annotations a JOIN units u ON u.id = a.unit_id"
            " WHERE u.kind = 'segment' AND a.codebook = ? ORDER BY a.unit_id, a.field, a.coder", (codebook,)).fetchall()

    def segment_finals(self, codebook: str) -> list[tuple]:
        """(unit_id, field, value) of adjudicated values on segments with `codebook`."""
        return self.store.conn.execute(
            "SELECT f.unit_id, f.field, f.value FROM finals f JOIN units u ON u.id = f.unit_id"
            " WHERE u.kind = 'segment' AND f.codebook = ? ORDER BY f.unit_id, f.field", (codebook,)).fetchall()

    # spans ----------------------------------------------------------------------------------------
    def add_span(self, *, unit_id: int, coder: str, round: str, codebook: str, start: int, end: int,
                 snippet: str, codes: Sequence[tuple[str, str]], note: str | None = None,
                 actor: str | None = None) -> int:
        ts = now()
        codes = sorted({(f, c) for f, c in codes})
        with self.store.transaction():
            cur = self.store.conn.execute(
                "INSERT INTO spans (unit_id, coder, round, codebook, start_char, end_char, snippet, note, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (unit_id, coder, round, codebook, start, end, snippet, note, ts, ts))
            sid = int(cur.lastrowid)
            self.store.conn.executemany("INSERT INTO span_codes (span_id, field, code) VALUES (?, ?, ?)",
                                        [(sid, f, c) for f, c in codes])
            self.store.history.log("span.add", actor=actor or coder, unit_id=unit_id, codebook=codebook, coder=coder,
                                   round=round, new={"id": sid, "start": start, "end": end, "snippet": snippet,
                                                     "codes": [list(x) for x in codes], "note": note}, at=ts)
        return sid

    def set_span_codes(self, span_id: int, codes: Sequence[tuple[str, str]], *, actor: str | None = None) -> None:
        span = self.require_span(span_id)
        codes = sorted({(f, c) for f, c in codes})
        with self.store.transaction():
            self.store.conn.execute("DELETE FROM span_codes WHERE span_id = ?", (span_id,))
            self.store.conn.executemany("INSERT INTO span_codes (span_id, field, code) VALUES (?, ?, ?)",
                                        [(span_id, f, c) for f, c in codes])
            self.store.conn.execute("UPDATE spans SET updated_at = ? WHERE id = ?", (now(), span_id))
            self.store.history.log("span.codes", actor=actor, unit_id=span["unit_id"], codebook=span["codebook"],
                                   coder=span["coder"], round=span["round"], old={"codes": span["codes"]},
                                   new={"id": span_id, "codes": [list(x) for x in codes]})

    def set_span_note(self, span_id: int, note: str | None, *, actor: str | None = None) -> None:
        """The memo on a span (its `note`); history `span.note`."""
        span = self.require_span(span_id)
        with self.store.transaction():
            self.store.conn.execute("UPDATE spans SET note = ?, updated_at = ? WHERE id = ?", (note, now(), span_id))
            self.store.history.log("span.note", actor=actor, unit_id=span["unit_id"], codebook=span["codebook"],
                                   coder=span["coder"], round=span["round"], old={"note": span["note"]},
                                   new={"id": span_id, "note": note})

    def delete_span(self, span_id: int, *, actor: str | None = None) -> dict:
        span = self.require_span(span_id)
        with self.store.transaction():
            self.store.conn.execute("DELETE FROM span_codes WHERE span_id = ?", (span_id,))
            self.store.conn.execute("DELETE FROM spans WHERE id = ?", (span_id,))
            self.store.history.log("span.delete", actor=actor, unit_id=span["unit_id"], codebook=span["codebook"],
                                   coder=span["coder"], round=span["round"], old=span, new={"id": span_id})
        return span

    def require_span(self, span_id: int) -> dict:
        rows = self.spans(span_ids=[span_id])
        if not rows:
            raise NotFound(f"no span {span_id}")
        return rows[0]

    def spans(self, *, unit_ids: Sequence[int] | None = None, span_ids: Sequence[int] | None = None,
              codebook: str | None = None, coders: Sequence[str] | None = None) -> list[dict]:
        """Spans with their codes (`codes`: [[field, code], ...]), ordered by unit and position."""
        sql, params = ("SELECT id, unit_id, coder, round, codebook, start_char AS start, end_char AS end, snippet,"
                       " note, created_at, updated_at FROM spans WHERE 1"), []
        for col, vals in (("unit_id", unit_ids), ("id", span_ids), ("coder", coders)):
            if vals is not None:
                extra, p = _in(col, vals)
                sql += extra
                params += p
        if codebook:
            sql += " AND codebook = ?"
            params.append(codebook)
        rows = self.store.query(sql + " ORDER BY unit_id, start_char, end_char, id", params)
        if rows:
            extra, p = _in("span_id", [r["id"] for r in rows])
            codes: dict[int, list] = {}
            for sid, f, c in self.store.conn.execute(
                    f"SELECT span_id, field, code FROM span_codes WHERE 1{extra} ORDER BY field, code", p):
                codes.setdefault(sid, []).append([f, c])
            for r in rows:
                r["codes"] = codes.get(r["id"], [])
        return rows

    def count_spans(self) -> int:
        return int(self.store.scalar("SELECT count(*) FROM spans"))

    def current_spans(self) -> list[tuple]:
        return sorted((r["id"], r["unit_id"], r["coder"], r["round"], r["codebook"], r["start"], r["end"],
                       tuple(tuple(c) for c in r["codes"])) for r in self.spans())

    def replay_spans(self) -> list[tuple]:
        """The spans recomputed from the history alone (same shape as `current_spans`)."""
        state: dict[int, tuple] = {}
        for action, unit_id, cb, coder, rnd, old, new in self.store.conn.execute(
                "SELECT action, unit_id, codebook, coder, round, old, new FROM history"
                " WHERE action IN ('span.add', 'span.codes', 'span.delete') ORDER BY id"):
            new = loads(new)
            sid = new["id"]
            codes = tuple(tuple(c) for c in new.get("codes", []))
            if action == "span.add":
                state[sid] = (sid, unit_id, coder, rnd, cb, new["start"], new["end"], codes)
            elif action == "span.codes":
                state[sid] = state[sid][:7] + (codes,)
            else:
                state.pop(sid, None)
        return sorted(state.values())

    # final (adjudicated) spans --------------------------------------------------------------------
    def add_final_span(self, *, unit_id: int, codebook: str, round: str, start: int, end: int, snippet: str,
                       codes: Sequence[tuple[str, str]], decision: str, source_spans: Sequence[int],
                       rationale: str, adjudicator: str) -> int:
        """Record a lead's final span (history `final_span.add`, with everything it holds)."""
        ts = now()
        codes = sorted({(f, c) for f, c in codes})
        with self.store.transaction():
            cur = self.store.conn.execute(
                "INSERT INTO final_spans (unit_id, codebook, round, start_char, end_char, snippet, codes, decision,"
                " source_spans, rationale, adjudicator, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (unit_id, codebook, round, start, end, snippet, dumps([list(x) for x in codes]), decision,
                 dumps(list(source_spans)), rationale, adjudicator, ts))
            fid = int(cur.lastrowid)
            self.store.history.log("final_span.add", actor=adjudicator, unit_id=unit_id, codebook=codebook,
                                   round=round, note=rationale, at=ts,
                                   new={"id": fid, "start": start, "end": end, "snippet": snippet,
                                        "codes": [list(x) for x in codes], "decision": decision,
                                        "source_spans": list(source_spans)})
        return fid

    def delete_final_span(self, final_id: int, *, actor: str, note: str | None = None) -> dict:
        [old] = self.final_spans(ids=[final_id]) or [None]
        if old is None:
            raise NotFound(f"no final span {final_id}")
        with self.store.transaction():
            self.store.conn.execute("DELETE FROM final_spans WHERE id = ?", (final_id,))
            self.store.history.log("final_span.delete", actor=actor, unit_id=old["unit_id"], codebook=old["codebook"],
                                   round=old["round"], old=old, new={"id": final_id}, note=note)
        return old

    def final_spans(self, *, unit_ids: Sequence[int] | None = None, ids: Sequence[int] | None = None,
                    codebook: str | None = None, round: str | None = None) -> list[dict]:
        """Final spans (`codes` and `source_spans` decoded), ordered by unit and position."""
        sql, params = ("SELECT id, unit_id, codebook, round, start_char AS start, end_char AS end, snippet, codes,"
                       " decision, source_spans, rationale, adjudicator, created_at FROM final_spans WHERE 1"), []
        for col, vals in (("unit_id", unit_ids), ("id", ids)):
            if vals is not None:
                extra, p = _in(col, vals)
                sql += extra
                params += p
        for col, val in (("codebook", codebook), ("round", round)):
            if val is not None:
                sql += f" AND {col} = ?"
                params.append(val)
        rows = self.store.query(sql + " ORDER BY unit_id, start_char, end_char, id", params)
        for r in rows:
            r["codes"], r["source_spans"] = loads(r["codes"]) or [], loads(r["source_spans"]) or []
        return rows

    def replay_final_spans(self) -> list[tuple]:
        """(id, unit_id, codebook, round, start, end, codes) of the final spans, from the history alone."""
        state: dict[int, tuple] = {}
        for action, unit_id, cb, rnd, new in self.store.conn.execute(
                "SELECT action, unit_id, codebook, round, new FROM history"
                " WHERE action IN ('final_span.add', 'final_span.delete') ORDER BY id"):
            new = loads(new)
            if action == "final_span.add":
                state[new["id"]] = (new["id"], unit_id, cb, rnd, new["start"], new["end"],
                                    tuple(tuple(c) for c in new["codes"]))
            else:
                state.pop(new["id"], None)
        return sorted(state.values())
