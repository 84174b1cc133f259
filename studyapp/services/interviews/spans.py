"""Coding transcript segments: tags, quote spans, memos, and what a viewer may see of them.

A segment is the unit of coding and agreement. Tagging a segment with a code adds the code to the
coder's value for the code's field through `services.coding.code_many` (history, validation,
blindness). A quote span is a coder's highlight inside a segment: start/end offsets counting
characters of the segment's stored text (newlines are `\n`), the snippet, and the code(s) it
supports; adding one also tags the segment with those codes, in the same transaction. Deleting a
span leaves the segment's codes alone (the coder removes a tag explicitly). Coders see other
coders' tags, spans and memos only in rounds whose reconciliation a lead has opened.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from typing import Iterable, Sequence

from studyapp.domain import roles
from studyapp.domain.codebook import Codebook
from studyapp.domain.values import code_matcher, fold
from studyapp.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    StudyError,
    UnknownCode,
)
from studyapp.services.coding.codebooks import codebook_version
from studyapp.services.coding.coding import CodingRow, code_many, visible_annotations
from studyapp.store import Store
from studyapp.store.rounds import DEFAULT_ROUND

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac")


@dataclass(frozen=True)
class CodeChoice:
    """One code as the type-ahead picker offers it: `ref` is `field:code`, `label` the code's own label
    made unique in the codebook (`code_names`), `path` the full `Field › Parent › Code`."""
    ref: str
    field: str
    code: str
    label: str
    color: str
    definition: str
    path: str = ""


def code_color(cb: Codebook, field_id: str, code_id: str) -> str:
    """The code's colour, else its nearest ancestor's, else a stable colour from the palette."""
    field = cb.require_field(field_id)
    for cid in reversed(field.path(code_id)):
        c = field.code(cid)
        if c is not None and c.color:
            return c.color
    return PALETTE[zlib.crc32(f"{field_id}:{code_id}".encode()) % len(PALETTE)]


def _label_paths(cb: Codebook) -> dict[str, list[str]]:
    """`field:code` -> [field label, ancestor labels..., code label] for every code of every coded field."""
    return {f"{f.id}:{code.id}": [f.label] + [f.code(p).label for p in path]
            for f in cb.fields if f.is_coded for code, _, path in f.walk()}


def code_names(cb: Codebook) -> dict[str, tuple[str, str]]:
    """`field:code` -> (name, path). The name is the code's own label, or `Parent › Label` when another
    code of the codebook has the same label (widened up the path while still ambiguous: two fields'
    `License` read `Portability › License` and `Model selection factors › License`); the path is the
    full `Field › Parent › Code`, for tooltips."""
    paths = _label_paths(cb)
    out = {}
    for ref, p in paths.items():
        depth = 1
        while depth < len(p):
            tail = [x.casefold() for x in p[-depth:]]
            if not any([x.casefold() for x in q[-depth:]] == tail for r, q in paths.items() if r != ref):
                break
            depth += 1
        out[ref] = (" › ".join(p[-depth:]), " › ".join(p))
    return out


def code_choices(cb: Codebook) -> list[CodeChoice]:
    """Every code of every coded field, in codebook order, named as `code_names` says (the picker
    matches what it shows: the code's own label, with its parent only where labels repeat)."""
    names = code_names(cb)
    return [CodeChoice(ref, f.id, code.id, names[ref][0], code_color(cb, f.id, code.id), code.definition,
                       names[ref][1])
            for f in cb.fields if f.is_coded for code, _, _ in f.walk() for ref in [f"{f.id}:{code.id}"]]


def resolve_code(cb: Codebook, ref: str | tuple[str, str]) -> tuple[str, str]:
    """(field, code) from `field:code`, a (field, code) pair, or a code id/label found in one field only."""
    if isinstance(ref, (tuple, list)):
        field_id, raw = ref
    elif ":" in str(ref) and cb.field(str(ref).split(":", 1)[0].strip()):
        field_id, raw = (x.strip() for x in str(ref).split(":", 1))
    else:
        hits = [(f.id, code_matcher(f)[fold(ref)]) for f in cb.fields if f.is_coded and fold(ref) in code_matcher(f)]
        if not hits:
            raise UnknownCode(f"{ref!r} is not a code of codebook {cb.id!r}")
        if len(hits) > 1:
            raise UnknownCode(f"{ref!r} is a code of several fields ({', '.join(f for f, _ in hits)}): "
                              f"write it as field:code")
        return hits[0]
    field = cb.require_field(field_id)
    if not field.is_coded:
        raise UnknownCode(f"field {field_id!r} is a {field.type} field, not a field of codes")
    code = code_matcher(field).get(fold(raw))
    if code is None:
        raise UnknownCode(f"{raw!r} is not a code of field {field_id!r}")
    return field_id, code


def _segment(store: Store, segment_id: int) -> dict:
    unit = store.units.require(segment_id)
    if unit["kind"] != "segment":
        raise StudyError(f"unit {segment_id} is a {unit['kind']}, not a transcript segment")
    return unit


def own_codes(store: Store, segment_id: int, coder: str, codebook: str, round: str = DEFAULT_ROUND) -> dict:
    """field -> the coder's current value on the segment in the round (lists for multi fields)."""
    return {a["field"]: a["value"] for a in visible_annotations(store, segment_id, coder, codebook=codebook)
            if a["coder"] == coder and a["round"] == round}


def _tag_rows(store: Store, cb: Codebook, segment_id: int, coder: str, round: str,
              pairs: Iterable[tuple[str, str]], remove: bool = False) -> list[CodingRow]:
    current = own_codes(store, segment_id, coder, cb.id, round)
    wanted: dict[str, set] = {}
    for f, c in pairs:
        wanted.setdefault(f, set()).add(c)
    rows = []
    for f, codes in wanted.items():
        field = cb.require_field(f)
        now = current.get(f)
        if field.is_multi:
            have = set(now or [])
            new = have - codes if remove else have | codes
            if new != have:
                rows.append(CodingRow(segment_id, cb.id, f, coder, sorted(new) or None, round))
        elif remove:
            if now in codes:
                rows.append(CodingRow(segment_id, cb.id, f, coder, None, round))
        else:
            if len(codes) > 1:
                raise InvalidInput(f"field {f!r} takes one code; got {', '.join(sorted(codes))}")
            [code] = codes
            if now not in (None, code):
                raise InvalidInput(f"field {f!r} already holds {now!r} on this segment: change it there first")
            if now is None:
                rows.append(CodingRow(segment_id, cb.id, f, coder, code, round))
    return rows


def tag_segment(store: Store, segment_id: int, coder: str, codes: Sequence, *, codebook: str,
                round: str = DEFAULT_ROUND, remove: bool = False, actor: str | None = None) -> int:
    """Add (or with `remove`, take away) codes on the coder's value of a segment; returns changes."""
    _segment(store, segment_id)
    cb = codebook_version(store, codebook)[0]
    pairs = [resolve_code(cb, c) for c in codes]
    return code_many(store, _tag_rows(store, cb, segment_id, coder, round, pairs, remove), actor=actor or coder)


def add_span(store: Store, segment_id: int, coder: str, start: int, end: int, codes: Sequence, *, codebook: str,
             round: str = DEFAULT_ROUND, note: str | None = None, expected_text: str | None = None,
             actor: str | None = None) -> int:
    """Store a quote span and tag the segment with its codes; one transaction. `expected_text`
    (what the coder saw selected) must equal the stored text at those offsets when given."""
    seg = _segment(store, segment_id)
    text = seg["text"] or ""
    if not (isinstance(start, int) and isinstance(end, int)) or not 0 <= start < end <= len(text):
        raise InvalidInput(f"span {start}-{end} is outside segment {seg['key']} (0-{len(text)})")
    snippet = text[start:end]
    if expected_text is not None and expected_text.replace("\r\n", "\n") != snippet:
        raise InvalidInput(f"the selected text does not match segment {seg['key']} at {start}-{end}")
    if not snippet.strip():
        raise InvalidInput("a quote span cannot be only white space")
    if store.coders.get(coder) is None:
        raise NotFound(f"no coder named {coder!r}")
    if store.rounds.get(round) is None:
        raise NotFound(f"no round {round!r}")
    cb = codebook_version(store, codebook)[0]
    pairs = sorted({resolve_code(cb, c) for c in codes})
    if not pairs:
        raise InvalidInput("a quote span needs at least one code")
    with store.transaction():
        sid = store.transcripts.add_span(unit_id=segment_id, coder=coder, round=round, codebook=cb.id,
                                               start=start, end=end, snippet=snippet, codes=pairs, note=note,
                                               actor=actor or coder)
        code_many(store, _tag_rows(store, cb, segment_id, coder, round, pairs), actor=actor or coder)
    return sid


def _own_span(store: Store, span_id: int, actor: str) -> dict:
    span = store.transcripts.require_span(span_id)
    if span["coder"] != actor:
        raise PermissionDenied(f"span {span_id} belongs to {span['coder']!r}; only they can change it")
    return span


def delete_span(store: Store, span_id: int, *, actor: str) -> dict:
    _own_span(store, span_id, actor)
    return store.transcripts.delete_span(span_id, actor=actor)


def set_span_codes(store: Store, span_id: int, codes: Sequence, *, actor: str) -> None:
    span = _own_span(store, span_id, actor)
    cb = codebook_version(store, span["codebook"])[0]
    pairs = sorted({resolve_code(cb, c) for c in codes})
    if not pairs:
        raise InvalidInput("a quote span needs at least one code (delete the span instead)")
    with store.transaction():
        store.transcripts.set_span_codes(span_id, pairs, actor=actor)
        code_many(store, _tag_rows(store, cb, span["unit_id"], actor, span["round"], pairs), actor=actor)


def open_rounds(store: Store) -> set[str]:
    return {r["id"] for r in store.rounds.list() if r["reconciliation_open"]}


def visible_spans(store: Store, unit_ids: Sequence[int], viewer: str | None, *,
                  codebook: str | None = None) -> list[dict]:
    """Spans on the units that `viewer` may see: their own, others' only in open rounds."""
    if not viewer:
        return []
    opened = open_rounds(store)
    return [s for s in store.transcripts.spans(unit_ids=unit_ids, codebook=codebook)
            if s["coder"] == viewer or s["round"] in opened]


def memo_round(store: Store, codebook: str | None = None, round: str | None = None) -> str | None:
    """The round a new memo is written in: `round` if given, else the codebook's active round, else
    the active round of the study's first interview codebook, else `main`."""
    if round is not None:
        if store.rounds.get(round) is None:
            raise NotFound(f"no round {round!r}")
        return round
    from studyapp.services.study.browse import codebooks_for

    for cb in ([codebook] if codebook else [c.id for c in codebooks_for(store, "segment")]):
        active = store.rounds.active(cb)
        if active:
            return active
    return DEFAULT_ROUND if store.rounds.get(DEFAULT_ROUND) else None


def add_segment_memo(store: Store, segment_id: int, coder: str, text: str, *, codebook: str | None = None,
                     round: str | None = None) -> int:
    """A memo on a turn, written in `round` (default: the codebook's active round, see `memo_round`)."""
    _segment(store, segment_id)
    if not text.strip():
        raise InvalidInput("a memo needs some text")
    return store.memos.add(text=text.strip(), coder=coder, target_kind="unit", unit_id=segment_id,
                           codebook=codebook, round=memo_round(store, codebook, round))


def add_code_memo(store: Store, codebook: str, code_ref, coder: str, text: str, *, round: str | None = None) -> int:
    """A memo on a code (stored with code `field:code`, since a code id is unique only in its field)."""
    cb = codebook_version(store, codebook)[0]
    f, c = resolve_code(cb, code_ref)
    if not text.strip():
        raise InvalidInput("a memo needs some text")
    return store.memos.add(text=text.strip(), coder=coder, target_kind="code", codebook=cb.id, code=f"{f}:{c}",
                           round=memo_round(store, cb.id, round))


def visible_memos(store: Store, memos: list[dict], viewer: str | None) -> list[dict]:
    """The memos `viewer` may read, each by its own round and coder, never by what a page shows: a
    lead reads all; a coder their own, and another coder's once reconciliation of that memo's round
    is open (a memo with no round stays its author's). Memos can name codes, so they are blind."""
    if viewer and roles.Role.of(store, viewer).can_see_all_values:
        return memos
    opened = open_rounds(store)
    return [m for m in memos if (viewer is not None and m["coder"] == viewer)
            or (m.get("round") is not None and m["round"] in opened)]


def segment_memos(store: Store, segment_id: int, viewer: str | None) -> list[dict]:
    return visible_memos(store, store.memos.for_unit(segment_id), viewer)


def code_memos(store: Store, codebook: str, code_ref, viewer: str | None) -> list[dict]:
    cb = codebook_version(store, codebook)[0]
    f, c = resolve_code(cb, code_ref)
    return visible_memos(store, store.memos.for_code(cb.id, f"{f}:{c}"), viewer)


def _meta(seq: int, attrs: dict) -> str:
    where = (attrs.get("start") or "")[:8] or (f"line {attrs['line']}" if attrs.get("line") else "")
    return " · ".join(x for x in (f"#{seq}", where, attrs.get("participant") or "") if x)


def document_view(store: Store, transcript_id: int, viewer: str | None, codebook: str | None,
                  round: str = DEFAULT_ROUND) -> list[dict]:
    """The transcript's segments as the coding view draws them: speaker, position, text, and the
    chips (codes), quote spans and memo counts `viewer` may see in `round` (their own; everyone's
    once the round's reconciliation is open, then labelled with the coder)."""
    segments = store.units.list("segment", parent_id=transcript_id)
    ids = [s["id"] for s in segments]
    cb = codebook_version(store, codebook)[0] if codebook else None
    opened = store.rounds.is_open(round)
    chips: dict[int, list] = {}
    spans: dict[int, list] = {}
    if cb is not None and viewer:
        wanted = set(ids)
        multi = {f.id: f.is_multi for f in cb.fields if f.is_coded}
        names = code_names(cb)
        for uid, fid, coder, rnd, value in store.transcripts.segment_annotations(cb.id, ids, round):
            if uid not in wanted or fid not in multi or rnd != round or (coder != viewer and not opened):
                continue
            for code in (json.loads(value) if multi[fid] else [value]):
                label, path = names.get(f"{fid}:{code}", (code, f"{cb.require_field(fid).label} › {code}"))
                chips.setdefault(uid, []).append({
                    "label": label if coder == viewer else f"{coder}: {label}", "color": code_color(cb, fid, code),
                    "title": f"{path} ({coder})"})
        for sp in visible_spans(store, ids, viewer, codebook=cb.id):
            if sp["round"] != round:
                continue
            labels = [names.get(f"{f}:{c}", (c,))[0] for f, c in sp["codes"]]
            first = sp["codes"][0] if sp["codes"] else None
            spans.setdefault(sp["unit_id"], []).append({
                "id": sp["id"], "start": sp["start"], "end": sp["end"],
                "color": code_color(cb, *first) if first else "#e0b400",
                "label": f"{sp['coder']}: {', '.join(labels)}"})
    memos: dict[int, int] = {}
    for m in visible_memos(store, [m for m in store.memos.list() if m["unit_id"] in set(ids)], viewer):
        memos[m["unit_id"]] = memos.get(m["unit_id"], 0) + 1
    return [{"id": s["id"], "key": s["key"], "speaker": s["attrs"].get("speaker") or s["title"],
             "interviewer": bool(s["attrs"].get("interviewer")), "meta": _meta(s["seq"] or 0, s["attrs"]),
             "text": s["text"] or "", "memos": memos.get(s["id"], 0), "chips": chips.get(s["id"], []),
             "spans": spans.get(s["id"], [])} for s in segments]

