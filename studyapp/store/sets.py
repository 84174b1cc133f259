"""Sets: named groups of codes, transcripts and memos (REFI-QDA `Set`), used as `store.sets`.

Why: QDA tools group things beyond the code tree: MAXQDA's document sets, ATLAS.ti's code groups
and document groups, NVivo's sets. A study keeps them so that they go back to the tool with the
project, and so that code groups can filter codes and document sets can pick transcripts. A set
may mix kinds (NVivo's do); "code groups" are the sets holding codes, "document sets" those
holding transcripts.

The contract: a set has a unique GUID (the one it travels under in a REFI project) and a name;
its members are kept in order, each at most once: a code `(codebook, field, code)`, a whole
field `(codebook, field, None)` (a category in the tool), a transcript (unit id) or a memo (memo
id). A code member names a code id, not a codebook version, as coded values do. Every change is
logged to the history in the same transaction (`set.add`, `set.members`, `set.unmembers`,
`set.edit`, `set.delete`).
"""

from __future__ import annotations

import uuid
from typing import Iterable, NamedTuple

from studyapp.errors import NotFound, StudyError
from studyapp.store.columns import now


class Member(NamedTuple):
    """One member of a set: build with `Member.of_code`, `Member.of_transcript`, `Member.of_memo`."""
    kind: str
    codebook: str | None = None
    field: str | None = None
    code: str | None = None
    unit_id: int | None = None
    memo_id: int | None = None

    @classmethod
    def of_code(cls, codebook: str, field: str, code: str | None = None) -> "Member":
        return cls("code", codebook, field, code)

    @classmethod
    def of_transcript(cls, unit_id: int) -> "Member":
        return cls("transcript", unit_id=int(unit_id))

    @classmethod
    def of_memo(cls, memo_id: int) -> "Member":
        return cls("memo", memo_id=int(memo_id))

    def as_dict(self) -> dict:
        return {k: v for k, v in self._asdict().items() if v is not None}


_COLS = "kind, codebook, field, code, unit_id, memo_id"


class Sets:
    def __init__(self, store):
        self.store = store

    # writing ------------------------------------------------------------------------------------
    def add(self, name: str, *, guid: str | None = None, description: str = "", members: Iterable[Member] = (),
            import_id: int | None = None, actor: str | None = None) -> int:
        """A new set (GUID: `guid`, else a new random one); refuses an empty name or a GUID in use."""
        name = " ".join((name or "").split())
        if not name:
            raise StudyError("a set needs a name")
        guid = (guid or str(uuid.uuid4())).lower()
        if self.by_guid(guid) is not None:
            raise StudyError(f"a set with GUID {guid} is already in the study")
        ts = now()
        with self.store.transaction():
            cur = self.store.conn.execute(
                "INSERT INTO sets (guid, name, description, import_id, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (guid, name, description or "", import_id, ts, ts))
            sid = int(cur.lastrowid)
            self.store.history.log("set.add", actor=actor, new={"id": sid, "guid": guid, "name": name,
                                                                "description": description or ""},
                                   detail={"import": import_id}, at=ts)
            self.add_members(sid, members, actor=actor)
        return sid

    def ensure(self, guid: str, name: str, *, description: str = "", members: Iterable[Member] = (),
               import_id: int | None = None, actor: str | None = None) -> tuple[int, int]:
        """The set with `guid`, made when new; members it lacks are appended (name and description
        of an existing set are kept). Returns (set id, members added)."""
        members = list(members)
        old = self.by_guid(guid)
        if old is None:
            sid = self.add(name, guid=guid, description=description, members=members, import_id=import_id,
                           actor=actor)
            return sid, len(self.members(sid))
        return old["id"], self.add_members(old["id"], members, actor=actor)

    def add_members(self, set_id: int, members: Iterable[Member], *, actor: str | None = None) -> int:
        """Append the members the set lacks, in the order given; returns how many were added."""
        have = set(self.members(set_id))
        new = [m for m in dict.fromkeys(members) if m not in have]
        if not new:
            return 0
        for m in new:
            _check(m)
        with self.store.transaction():
            seq = int(self.store.scalar("SELECT coalesce(max(seq), 0) FROM set_members WHERE set_id = ?", (set_id,)))
            self.store.conn.executemany(
                f"INSERT INTO set_members (set_id, seq, {_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(set_id, seq + i, *m) for i, m in enumerate(new, start=1)])
            self.store.conn.execute("UPDATE sets SET updated_at = ? WHERE id = ?", (now(), set_id))
            self.store.history.log("set.members", actor=actor, new={"id": set_id,
                                                                    "members": [m.as_dict() for m in new]})
        return len(new)

    def remove_members(self, set_id: int, members: Iterable[Member], *, actor: str | None = None) -> int:
        self.require(set_id)
        gone = [m for m in dict.fromkeys(members) if m in set(self.members(set_id))]
        if not gone:
            return 0
        with self.store.transaction():
            for m in gone:
                self.store.conn.execute(
                    "DELETE FROM set_members WHERE set_id = ? AND kind = ? AND codebook IS ? AND field IS ?"
                    " AND code IS ? AND unit_id IS ? AND memo_id IS ?", (set_id, *m))
            self.store.conn.execute("UPDATE sets SET updated_at = ? WHERE id = ?", (now(), set_id))
            self.store.history.log("set.unmembers", actor=actor, old={"id": set_id,
                                                                      "members": [m.as_dict() for m in gone]})
        return len(gone)

    def edit(self, set_id: int, *, name: str | None = None, description: str | None = None,
             actor: str | None = None) -> None:
        old = self.require(set_id)
        new = {"name": " ".join(name.split()) if name is not None else old["name"],
               "description": old["description"] if description is None else description}
        if not new["name"]:
            raise StudyError("a set needs a name")
        with self.store.transaction():
            self.store.conn.execute("UPDATE sets SET name = ?, description = ?, updated_at = ? WHERE id = ?",
                                    (new["name"], new["description"], now(), set_id))
            self.store.history.log("set.edit", actor=actor, old={k: old[k] for k in new}, new={"id": set_id, **new})

    def delete(self, set_id: int, *, actor: str | None = None) -> None:
        old = self.require(set_id)
        with self.store.transaction():
            self.store.conn.execute("DELETE FROM set_members WHERE set_id = ?", (set_id,))
            self.store.conn.execute("DELETE FROM sets WHERE id = ?", (set_id,))
            self.store.history.log("set.delete", actor=actor, old={**old, "members": [m.as_dict() for m in
                                                                                     old["members"]]})

    # reading ------------------------------------------------------------------------------------
    def members(self, set_id: int) -> list[Member]:
        return [Member(*r) for r in self.store.conn.execute(
            f"SELECT {_COLS} FROM set_members WHERE set_id = ? ORDER BY seq", (set_id,))]

    def get(self, set_id: int) -> dict | None:
        rows = self.store.query("SELECT * FROM sets WHERE id = ?", (set_id,))
        return {**rows[0], "members": self.members(set_id)} if rows else None

    def require(self, set_id: int) -> dict:
        s = self.get(set_id)
        if s is None:
            raise NotFound(f"no set {set_id} in this study")
        return s

    def by_guid(self, guid: str) -> dict | None:
        sid = self.store.scalar("SELECT id FROM sets WHERE guid = ?", (guid.lower(),))
        return None if sid is None else self.get(int(sid))

    def list(self) -> list[dict]:
        """Every set with its members, in the order they were made."""
        rows = self.store.query("SELECT * FROM sets ORDER BY id")
        members: dict[int, list[Member]] = {}
        for r in self.store.conn.execute(f"SELECT set_id, {_COLS} FROM set_members ORDER BY set_id, seq"):
            members.setdefault(r[0], []).append(Member(*r[1:]))
        return [{**r, "members": members.get(r["id"], [])} for r in rows]

    def code_groups(self, codebook: str | None = None) -> list[dict]:
        """Sets holding codes (of `codebook`, when given), each with `codes`: [(codebook, field, code
        or None for a whole field)], for filtering codes by group."""
        out = []
        for s in self.list():
            codes = [(m.codebook, m.field, m.code) for m in s["members"]
                     if m.kind == "code" and (codebook is None or m.codebook == codebook)]
            if codes:
                out.append({**s, "codes": codes})
        return out

    def document_sets(self) -> list[dict]:
        """Sets holding transcripts, each with `units`: the transcripts' unit ids in set order."""
        out = []
        for s in self.list():
            units = [m.unit_id for m in s["members"] if m.kind == "transcript"]
            if units:
                out.append({**s, "units": units})
        return out

    def count(self) -> int:
        return int(self.store.scalar("SELECT count(*) FROM sets"))


def _check(m: Member) -> None:
    ok = {"code": m.codebook and m.field and m.unit_id is None and m.memo_id is None,
          "transcript": m.unit_id is not None and not (m.codebook or m.field or m.code or m.memo_id),
          "memo": m.memo_id is not None and not (m.codebook or m.field or m.code or m.unit_id)}
    if not ok.get(m.kind):
        raise StudyError(f"not a set member: {m.as_dict()}")
