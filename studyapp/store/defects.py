"""SQL of the defects feature: defect units by issue, and which coders coded which units.

Used as `store.defects`. Defect units are ordinary units (kind `defect`); their attrs
hold `issue` (`owner/repo#42`, or `#42` without a repository), `number`, `repo`, `url` and `defect`
(1, 2, ... for the defects of one issue).
"""

from __future__ import annotations

import json


class DefectUnits:
    def __init__(self, store):
        self.store = store

    def issue_index(self) -> list[dict]:
        """(id, key, issue, number, url, defect) of every defect unit, in issue and defect order."""
        return self.store.query(
            "SELECT id, key, json_extract(attrs, '$.issue') AS issue, json_extract(attrs, '$.number') AS number,"
            " json_extract(attrs, '$.url') AS url, coalesce(json_extract(attrs, '$.defect'), 1) AS defect"
            " FROM units WHERE kind = 'defect' ORDER BY issue, defect, id")

    def of_issue(self, issue: str) -> list[dict]:
        rows = self.store.query(
            "SELECT * FROM units WHERE kind = 'defect' AND json_extract(attrs, '$.issue') = ?"
            " ORDER BY coalesce(json_extract(attrs, '$.defect'), 1), id", (issue,))
        for r in rows:
            r["attrs"] = json.loads(r["attrs"]) if r["attrs"] else {}
        return rows

    def coded_units(self, codebook: str, round_id: str) -> dict[str, set[int]]:
        """coder -> ids of the units they gave at least one value in `round_id` with `codebook`."""
        out: dict[str, set[int]] = {}
        for coder, uid in self.store.conn.execute(
                "SELECT DISTINCT coder, unit_id FROM annotations WHERE codebook = ? AND round = ?",
                (codebook, round_id)):
            out.setdefault(coder, set()).add(uid)
        return out

    def keys(self, unit_ids) -> dict[int, str]:
        ids = list(unit_ids)
        if not ids:
            return {}
        rows = self.store.conn.execute(
            f"SELECT id, key FROM units WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()
        return dict(rows)

    def coders(self, codebook: str) -> list[str]:
        """Coders with at least one value in `codebook`."""
        return [r[0] for r in self.store.conn.execute(
            "SELECT DISTINCT coder FROM annotations WHERE codebook = ? ORDER BY coder", (codebook,))]

    def values(self, codebook: str, *, coders=None, rounds=None, final: bool = False) -> list[tuple]:
        """(unit_id, field, coder, round, value) of every value in `codebook` (finals: coder is None),
        optionally only some coders' and rounds'."""
        if final:
            return self.store.conn.execute(
                "SELECT unit_id, field, NULL, round, value FROM finals WHERE codebook = ?", (codebook,)).fetchall()
        sql, params = "SELECT unit_id, field, coder, round, value FROM annotations WHERE codebook = ?", [codebook]
        for col, vals in (("coder", coders), ("round", rounds)):
            if vals is not None:
                vals = list(vals)
                sql += f" AND {col} IN ({','.join('?' * len(vals))})" if vals else " AND 0"
                params.extend(vals)
        return self.store.conn.execute(sql, params).fetchall()

    def span_codes(self, codebook: str, *, coders=None) -> list[tuple]:
        """(unit_id, field, coder, code) of quote spans, when the interviews feature keeps spans."""
        if not self.store.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'span_codes'"):
            return []
        sql = ("SELECT s.unit_id, c.field, s.coder, c.code FROM spans s JOIN span_codes c ON c.span_id = s.id"
               " WHERE s.codebook = ?")
        params = [codebook]
        if coders is not None:
            coders = list(coders)
            sql += f" AND s.coder IN ({','.join('?' * len(coders))})" if coders else " AND 0"
            params.extend(coders)
        return self.store.conn.execute(sql, params).fetchall()
