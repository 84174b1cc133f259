"""What importing a REFI-QDA project would write into a study, worked out before anything is written.

Why a plan: an import is all or nothing, and every refusal must name the file and the element. So
the whole project is mapped first, reading the study only to match coders and transcript keys,
and `refi_import` then writes the plan in one transaction. Two ways to map a project:

- **lossless**, when the archive carries a `studyapp.json` whose digest still matches its
  `project.qde` (written by `refi_export`): the codebook YAML, transcript and segment keys,
  attributes and boundaries, rounds and every coder's exact values come from it; spans and memos
  from the XML;
- **from any tool** (ATLAS.ti, MAXQDA, NVivo, QualCoder, Taguette...): the code tree becomes an
  interview codebook (`refi_codebook`), each TextSource a transcript split into segments
  (`refi_segments`), each coder's Codings on a PlainTextSelection a quote span per segment the
  selection covers (cut at segment boundaries and counted in the warnings), and each coder's codes
  on a segment the union of their spans' codes, in round `main`.

Either way the project's GUIDs and sets are kept (`refi_identity`), Users become coders (an
existing coder with the same name, ignoring case, is that coder; others are added as coders, never
as leads), and Notes become memos on what references them: a selection's segment (remembering the
selection), a source's transcript, a code, or the study (the project, or nothing).
A Coding with no creatingUser (on it, its selection or the project) is the `default_coder`'s.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from studyapp.domain.codebook import Codebook
from studyapp.domain.codebook_yaml import parse_codebook
from studyapp.domain.values import decode
from studyapp.errors import InvalidInput
from studyapp.interop.refi_codebook import codebook_for, slug
from studyapp.interop.refi_identity import SetPlan, code_rows, plan_sets
from studyapp.interop.refi_model import Project, Selection, Source
from studyapp.interop.refi_package import Package
from studyapp.interop.refi_segments import Cutter, Piece, split_source
from studyapp.services.interviews.imports import INTERVIEWER_RE
from studyapp.store import Store
from studyapp.store.guids import Named
from studyapp.store.rounds import DEFAULT_ROUND

META_FORMAT, META_VERSION = "studyapp-refi", 1
SOURCE_SUFFIX = re.compile(r"\.(txt|docx?|rtf|odt|pdf|html?|md)$", re.IGNORECASE)


@dataclass
class SegmentPlan:
    key: str
    seq: int
    title: str | None
    text: str
    attrs: dict


@dataclass
class TranscriptPlan:
    key: str
    title: str
    text: str
    attrs: dict
    segments: list[SegmentPlan] = field(default_factory=list)
    guid: str | None = None


@dataclass
class SpanPlan:
    transcript: int
    segment: int
    coder: str
    round: str
    codebook: str
    start: int
    end: int
    codes: list[tuple[str, str]]
    note: str | None
    guid: str | None = None  # the selection's, on the first span made of it for each coder
    attrs: dict | None = None  # the selection's name, creation time and coding GUIDs


@dataclass
class MemoPlan:
    kind: str  # unit | code | study
    text: str
    coder: str | None
    transcript: int | None = None
    segment: int | None = None  # None with a transcript: the memo is on the transcript
    codebook: str | None = None
    code: str | None = None
    guid: str | None = None  # the note's
    attrs: dict | None = None  # the note's name and creation time; `unreferenced` when nothing referenced it


@dataclass
class Plan:
    file: str
    origin: str
    lossless: bool
    codebooks: list[Codebook] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    new_coders: list[str] = field(default_factory=list)
    rounds: list[tuple[str, str]] = field(default_factory=list)
    transcripts: list[TranscriptPlan] = field(default_factory=list)
    spans: list[SpanPlan] = field(default_factory=list)
    #: (transcript, segment, codebook, field, coder, round, value)
    annotations: list[tuple] = field(default_factory=list)
    memos: list[MemoPlan] = field(default_factory=list)
    sets: list[SetPlan] = field(default_factory=list)
    guids: list[Named] = field(default_factory=list)  # of codes, fields and codebooks
    user_guids: dict[str, str] = field(default_factory=dict)  # coder -> GUID of their (first) User
    warnings: list[str] = field(default_factory=list)


def usable_meta(pkg: Package) -> tuple[dict | None, str | None]:
    """The archive's studyapp.json when it still describes this very project, else (None, why not)."""
    meta = pkg.meta
    if meta is None:
        return None, None
    if meta.get("format") != META_FORMAT or meta.get("version") != META_VERSION:
        return None, "studyapp.json is of another format or version; the project is read like any tool's"
    if meta.get("qde_sha256") != hashlib.sha256(pkg.qde).hexdigest():
        return None, "studyapp.json does not match project.qde (edited in another tool?); read like any tool's"
    sources = meta.get("sources")
    for src in pkg.project.sources:
        m = sources.get(src.guid) if isinstance(sources, dict) else None
        if not isinstance(m, dict) or m.get("sha256") != hashlib.sha256(src.text.encode("utf-8")).hexdigest():
            return None, f"studyapp.json does not match the text of source {src.name!r}; read like any tool's"
    return meta, None


class _Planner:
    def __init__(self, store: Store, pkg: Package, default_coder: str, lossless: bool):
        self.store, self.pkg, self.p = store, pkg, pkg.project
        self.plan = Plan(Path(pkg.name).name, self.p.origin, lossless)
        self.default_coder = default_coder
        self.users = self._users()
        self.code_of: dict[str, tuple[str, str, str | None]] = {}
        self.field_of: dict[str, tuple[str, str]] = {}
        self.source_index: dict[str, int] = {}
        self.note_targets: list[tuple[str, tuple]] = []
        self.counts = dict.fromkeys(("cut", "dropped", "unattributed", "empty", "document", "category", "bare"), 0)
        self.study_keys = set(store.units.ids_by_key("transcript"))
        self.project_keys: set[str] = set()

    # users -> coders -------------------------------------------------------------------------
    def _users(self) -> dict[str, str]:
        existing = self.store.coders.names()
        folded = {n.casefold(): n for n in existing}
        out: dict[str, str] = {}
        for u in self.p.users:
            name = " ".join(u.name.split()) or f"user-{u.guid[:8]}"
            out[u.guid] = name if name in existing else folded.get(name.casefold(), name)
            self.plan.user_guids.setdefault(out[u.guid], u.guid)
        names = list(out.values())
        for n in dict.fromkeys(names):
            if names.count(n) > 1:
                self.plan.warnings.append(f"{names.count(n)} users of the project are all coder {n!r}")
        self.plan.coders = list(dict.fromkeys(names))
        self.plan.new_coders = [n for n in self.plan.coders if n not in existing]
        return out

    def coder(self, *guids: str | None) -> str:
        for g in guids:
            if g:
                return self.users[g]
        self.counts["unattributed"] += 1
        if self.default_coder not in self.plan.coders:
            self.plan.coders.append(self.default_coder)
            if self.store.coders.get(self.default_coder) is None:
                self.plan.new_coders.append(self.default_coder)
        return self.default_coder

    # sources ----------------------------------------------------------------------------------
    def check_key(self, key: str, src: Source) -> str:
        if key in self.study_keys:
            raise InvalidInput(f"<TextSource> {src.name!r}: a transcript with key {key!r} is already in the study"
                               " (was this project imported before?)", path=self.pkg.where, line=src.line)
        if key in self.project_keys:
            raise InvalidInput(f"<TextSource> {src.name!r}: two sources give the transcript key {key!r}",
                               path=self.pkg.where, line=src.line)
        self.project_keys.add(key)
        return key

    def selections(self, ti: int, src: Source, cutter: Cutter, span_kinds: dict[str, dict] | None) -> None:
        """Spans (and segment memo targets) of one source's selections. `span_kinds` (lossless only)
        says which selections are spans and their round; others' codings are derived, not spans."""
        self.source_index[src.guid] = ti
        self.plan.transcripts[ti].guid = src.guid
        for sel in src.selections:
            if sel.end <= sel.start:
                self.counts["empty"] += 1
                continue
            pieces = cutter.cut(sel.start, sel.end)
            kind = span_kinds.get(sel.guid, {}) if span_kinds is not None else {"kind": "span", "round": DEFAULT_ROUND}
            if len(pieces) > 1:
                self.counts["cut"] += 1
            if sel.note_refs:  # the note goes to the segment, and remembers the selection it was on
                where = (sel.guid, pieces[0][1], pieces[0][2], sel.name, self.users.get(sel.user), sel.created) \
                    if pieces else None
                target = ("unit", ti, pieces[0][0], where) if pieces else ("unit", ti, None)
                self.note_targets += [(ref, target) for ref in sel.note_refs]
            self.counts["bare"] += span_kinds is None and not sel.codings and not sel.note_refs
            if kind.get("kind") == "span" and sel.codings:
                self._spans(ti, sel, cutter.pieces, pieces, kind.get("round") or DEFAULT_ROUND)
        self.counts["document"] += len(src.codings)
        self.note_targets += [(ref, ("unit", ti, None)) for ref in src.note_refs]

    def _spans(self, ti: int, sel: Selection, all_pieces: list[Piece], pieces: list, rnd: str) -> None:
        by_coder: dict[tuple[str, str], list] = {}
        for cd in sel.codings:
            where = self.code_of.get(cd.code)
            if where is None or where[2] is None:
                self.counts["category"] += 1
                continue
            cb, f, c = where
            by_coder.setdefault((self.coder(cd.user, sel.user, self.p.user), cb), []).append((f, c, cd.guid))
        text = self.plan.transcripts[ti].text
        for (coder, cb), codes in by_coder.items():
            kept = 0
            attrs = {k: v for k, v in (("name", sel.name), ("created", sel.created)) if v is not None}
            attrs |= {"user": self.users.get(sel.user) if sel.user else None, "codings": [list(x) for x in codes]}
            for si, s, e in pieces:
                p = all_pieces[si]
                if not text[p.start + s:p.start + e].strip():
                    continue
                first = {"guid": sel.guid, "attrs": attrs} if not kept else {}
                self.plan.spans.append(SpanPlan(ti, si, coder, rnd, cb, s, e, sorted({(f, c) for f, c, _ in codes}),
                                                sel.description or None, **first))
                kept += 1
            self.counts["dropped"] += kept == 0

    # notes -> memos ---------------------------------------------------------------------------
    def memos(self) -> None:
        notes = {n.guid: n for n in self.p.notes}
        names = {c.guid: c.name for c in self.p.all_codes()}
        for c in self.p.all_codes():
            self.note_targets += [(ref, ("code", c.guid)) for ref in c.note_refs]
        self.note_targets += [(ref, ("study",)) for ref in self.p.note_refs]
        used = {ref for ref, _ in self.note_targets}
        self.note_targets += [(n.guid, ("study", "unreferenced")) for n in self.p.notes if n.guid not in used]
        empty = 0
        for ref, target in dict.fromkeys(self.note_targets):
            note = notes[ref]
            if not note.text:
                empty += 1
                continue
            coder = self.users.get(note.user) if note.user else None
            attrs = {k: v for k, v in (("name", note.name), ("created", note.created)) if v}
            keep = {"guid": note.guid, "attrs": attrs | ({"unreferenced": True} if target[1:] == ("unreferenced",)
                                                         else {})}
            if target[0] == "unit":
                if len(target) > 3:
                    on = dict(zip(("guid", "start", "end", "name", "user", "created"), target[3], strict=True))
                    keep["attrs"] = keep["attrs"] | {"selection": {k: v for k, v in on.items() if v is not None}}
                self.plan.memos.append(MemoPlan("unit", note.text, coder, target[1], target[2], **keep))
            elif target[0] == "code" and (self.code_of.get(target[1]) or (None, None, None))[2] is not None:
                cb, f, c = self.code_of[target[1]]
                self.plan.memos.append(MemoPlan("code", note.text, coder, codebook=cb, code=f"{f}:{c}", **keep))
            elif target[0] == "code":
                self.plan.memos.append(MemoPlan("study", f"{names[target[1]]}: {note.text}", coder, **keep))
            else:
                self.plan.memos.append(MemoPlan("study", note.text, coder, **keep))
        if empty:
            self.plan.warnings.append(f"{empty} note(s) without text skipped")
        self.plan.sets, lost = plan_sets(self.p, self.code_of, self.field_of, self.source_index,
                                         {mp.guid for mp in self.plan.memos})
        self.plan.warnings += lost

    def finish(self) -> Plan:
        c = self.counts
        said = {"cut": "selection(s) crossed segment boundaries and were cut into one span per segment",
                "dropped": "selection(s) covered no segment text (a speaker label or white space) and were skipped",
                "unattributed": f"coding(s) name no user; they are given to coder {self.default_coder!r}",
                "empty": "empty selection(s) skipped",
                "document": "coding(s) of whole sources skipped (studyapp codes segments)",
                "category": "coding(s) of categories that are fields here, not codes, skipped",
                "bare": "selection(s) with no code and no note (free quotations) skipped"}
        self.plan.warnings += [f"{c[k]} {said[k]}" for k in said if c[k]]
        self.plan.warnings += self.p.warnings
        return self.plan


def _foreign(store: Store, pkg: Package, codebook_id: str | None, default_coder: str) -> Plan:
    pl = _Planner(store, pkg, default_coder, lossless=False)
    p: Project = pkg.project
    if p.all_codes():
        mapped = codebook_for(p.codes, codebook_id=codebook_id or "refi-" + slug(p.name, "project"), title=p.name)
        pl.plan.codebooks.append(mapped.codebook)
        pl.code_of = {g: (mapped.codebook.id, f, c) for g, (f, c) in mapped.codes.items()}
        pl.plan.guids = code_rows(p.codes, pl.code_of, {})
    pl.plan.rounds.append((DEFAULT_ROUND, "Main"))
    for src in p.sources:
        base = " ".join(SOURCE_SUFFIX.sub("", src.name).split()) or f"source-{src.guid[:8]}"
        key, n = base, 2
        while key in pl.project_keys:
            key, n = f"{base}-{n}", n + 1
        key = pl.check_key(key, src)
        pieces = split_source(src.text)
        speakers = list(dict.fromkeys(x.speaker for x in pieces if x.speaker))
        t = TranscriptPlan(key, src.name or key, src.text, {
            "format": "refi-qda", "file": Path(pkg.name).name, "origin": p.origin,
            "description": src.description or None,
            "participant": None, "participants": [], "speakers": dict.fromkeys(speakers),
            "interviewers": [s for s in speakers if INTERVIEWER_RE.match(s)]})
        t.segments = [SegmentPlan(f"{key}:{i}", i, x.speaker, src.text[x.start:x.end],
                                  {"speaker": x.speaker, "line": x.line, "start": None, "end": None,
                                   "participant": None,
                                   "interviewer": bool(x.speaker and INTERVIEWER_RE.match(x.speaker))})
                      for i, x in enumerate(pieces, start=1)]
        pl.plan.transcripts.append(t)
        pl.selections(len(pl.plan.transcripts) - 1, src, Cutter(pieces), None)
    union: dict[tuple, set] = {}
    for sp in pl.plan.spans:
        for f, c in sp.codes:
            union.setdefault((sp.transcript, sp.segment, sp.codebook, f, sp.coder, sp.round), set()).add(c)
    pl.plan.annotations = [k + (sorted(v),) for k, v in union.items()]
    pl.memos()
    return pl.finish()


def _lossless(store: Store, pkg: Package, meta: dict, default_coder: str) -> Plan:
    pl = _Planner(store, pkg, default_coder, lossless=True)
    books = [parse_codebook(b["yaml"], f"{pkg.name} (studyapp.json, codebook {b['id']})") for b in meta["codebooks"]]
    pl.plan.codebooks = books
    pl.code_of = {g: (cb, f, c) for g, (cb, f, c) in meta["codes"].items()}
    pl.field_of = {g: (cb, f) for g, (cb, f, _) in meta["fields"].items()}
    pl.plan.guids = code_rows(pkg.project.codes, pl.code_of, pl.field_of,
                              {b["guid"]: b["id"] for b in meta["codebooks"] if b.get("guid")})
    pl.plan.rounds = [(r["id"], r["label"]) for r in meta["rounds"]]
    seg_index: dict[str, tuple[int, int]] = {}
    for src in pkg.project.sources:
        sm = meta["sources"][src.guid]
        pieces = [Piece(int(s["start"]), int(s["end"])) for s in sm["segments"]]
        if any(not 0 <= x.start <= x.end <= len(src.text) for x in pieces):
            raise ValueError(f"segment boundaries of {src.name!r} are outside its text")
        t = TranscriptPlan(pl.check_key(sm["key"], src), sm["title"] or sm["key"], src.text, sm["attrs"] or {})
        t.segments = [SegmentPlan(s["key"], s["seq"], s["title"], src.text[x.start:x.end], s["attrs"] or {})
                      for s, x in zip(sm["segments"], pieces)]
        pl.plan.transcripts.append(t)
        ti = len(pl.plan.transcripts) - 1
        seg_index.update({s.key: (ti, si) for si, s in enumerate(t.segments)})
        pl.selections(ti, src, Cutter(pieces), meta["selections"])
    types = {(cb.id, f.id): f.type for cb in books for f in cb.fields}
    names = {n.casefold(): n for n in pl.plan.coders}
    retired = 0
    for key, cb, fid, coder, rnd, value in meta["annotations"]:
        if (cb, fid) not in types or key not in seg_index:
            retired += 1
            continue
        who = names.get(str(coder).casefold()) or pl.coder(None)
        pl.plan.annotations.append(seg_index[key] + (cb, fid, who, rnd, decode(types[(cb, fid)], value)))
    if retired:
        pl.plan.warnings.append(f"{retired} value(s) of fields the codebook no longer has skipped")
    pl.memos()
    return pl.finish()


def build_plan(store: Store, pkg: Package, *, codebook_id: str | None = None, default_coder: str) -> Plan:
    """The plan for importing `pkg` into `store` (see the module docstring); nothing is written."""
    meta, why = usable_meta(pkg)
    if meta is not None:
        try:
            return _lossless(store, pkg, meta, default_coder)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
            why = f"studyapp.json could not be used ({type(e).__name__}: {e}); read like any tool's"
    plan = _foreign(store, pkg, codebook_id, default_coder)
    if why:
        plan.warnings.insert(0, why)
    return plan
