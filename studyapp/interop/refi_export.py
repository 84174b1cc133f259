"""A study's interviews as a REFI-QDA project (`.qdpx`), and its codebooks alone as a `.qdc` file.

Why: so a study coded in studyapp can be opened in ATLAS.ti, MAXQDA, NVivo or QualCoder, and
agreement computed there (or here, after a round trip) on the same codings. What goes where:
- every coder is a `User`;
- the interview codebooks (kind `interview` or `any`) are the code tree (`refi_tree`: a category
  per coded field, a plain tree's codes at the top). Free-text and number fields are not codes
  and other tools do not see them;
- each transcript is a `TextSource` whose plain text is the transcript's stored text, in
  `sources/<guid>.txt`; a segment is a substring of it (found in reading order), so a quote span
  becomes a `PlainTextSelection` at (segment offset + span start, segment offset + span end) and
  the codes a coder gave a segment beyond their spans a selection over the whole segment; each
  `Coding` names its coder;
- memos become `Note`s, referenced from the segment's selection, the transcript's source, the
  code, or the project (study memos). Memos on papers or defects are not part of a QDA project;
- the study's sets are `Set`s of the codes, sources and notes the project holds.

What came from another tool goes back under the GUIDs it came with (`refi_identity.GuidBook`): codes,
users, sources, selections (a selection two coders coded, split into a span per coder on import, is
one selection again, with each coder's `Coding`), codings and notes (one note that became memos in
two places is one note again). Everything else gets a uuid5 of what it names (codebook/field/code,
coder, transcript key, span id...), so the same study exports the same GUIDs every time. Beside
`project.qde`, the archive holds
`studyapp.json`: what REFI has no place for (codebook YAML and field types, segment boundaries and
attributes, rounds, which selection is a span and which a segment's codes, every coder's exact
values on every segment) and the SHA-256 of the `project.qde` it goes with. Other tools ignore
it; `refi_import` uses it only while that digest still matches, which makes export -> import
lossless. Adjudicated (final) values of whole turns are not exported: REFI-QDA has no place for them.
Final (adjudicated) quote spans are: each is a `PlainTextSelection` named `final: ...` made by the lead
who adjudicated it, whose `Coding`s (by that lead) are the adjudicated codes and whose description is
the rationale; `studyapp.json` marks it `{"kind": "final"}`, so importing the project back into
studyapp does not make it a coder's span.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Sequence

from studyapp.domain.codebook import Codebook
from studyapp.domain.roles import lead_only
from studyapp.domain.values import decode
from studyapp.errors import NotFound, StudyError
from studyapp.files import check_target, write_atomic
from studyapp.interop import refi_model as m
from studyapp.interop.refi_identity import GuidBook, project_sets
from studyapp.interop.refi_tree import code_tree
from studyapp.interop.refi_tree import describe as _describe  # noqa: F401  (the name tests use)
from studyapp.interop.refi_write import write_codebook, write_project
from studyapp.services.coding.codebooks import list_codebooks
from studyapp.store import Store

META = "studyapp.json"
META_FORMAT = "studyapp-refi"
META_VERSION = 1


@dataclass(frozen=True)
class RefiExport:
    path: str
    users: int
    codes: int
    sources: int
    selections: int
    codings: int
    notes: int
    warnings: list = dc_field(default_factory=list)
    sets: int = 0


def segment_codebooks(store: Store, ids: Sequence[str] | None = None) -> list[Codebook]:
    """The codebooks applied to transcript segments (kind interview or any), or those named."""
    books = list_codebooks(store)
    if ids:
        known = {cb.id: cb for cb in books}
        missing = [i for i in ids if i not in known]
        if missing:
            raise NotFound(f"no codebook {missing[0]!r} in this study")
        return [known[i] for i in ids]
    return [cb for cb in books if cb.kind in ("interview", "any")]


def _layout(transcript: dict, segments: list[dict]) -> tuple[str, dict[int, int]]:
    """The source text and each segment's offset in it: the transcript's stored text when every
    segment is found in it in order, else the segments joined as the transcript import writes them."""
    text = transcript["text"] or ""
    offsets, cursor = {}, 0
    for s in segments:
        at = text.find(s["text"] or "", cursor)
        if at < 0:
            break
        offsets[s["id"]], cursor = at, at + len(s["text"] or "")
    else:
        return text, offsets
    parts, offsets, pos = [], {}, 0
    for s in segments:
        label = s["attrs"].get("speaker") or s["title"]
        head = f"{label}:\n" if label else ""
        if parts:
            parts.append("\n\n")
            pos += 2
        offsets[s["id"]] = pos + len(head)
        parts.append(head + (s["text"] or ""))
        pos += len(head) + len(s["text"] or "")
    return "".join(parts), offsets


class _Builder:
    """One export: the study's data read once, then one `TextSource` per transcript."""

    def __init__(self, store: Store, books: list[Codebook]):
        self.store, self.repo = store, store.transcripts
        self.book = GuidBook(store)
        self.codes, self.meta = code_tree(books, self.book)
        coders = store.coders.list()
        self.users = {c["name"]: self.book.get("coder", (c["name"],), "coder", c["name"]) for c in coders}
        self.meta.update({"format": META_FORMAT, "version": META_VERSION, "study": store.title,
                          "users": {self.users[c["name"]]: {"name": c["name"], "role": c["role"]} for c in coders},
                          "rounds": [{"id": r["id"], "label": r["label"]} for r in store.rounds.list()],
                          "sources": {}, "selections": {}, "annotations": []})
        self.code_guid = {tuple(v): g for g, v in self.meta["codes"].items()}
        self.field_guid = {tuple(v[:2]): g for g, v in self.meta["fields"].items()}
        self.source_guid: dict[int, str] = {}
        self.warnings: list[str] = []
        self.tags = self._tags(books)
        self.spans: dict[int, list] = {}
        for cb in books:
            for sp in self.repo.spans(codebook=cb.id):
                self.spans.setdefault(sp["unit_id"], []).append(sp)
        self.finals: dict[int, list] = {}
        for cb in books:
            for fs in self.repo.final_spans(codebook=cb.id):
                self.finals.setdefault(fs["unit_id"], []).append(fs)
        self.memos = store.memos.list()
        self.notes = self._notes()
        self.used_notes: set[int] = set()
        self.memos_of: dict[int, list] = {}
        for memo in self.memos:
            if memo["target_kind"] == "unit" and memo["unit_id"] is not None:
                self.memos_of.setdefault(memo["unit_id"], []).append(memo)

    def user(self, name: str | None) -> str | None:
        return self.users.get(name) if name else None

    def _notes(self) -> dict[int, m.Note]:
        """memo id -> its Note; memos imported from one note (same GUID, same text) share it."""
        out: dict[int, m.Note] = {}
        by_guid: dict[str, m.Note] = {}
        for memo in self.memos:
            key = (memo["id"],)
            stored = self.book.peek("memo", key)
            if stored in by_guid and by_guid[stored].text == memo["text"]:
                out[memo["id"]] = by_guid[stored]
                continue
            attrs = self.book.attrs("memo", key)
            note = m.Note(self.book.get("memo", key, "memo", memo["id"]),
                          attrs.get("name") or " ".join(memo["text"].split())[:60] or "memo", memo["text"],
                          self.user(memo["coder"]), attrs.get("created") or memo["created_at"])
            out[memo["id"]] = by_guid[note.guid] = note
        return out

    def note_refs(self, memos: list[dict]) -> list[str]:
        self.used_notes.update(x["id"] for x in memos)
        return list(dict.fromkeys(self.notes[x["id"]].guid for x in memos))

    def _tags(self, books: list[Codebook]) -> dict[int, dict[tuple, set]]:
        """segment id -> (coder, round) -> {(codebook, field, code)}; every value also goes to the metadata."""
        types = {(cb.id, f.id): f.type for cb in books for f in cb.fields}
        keys = {s["id"]: s["key"] for s in self.repo.segment_index()}
        tags: dict[int, dict[tuple, set]] = {}
        skipped = 0
        for cb in books:
            for uid, fid, coder, rnd, value in self.repo.segment_annotations(cb.id):
                if uid in keys:
                    self.meta["annotations"].append([keys[uid], cb.id, fid, coder, rnd, value])
                ftype = types.get((cb.id, fid))
                if ftype not in ("nominal", "multi", "ordinal"):
                    skipped += 1
                    continue
                vals = decode(ftype, value)
                for v in vals if isinstance(vals, list) else [vals]:
                    tags.setdefault(uid, {}).setdefault((coder, rnd), set()).add((cb.id, fid, v))
        if skipped:
            self.warnings.append(f"{skipped} value(s) of free-text, number or retired fields are not codes: other"
                                 " tools will not see them (studyapp.json keeps them)")
        return tags

    def _codings(self, owner: str, keys, user: str | None, stored: dict | None = None) -> list[m.Coding]:
        return [m.Coding(self.book.claim((stored or {}).get(k[1:]), "coding", owner, *k), self.code_guid[k], user)
                for k in keys if k in self.code_guid]

    def _span_groups(self, spans: list[dict]) -> list[list[dict]]:
        """Spans one selection was split into on import (same stored GUID, place and round) together."""
        groups: dict[tuple, list] = {}
        for sp in spans:
            g = self.book.peek("span", (sp["id"],))
            groups.setdefault((g, sp["start"], sp["end"], sp["round"]) if g else (sp["id"],), []).append(sp)
        return list(groups.values())

    def _segment(self, src: m.Source, s: dict, off: int) -> None:
        seg_text = s["text"] or ""
        mine: dict[tuple, set] = {}
        made: dict[str, m.Selection] = {}
        for group in self._span_groups(self.spans.get(s["id"], [])):
            sp = group[0]
            attrs = self.book.attrs("span", (sp["id"],))
            owner = attrs["user"] if "user" in attrs else sp["coder"]  # who made the selection in the tool
            sel = m.Selection(self.book.get("span", (sp["id"],), "span", sp["id"]), off + sp["start"],
                              off + sp["end"], self.user(owner),
                              attrs["name"] if "name" in attrs else " ".join(sp["snippet"].split())[:60],
                              sp["note"] or "", created=attrs.get("created") or sp["created_at"])
            for one in group:
                keys = [(one["codebook"], f, c) for f, c in one["codes"]]
                mine.setdefault((one["coder"], one["round"]), set()).update(keys)
                stored = {(f, c): g for f, c, g in self.book.attrs("span", (one["id"],)).get("codings", [])}
                sel.codings += self._codings(str(one["id"]), keys, self.user(one["coder"]), stored)
            src.selections.append(sel)
            made[sel.guid] = sel
            self.meta["selections"][sel.guid] = {"kind": "span", "round": sp["round"]}
        for fs in self.finals.get(s["id"], []):
            g = self.book.claim(None, "final-span", fs["id"])
            by = self.user(fs["adjudicator"])
            sel = m.Selection(g, off + fs["start"], off + fs["end"], by, "final: " + " ".join(fs["snippet"].split())[:53],
                              fs["rationale"] or "", created=fs["created_at"])
            sel.codings = self._codings(f"final-{fs['id']}", [(fs["codebook"], f, c) for f, c in fs["codes"]], by)
            src.selections.append(sel)
            self.meta["selections"][g] = {"kind": "final", "round": fs["round"], "decision": fs["decision"]}
        for (coder, rnd), have in sorted(self.tags.get(s["id"], {}).items()):
            extra = sorted(have - mine.get((coder, rnd), set()))
            if not extra:
                continue
            g = self.book.claim(None, "tags", s["key"], coder, rnd)
            sel = m.Selection(g, off, off + len(seg_text), self.user(coder), f"segment {s['key']}")
            sel.codings = self._codings(g, extra, sel.user)
            src.selections.append(sel)
            self.meta["selections"][g] = {"kind": "tags", "round": rnd}
        here = self._memo_selections(src, s, off, made)
        if here:
            g = self.book.claim(None, "memos", s["key"])
            sel = m.Selection(g, off, off + len(seg_text), name=f"memos on {s['key']}")
            sel.note_refs = self.note_refs(here)
            src.selections.append(sel)
            self.meta["selections"][g] = {"kind": "memos"}

    def _memo_selections(self, src: m.Source, s: dict, off: int, made: dict[str, m.Selection]) -> list[dict]:
        """Memos imported from a note on a selection go back on it (made again when it had no codes);
        returns the segment's other memos."""
        rest: list[dict] = []
        on: dict[str, tuple] = {}
        for memo in self.memos_of.get(s["id"], []):
            where = self.book.attrs("memo", (memo["id"],)).get("selection")
            if where and 0 <= where["start"] <= where["end"] <= len(s["text"] or ""):
                on.setdefault(where["guid"], (where, []))[1].append(memo)
            else:
                rest.append(memo)
        for guid, (where, memos) in on.items():
            sel = made.get(guid)
            if sel is None:
                sel = m.Selection(self.book.claim(guid, "memo-selection", guid), off + where["start"],
                                  off + where["end"], self.user(where.get("user")), where.get("name"),
                                  created=where.get("created"))
                src.selections.append(sel)
                made[guid] = sel
                self.meta["selections"][sel.guid] = {"kind": "memos"}
            sel.note_refs += [r for r in self.note_refs(memos) if r not in sel.note_refs]
        return rest

    def source(self, t: dict, segs: list[dict]) -> tuple[m.Source, str]:
        text, offsets = _layout(t, segs)
        sg = self.source_guid[t["id"]] = self.book.get("transcript", (t["id"],), "transcript", t["key"])
        src = m.Source(sg, t["title"] or t["key"], text, path=f"{sg}.txt",
                       description=(t["attrs"] or {}).get("description") or "")
        seg_meta = []
        for s in segs:
            off = offsets[s["id"]]
            seg_meta.append({"key": s["key"], "seq": s["seq"], "title": s["title"], "attrs": s["attrs"],
                             "start": off, "end": off + len(s["text"] or "")})
            self._segment(src, s, off)
        src.note_refs = self.note_refs(self.memos_of.get(t["id"], []))
        self.meta["sources"][sg] = {"key": t["key"], "title": t["title"], "attrs": t["attrs"], "segments": seg_meta,
                                    "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
        return src, text

    def attach_code_and_study_memos(self, project: m.Project) -> None:
        by_guid = {c.guid: c for c in project.all_codes()}
        for memo in self.memos:
            if memo["target_kind"] == "code" and memo["code"]:
                f, _, c = memo["code"].rpartition(":")
                if not f:  # a bare code id: the code of that id in the memo's codebook, when only one field has it
                    hits = [k for k in self.code_guid if k[0] == memo["codebook"] and k[2] == c]
                    f = hits[0][1] if len(hits) == 1 else ""
                g = self.code_guid.get((memo["codebook"], f, c))
                if g:
                    refs = by_guid[g].note_refs
                    refs += [r for r in self.note_refs([memo]) if r not in refs]
            elif memo["target_kind"] == "study":
                refs = self.note_refs([memo])
                if not self.book.attrs("memo", (memo["id"],)).get("unreferenced"):
                    project.note_refs += [r for r in refs if r not in project.note_refs]

    def sets(self) -> list[m.Set]:
        notes = {i: self.notes[i].guid for i in self.used_notes}
        sets = project_sets(self.store, self.code_guid, self.field_guid, self.source_guid, notes)
        for st in sets:
            st.guid = self.book.claim(st.guid, "set", st.guid)
        return sets


def build_project(store: Store, codebooks: Sequence[str] | None = None) -> tuple[m.Project, dict, dict[str, str]]:
    """(project, studyapp.json metadata, {zip member: text}) for the study's transcripts."""
    b = _Builder(store, segment_codebooks(store, codebooks))
    project = m.Project(name=store.title, origin="studyapp", users=[m.User(g, n) for n, g in b.users.items()],
                        codes=b.codes, created=store.meta("created_at"))
    segments_of: dict[int, list] = {}
    for s in store.units.list("segment"):
        segments_of.setdefault(s["parent_id"], []).append(s)
    files: dict[str, str] = {}
    for t in store.units.list("transcript"):
        src, text = b.source(t, segments_of.get(t["id"], []))
        project.sources.append(src)
        files[f"sources/{src.path}"] = text
    b.attach_code_and_study_memos(project)
    project.notes = list({b.notes[i].guid: b.notes[i] for i in sorted(b.used_notes)}.values())
    project.sets = b.sets()
    project.warnings = b.warnings
    if len(b.used_notes) < len(b.memos):
        project.warnings.append(f"{len(b.memos) - len(b.used_notes)} memo(s) on papers, defects or codes of other "
                                "codebooks are not part of the project")
    if b.book.clashes:
        project.warnings.append(f"{b.book.clashes} GUID(s) kept from an import were taken by another thing of the"
                                " project; those things were given studyapp's own GUIDs")
    return project, b.meta, files


def qdpx_bytes(store: Store, *, actor: str | None = None, codebooks: Sequence[str] | None = None,
               name: str = "project.qdpx") -> tuple[bytes, RefiExport]:
    """The study's interviews as the bytes of a REFI-QDA project, for a download or a file. The
    project holds every coder's codes, so an `actor` who is a coder of the study must be a lead;
    None or a name that is no coder (the command line's holder of the study folder) may export."""
    lead_only(store, actor, "export every coder's codes")
    project, meta, files = build_project(store, codebooks)
    if not project.sources:
        raise StudyError("the study has no transcripts to export")
    qde = write_project(project)
    meta["qde_sha256"] = hashlib.sha256(qde).hexdigest()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde)
        for member, text in files.items():
            zf.writestr(member, text.encode("utf-8"))
        zf.writestr(META, json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True))
    sels = [s for src in project.sources for s in src.selections]
    return buf.getvalue(), RefiExport(name, len(project.users), len(project.all_codes()), len(project.sources),
                                      len(sels), sum(len(s.codings) for s in sels), len(project.notes),
                                      project.warnings, len(project.sets))


def export_qdpx(store: Store, out_path: str | Path, *, actor: str | None = None, force: bool = False,
                codebooks: Sequence[str] | None = None, **_ignored) -> RefiExport:
    """Write the study's interviews as a REFI-QDA project file, whole or not at all; an existing
    file is kept unless `force`."""
    out = check_target(out_path, force)
    data, result = qdpx_bytes(store, actor=actor, codebooks=codebooks, name=str(out))
    write_atomic(out, data)
    return result


def export_qdc(store: Store, out_path: str | Path, *, force: bool = False, codebooks: Sequence[str] | None = None,
               **_ignored) -> RefiExport:
    """Write the interview codebooks (codes, colours, definitions) as a REFI-QDA `.qdc` codebook."""
    out = check_target(out_path, force)
    books = segment_codebooks(store, codebooks)
    if not books:
        raise StudyError("the study has no interview codebook to export")
    codes, meta = code_tree(books, GuidBook(store))
    sets = project_sets(store, {tuple(v): g for g, v in meta["codes"].items()},
                        {tuple(v[:2]): g for g, v in meta["fields"].items()}, {}, {}, codes_only=True)
    write_atomic(out, write_codebook(codes, sets=sets))
    return RefiExport(str(out), 0, sum(1 for top in codes for _ in top.walk()), 0, 0, 0, 0, sets=len(sets))
