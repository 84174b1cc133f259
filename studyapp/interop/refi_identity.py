"""A project's sets and GUIDs: kept on import, written back on export.

Why: a project imported from ATLAS.ti, MAXQDA or NVivo must be able to go back to that tool as it
came: the same code GUIDs (tools match codes by GUID), the same sets (MAXQDA's document sets,
ATLAS.ti's code groups, NVivo's sets), the same sources, selections, users and notes under their
GUIDs. The contract, one half per direction:
- import: `plan_sets` maps each REFI `Set` onto study things (a code, a category that became a
  field, a transcript, the memos a note became); a member the import does not keep is counted in a
  warning. `write_identity` stores the sets (`store.sets`, merged by GUID with a set the study has)
  and every GUID the plan carries (`store.guids`) in the import's transaction;
- export: `GuidBook` hands out the stored GUID of a thing, else the stable one studyapp derives
  from what the thing is, and never the same GUID twice in one project (a clash falls back to the
  derived GUID and is counted); `project_sets` writes the study's sets with the GUIDs the export
  gave their members, leaving out members not in the project (a set left empty that way is left out).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from studyapp.interop import refi_model as m
from studyapp.store import Store
from studyapp.store.guids import KEY_COLUMNS, Named
from studyapp.store.sets import Member

if TYPE_CHECKING:  # the plan imports this module
    from studyapp.interop.refi_plan import Plan


@dataclass
class SetPlan:
    """A set to keep: codes as (codebook, field, code or None for a field), transcripts as plan
    indexes, notes as note GUIDs (each the memos it became)."""
    guid: str
    name: str
    description: str
    codes: list[tuple[str, str, str | None]] = field(default_factory=list)
    transcripts: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def plan_sets(project: m.Project, code_of: dict[str, tuple], field_of: dict[str, tuple[str, str]],
              source_index: dict[str, int], note_memos: set[str]) -> tuple[list[SetPlan], list[str]]:
    """The sets of `project` in study terms; `code_of` maps code GUIDs to (codebook, field, code or
    None), `field_of` the GUIDs of fields to (codebook, field), `source_index` source GUIDs to
    transcript plan indexes, `note_memos` the notes that became memos."""
    out, lost = [], 0
    for st in project.sets:
        sp = SetPlan(st.guid, st.name, st.description)
        for g in st.codes:
            where = code_of.get(g) or (field_of[g] + (None,) if g in field_of else None)
            if where is None:
                lost += 1
            else:
                sp.codes.append(tuple(where))
        sp.transcripts = [source_index[g] for g in st.sources]
        sp.notes = [g for g in st.notes if g in note_memos]
        lost += len(st.notes) - len(sp.notes)
        out.append(sp)
    why = (f"{lost} set member(s) are codes or notes the import does not keep (a codebook's own group, an"
           " empty note); the sets keep their other members")
    return out, [why] if lost else []


def code_rows(codes: list[m.Code], code_of: dict[str, tuple], field_of: dict[str, tuple[str, str]],
              book_of: dict[str, str] | None = None) -> list[Named]:
    """GUID rows for the code tree: codes (with what the codebook cannot say: `codable: false`, and
    `colorless` for a code the tool gave no colour), fields, codebook groups."""
    by_guid = {c.guid: c for top in codes for c, _ in top.walk()}
    rows = []
    for g, where in code_of.items():
        cb, f, c = where
        if c is None:
            rows.append(Named("field", (cb, f), g))
            continue
        code = by_guid.get(g)
        attrs = {"codable": False} if code is not None and not code.codable else {}
        attrs |= {"colorless": True} if code is not None and not code.color else {}
        rows.append(Named("code", (cb, f, c), g, attrs or None))
    rows += [Named("field", tuple(w), g) for g, w in field_of.items()]
    rows += [Named("codebook", (cb,), g) for g, cb in (book_of or {}).items()]
    return rows


def write_identity(store: Store, plan: "Plan", transcripts: list[int], spans: list[int], memos: list[int],
                   import_id: int, actor: str | None) -> tuple[int, list[str]]:
    """Store the plan's GUIDs and sets (inside the import's transaction), with the ids the import
    gave its transcripts, spans and memos (in plan order); returns (sets written, warnings)."""
    rows = list(plan.guids)
    rows += [Named("coder", (name,), g) for name, g in plan.user_guids.items()]
    rows += [Named("transcript", (uid,), t.guid) for uid, t in zip(transcripts, plan.transcripts, strict=True) if t.guid]
    rows += [Named("span", (sid,), sp.guid, sp.attrs) for sid, sp in zip(spans, plan.spans, strict=True) if sp.guid]
    rows += [Named("memo", (mid,), mp.guid, mp.attrs) for mid, mp in zip(memos, plan.memos, strict=True) if mp.guid]
    _, differing = store.guids.remember(rows, import_id=import_id, actor=actor)
    why = f"{differing} code(s), coder(s) or other things of the study already had another GUID; the study's are kept"
    warnings = [why] if differing else []
    memos_of: dict[str, list[int]] = {}
    for mid, mp in zip(memos, plan.memos, strict=True):
        if mp.guid:
            memos_of.setdefault(mp.guid, []).append(mid)
    for sp in plan.sets:
        members = [Member.of_code(*c) for c in sp.codes] + [Member.of_transcript(transcripts[i])
                                                             for i in sp.transcripts]
        members += [Member.of_memo(mid) for g in sp.notes for mid in memos_of.get(g, [])]
        store.sets.ensure(sp.guid, sp.name, description=sp.description, members=members, import_id=import_id,
                          actor=actor)
    return len(plan.sets), warnings


class GuidBook:
    """GUIDs for one export: a thing's stored GUID, else the one derived from `derive` parts (see
    the module docstring); `clashes` counts stored GUIDs given up because another thing had it."""

    def __init__(self, store: Store):
        self.stored = {kind: store.guids.of_kind(kind) for kind in KEY_COLUMNS}
        self.used: set[str] = set()
        self.clashes = 0

    def peek(self, kind: str, key: tuple) -> str | None:
        hit = self.stored[kind].get(tuple(key))
        return hit[0] if hit else None

    def attrs(self, kind: str, key: tuple) -> dict:
        hit = self.stored[kind].get(tuple(key))
        return (hit[1] or {}) if hit else {}

    def get(self, kind: str, key: tuple, *derive: object) -> str:
        return self.claim(self.peek(kind, key), *derive)

    def claim(self, wanted: str | None, *derive: object) -> str:
        """`wanted` unless this project already holds it (or None), else the derived GUID."""
        if wanted is not None and wanted not in self.used:
            self.used.add(wanted)
            return wanted
        self.clashes += wanted is not None
        g, n = m.make_guid(*derive), 1
        while g in self.used:
            g, n = m.make_guid(*derive, n), n + 1
        self.used.add(g)
        return g


def project_sets(store: Store, code_guid: dict[tuple, str], field_guid: dict[tuple, str],
                 source_guid: dict[int, str], note_guid: dict[int, str], codes_only: bool = False) -> list[m.Set]:
    """The study's sets with the GUIDs the export gave their members (code keys (codebook, field,
    code), field keys (codebook, field), transcript and memo ids); `codes_only` for a codebook file."""
    out = []
    for s in store.sets.list():
        st = m.Set(s["guid"], s["name"], s["description"] or "")
        for mb in s["members"]:
            if mb.kind == "code":
                g = code_guid.get((mb.codebook, mb.field, mb.code)) if mb.code is not None else \
                    field_guid.get((mb.codebook, mb.field))
                st.codes += [g] if g else []
            elif mb.kind == "transcript" and not codes_only:
                st.sources += [source_guid[mb.unit_id]] if mb.unit_id in source_guid else []
            elif mb.kind == "memo" and not codes_only:
                st.notes += [note_guid[mb.memo_id]] if mb.memo_id in note_guid else []
        st.codes, st.sources, st.notes = (list(dict.fromkeys(x)) for x in (st.codes, st.sources, st.notes))
        kept = st.codes or st.sources or st.notes
        if kept or (not s["members"] and not codes_only):
            out.append(st)
    return out
