"""Importing a REFI-QDA project (`.qdpx`, or a bare `.qde`) or codebook (`.qdc`) into a study.

Why: teams code in ATLAS.ti, MAXQDA, NVivo or QualCoder, and studyapp should measure their
agreement and keep their codings with the rest of the study; and a study exported with
`studyapp export DIR OUT.qdpx` comes back whole. The contract:
- only a lead imports (the project carries every coder's codes);
- the file is read and mapped completely first (`refi_package`, `refi_plan`); a file that is not
  a zip, has no project.qde, is not well-formed XML, refers to an unknown code, note or user, or has
  a selection outside its source's text is refused with `InvalidInput` naming the file, the element
  and the line, before the study is touched;
- then everything is written in one transaction (coders, rounds, codebook version, transcripts,
  segments, spans, segment codes, memos, sets, the GUIDs the project gave all of these, the import
  record), so a failure there (say, codes the
  study's own version of the codebook refuses) rolls all of it back: the study stays byte-for-byte
  what it was.
See `refi_plan` for how a project maps onto transcripts, segments, spans, codes and memos.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from studyapp.domain.codebook import Codebook
from studyapp.domain.roles import require_lead
from studyapp.errors import InvalidInput, StudyError
from studyapp.interop import refi_model as m
from studyapp.interop.refi_codebook import codebook_for, slug
from studyapp.interop.refi_identity import code_rows, plan_sets, write_identity
from studyapp.interop.refi_package import Package, open_project, read_project
from studyapp.interop.refi_plan import Plan, build_plan
from studyapp.interop.refi_read import read_codebook_file
from studyapp.services.coding.codebooks import store_codebook
from studyapp.services.coding.coding import CodingRow, code_many
from studyapp.store import Store
from studyapp.store.rounds import DEFAULT_ROUND


@dataclass(frozen=True)
class RefiImport:
    """What an import wrote. `lossless`: the archive's studyapp.json was used (a studyapp export)."""
    file: str
    lossless: bool
    codebooks: list  # [(codebook id, version id, whether a new version)]
    transcripts: list
    segments: int
    spans: int
    annotations: int
    memos: int
    new_coders: list
    coders: list
    warnings: list = field(default_factory=list)
    sets: int = 0


def import_qdpx(store: Store, path: str | Path, *, actor: str | None, codebook: str | None = None,
                default_coder: str | None = None) -> RefiImport:
    """Import the project file at `path` (a `.qdpx`, or a `.qde` with `sources/` beside it).
    `codebook` names the codebook made from a foreign project's codes (default `refi-<project name>`);
    `default_coder` owns codings that name no user (default: `actor`)."""
    require_lead(store, actor, "import a REFI-QDA project")
    return _import(store, open_project(path), actor, codebook, default_coder)


def import_qdpx_data(store: Store, name: str, data: bytes, *, actor: str | None, codebook: str | None = None,
                     default_coder: str | None = None) -> RefiImport:
    """`import_qdpx` for an upload given as (file name, bytes)."""
    require_lead(store, actor, "import a REFI-QDA project")
    return _import(store, read_project(name, data), actor, codebook, default_coder)


def import_qdc(store: Store, path: str | Path, *, actor: str | None, codebook: str | None = None) -> RefiImport:
    """Import a `.qdc` codebook file as (a new version of) an interview codebook, with its code
    GUIDs and its code sets (ATLAS.ti writes code groups there)."""
    require_lead(store, actor, "import a REFI-QDA codebook")
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InvalidInput(f"cannot read the file: {e.strerror or e}", path=str(path)) from None
    codes, sets, warnings = read_codebook_file(data, str(path))
    if not codes:
        raise InvalidInput("the codebook holds no codes", path=str(path))
    mapped = codebook_for(codes, codebook_id=codebook or "refi-" + slug(path.stem, "codebook"), title=path.stem)
    code_of = {g: (mapped.codebook.id, f, c) for g, (f, c) in mapped.codes.items()}
    plan = Plan(path.name, "REFI-QDA codebook", False, codebooks=[mapped.codebook], guids=code_rows(codes, code_of, {}))
    plan.sets, lost = plan_sets(m.Project(path.stem, codes=codes, sets=sets), code_of, {}, {}, set())
    with store.transaction():
        version = _add_codebook(store, mapped.codebook, str(path), actor)
        n_sets, kept = write_identity(store, plan, [], [], [], None, actor)
    return RefiImport(str(path), False, [version], [], 0, 0, 0, 0, [], [], warnings + lost + kept, n_sets)


def _add_codebook(store: Store, cb: Codebook, file: str, actor: str | None) -> tuple[str, int, bool]:
    existing = store.codebooks.latest(cb.id)
    if existing is not None and existing["kind"] != cb.kind:
        raise InvalidInput(f"codebook {cb.id!r} of the study is a {existing['kind']} codebook, not an {cb.kind} one;"
                           " import under another id (--codebook ID)", path=file)
    vid, new = store_codebook(store, cb, source=Path(file).name, actor=actor)
    return cb.id, vid, new


def _import(store: Store, pkg: Package, actor: str | None, codebook: str | None,
            default_coder: str | None) -> RefiImport:
    plan = build_plan(store, pkg, codebook_id=codebook, default_coder=default_coder or actor)
    if not plan.transcripts and not any(cb.fields for cb in plan.codebooks):
        raise InvalidInput("the project holds no text source and no code to import", path=pkg.name)
    if not plan.transcripts:
        plan.warnings.append("a codebook-only project (no text source): only its codes were imported")
    try:
        return _write(store, plan, actor)
    except InvalidInput:
        raise
    except StudyError as e:
        raise InvalidInput(f"nothing imported: {e}", path=pkg.name) from None


def _write(store: Store, plan: Plan, actor: str | None) -> RefiImport:
    repo = store.transcripts
    with store.transaction():
        for name in plan.new_coders:
            store.coders.add(name, "coder", actor=actor)
        for rid, label in plan.rounds:
            store.rounds.ensure(rid, label, actor=actor)
        versions = [_add_codebook(store, cb, plan.file, actor) for cb in plan.codebooks]
        imp = store.imports.start(kind="refi-qda", file=plan.file, source=plan.origin or "REFI-QDA", actor=actor)
        ids: list[tuple[int, list[int]]] = []
        for t in plan.transcripts:
            [tid] = store.units.add_many([{"kind": "transcript", "key": t.key, "title": t.title, "text": t.text,
                                           "seq": repo.next_transcript_seq(), "attrs": t.attrs}],
                                         import_id=imp, actor=actor)
            segs = store.units.add_many([{"kind": "segment", "key": s.key, "parent_id": tid, "seq": s.seq,
                                          "title": s.title, "text": s.text, "attrs": s.attrs} for s in t.segments],
                                        import_id=imp, actor=actor) if t.segments else []
            ids.append((tid, segs))
        span_ids = []
        for sp in plan.spans:
            text = plan.transcripts[sp.transcript].segments[sp.segment].text
            span_ids.append(repo.add_span(unit_id=ids[sp.transcript][1][sp.segment], coder=sp.coder, round=sp.round,
                                          codebook=sp.codebook, start=sp.start, end=sp.end,
                                          snippet=text[sp.start:sp.end], codes=sp.codes, note=sp.note, actor=actor))
        code_many(store, [CodingRow(ids[t][1][s], cb, f, coder, value, rnd)
                          for t, s, cb, f, coder, rnd, value in plan.annotations], actor=actor)
        memo_ids = []
        for mp in plan.memos:
            unit = None if mp.transcript is None else (
                ids[mp.transcript][0] if mp.segment is None else ids[mp.transcript][1][mp.segment])
            memo_ids.append(store.memos.add(text=mp.text, coder=mp.coder, target_kind=mp.kind, unit_id=unit,
                                            codebook=mp.codebook, code=mp.code,
                                            round=(store.rounds.active(mp.codebook) if mp.codebook else None)
                                            or (DEFAULT_ROUND if store.rounds.get(DEFAULT_ROUND) else None)))
        n_sets, kept = write_identity(store, plan, [t for t, _ in ids], span_ids, memo_ids, imp, actor)
        plan.warnings += kept
        n_segments = sum(len(t.segments) for t in plan.transcripts)
        store.imports.finish(imp, n_read=len(plan.transcripts), n_imported=len(plan.transcripts), actor=actor,
                             report={"lossless": plan.lossless, "segments": n_segments, "spans": len(plan.spans),
                                     "annotations": len(plan.annotations), "memos": len(plan.memos), "sets": n_sets,
                                     "new_coders": plan.new_coders, "warnings": plan.warnings})
    return RefiImport(plan.file, plan.lossless, versions, [t.key for t in plan.transcripts], n_segments,
                      len(plan.spans), len(plan.annotations), len(plan.memos), plan.new_coders, plan.coders,
                      plan.warnings, n_sets)
