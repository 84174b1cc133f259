"""The GUIDs other tools gave the things a study holds (REFI-QDA), used as `store.guids`.

Why: a project imported from ATLAS.ti, MAXQDA or NVivo must go back to that tool under the same
GUIDs: the tool matches codes, documents and quotations by GUID, and researchers diff exports.
Things made in studyapp have no row here; the exporter derives a stable GUID for them.

The contract: one GUID per thing, the first one given (importing a second project that names the
same code under another GUID keeps the first; `remember` says how many differed). A thing is a
`kind` and its key in the study:
- `codebook` (codebook id,), `field` (codebook, field id), `code` (codebook, field, code id): code
  ids, not codebook versions, so a new version keeps its codes' GUIDs;
- `coder` (coder name,), `transcript` (unit id,), `span` (span id,), `memo` (memo id,): rows go
  when their unit, span or memo goes.
`attrs` is what REFI says of the thing that studyapp has no column for (a code's `isCodable="false"`,
a selection's name, creation time and coding GUIDs, a note's name). Each `remember` is one history
entry (`guid.add`) listing what it stored.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

from studyapp.errors import StudyError
from studyapp.store.columns import dumps, loads, now

KEY_COLUMNS = {"codebook": ("codebook",), "field": ("codebook", "field"), "code": ("codebook", "field", "code"),
               "coder": ("coder",), "transcript": ("unit_id",), "span": ("span_id",), "memo": ("memo_id",)}
_ALL = ("codebook", "field", "code", "coder", "unit_id", "span_id", "memo_id")


class Named(NamedTuple):
    """A GUID for one thing: `kind`, its `key` (see the module docstring), the `guid`, and `attrs`."""
    kind: str
    key: tuple
    guid: str
    attrs: dict | None = None


class Guids:
    def __init__(self, store):
        self.store = store

    def remember(self, rows: Iterable[Named], *, import_id: int | None = None,
                 actor: str | None = None) -> tuple[int, int]:
        """Store the GUIDs of things that have none yet; returns (stored, kept because the thing
        already had another GUID)."""
        rows = list(rows)
        have = {kind: self.of_kind(kind) for kind in {r.kind for r in rows}}
        new, differing = [], 0
        for r in rows:
            if r.kind not in KEY_COLUMNS or len(r.key) != len(KEY_COLUMNS[r.kind]):
                raise StudyError(f"not a GUID key: {r.kind} {r.key!r}")
            old = have[r.kind].get(tuple(r.key))
            if old is not None:
                differing += old[0] != r.guid.lower()
                continue
            have[r.kind][tuple(r.key)] = (r.guid.lower(), r.attrs)
            new.append(r)
        if not new:
            return 0, differing
        ts = now()
        with self.store.transaction():
            self.store.conn.executemany(
                f"INSERT INTO refi_guids (kind, guid, {', '.join(_ALL)}, attrs, import_id, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(r.kind, r.guid.lower(), *_columns(r), dumps(r.attrs or None), import_id, ts) for r in new])
            self.store.history.log("guid.add", actor=actor, new=[[r.kind, list(r.key), r.guid.lower()] for r in new],
                                   detail={"import": import_id, "count": len(new)}, at=ts)
        return len(new), differing

    def of_kind(self, kind: str) -> dict[tuple, tuple[str, dict | None]]:
        """key -> (guid, attrs) of every thing of `kind` that has a GUID."""
        cols = KEY_COLUMNS[kind]
        return {tuple(r[:-2]): (r[-2], loads(r[-1])) for r in self.store.conn.execute(
            f"SELECT {', '.join(cols)}, guid, attrs FROM refi_guids WHERE kind = ? ORDER BY id", (kind,))}

    def count(self) -> int:
        return int(self.store.scalar("SELECT count(*) FROM refi_guids"))


def _columns(r: Named) -> list:
    values = dict(zip(KEY_COLUMNS[r.kind], r.key, strict=True))
    return [values.get(c) for c in _ALL]
