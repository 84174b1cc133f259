"""Qualitative analyses of coded interview segments: code frequencies (overall and per participant
attribute), code co-occurrence, quotes per code (with a Markdown export for writing), and the
participant x theme matrix of framework analysis.

Whose codes: `source="all"` is the union of every coder's values, `"final"` the adjudicated values,
any other value one coder's. With a `viewer` who is no lead, other coders' values count only in
rounds whose reconciliation is open (blind coding holds in analyses too; a segment says how many
values it hides, so a view can say "hidden", not "none"); a lead (`Role.can_see_all_values`) and
no viewer (CLI, lead's scripts) count every value. Codes may be rolled up the codebook tree with
`level` (1 = top level).
A segment's participant is its speaker's participant, else the transcript's, else the transcript
key (an interview with no participant record counts as one participant).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Sequence

import pandas as pd

from studyapp.domain.codebook import Codebook
from studyapp.domain.roles import Role
from studyapp.services.coding.codebooks import codebook_version
from studyapp.services.interviews.spans import code_color, open_rounds, visible_spans
from studyapp.store import Store

MISSING = "(missing)"


@dataclass(frozen=True)
class CodedSegment:
    id: int
    key: str
    seq: int
    transcript: str
    participant: str
    speaker: str | None
    time: str | None
    line: int | None
    codes: frozenset
    hidden: int = 0  # other coders' values on the segment that the viewer may not see yet


def sees_all(store: Store, viewer: str | None) -> bool:
    """Whether `viewer` reads every coder's values in analyses (no viewer, or a lead)."""
    return viewer is None or Role.of(store, viewer).can_see_all_values


def _codes(value: str, multi: bool) -> list[str]:
    return json.loads(value) if multi else [value]


def roll_up(cb: Codebook, field_id: str, code: str, level: int | None) -> str:
    if not level:
        return code
    return cb.require_field(field_id).at_level(code, level) or code


def code_label(cb: Codebook, field_id: str, code: str, *, with_field: bool = True) -> str:
    f = cb.field(field_id)
    c = f.code(code) if f else None
    name = c.label if c else code
    return f"{f.label if f else field_id} › {name}" if with_field else name


def coded_segments(store: Store, codebook: str, *, viewer: str | None = None, source: str = "all",
                   fields: Sequence[str] | None = None, level: int | None = None,
                   transcripts: Sequence[int] | None = None) -> list[CodedSegment]:
    """Every segment (coded or not) in reading order, with the set of (field, code) it carries."""
    cb = codebook_version(store, codebook)[0]
    repo = store.transcripts
    coded = {f.id: f for f in cb.fields if f.is_coded and (fields is None or f.id in fields)}
    found: dict[int, set] = {}
    hidden: dict[int, int] = {}
    blind = not sees_all(store, viewer)
    if source == "final":
        for uid, fid, value in repo.segment_finals(cb.id):
            if fid in coded:
                found.setdefault(uid, set()).update((fid, roll_up(cb, fid, c, level))
                                                    for c in _codes(value, coded[fid].is_multi))
    else:
        opened = open_rounds(store)
        for uid, fid, coder, rnd, value in repo.segment_annotations(cb.id):
            if fid not in coded or (source != "all" and coder != source):
                continue
            if blind and coder != viewer and rnd not in opened:
                hidden[uid] = hidden.get(uid, 0) + 1
                continue
            found.setdefault(uid, set()).update((fid, roll_up(cb, fid, c, level))
                                                for c in _codes(value, coded[fid].is_multi))
    out = []
    for s in repo.segment_index(transcripts):
        a, ta = s["attrs"], s["transcript_attrs"]
        out.append(CodedSegment(s["id"], s["key"], s["seq"] or 0, s["transcript_key"],
                                a.get("participant") or ta.get("participant") or s["transcript_key"],
                                a.get("speaker"), a.get("start"), a.get("line"), frozenset(found.get(s["id"], ())),
                                hidden.get(s["id"], 0)))
    return out


def interview_order(segments: Sequence[CodedSegment]) -> list[str]:
    """Participants in the order of their first transcript (the study's interview order)."""
    return list(dict.fromkeys(s.participant for s in segments))


def frequencies(store: Store, codebook: str, **kw) -> pd.DataFrame:
    """Per code: segments coded with it, participants and transcripts mentioning it, and the share
    of interviewed participants; most frequent first."""
    cb = codebook_version(store, codebook)[0]
    segs = coded_segments(store, codebook, **kw)
    people = interview_order(segs)
    rows: dict[tuple, dict] = {}
    for s in segs:
        for f, c in s.codes:
            r = rows.setdefault((f, c), {"field": f, "code": c, "label": code_label(cb, f, c, with_field=False),
                                         "segments": 0, "participants": set(), "transcripts": set()})
            r["segments"] += 1
            r["participants"].add(s.participant)
            r["transcripts"].add(s.transcript)
    table = [dict(r, participants=len(r["participants"]), transcripts=len(r["transcripts"]),
                  share=len(r["participants"]) / len(people) if people else None,
                  color=code_color(cb, r["field"], r["code"])) for r in rows.values()]
    cols = ["field", "code", "label", "segments", "participants", "transcripts", "share", "color"]
    return pd.DataFrame(table, columns=cols).sort_values(["participants", "segments", "field", "code"],
                                                        ascending=[False, False, True, True], ignore_index=True)


def participant_attributes(store: Store) -> list[str]:
    names: dict[str, None] = {}
    for attrs in store.transcripts.participants().values():
        names.update(dict.fromkeys(attrs))
    return [n for n in names if n.casefold() != "transcript"]


def frequencies_by_attribute(store: Store, codebook: str, attribute: str, *, split: str | None = None,
                             **kw) -> pd.DataFrame:
    """Per code and value of a participant attribute: participants mentioning the code out of the
    interviewed participants with that value (`share`). `split` (e.g. ",") reads multi-valued
    attributes such as "Computer Vision,NLP" as several values; a participant counts in each."""
    cb = codebook_version(store, codebook)[0]
    segs = coded_segments(store, codebook, **kw)
    attrs = store.transcripts.participants()

    def groups(pid: str) -> list[str]:
        raw = str((attrs.get(pid) or {}).get(attribute) or "").strip()
        if not raw:
            return [MISSING]
        return [x.strip() for x in raw.split(split) if x.strip()] if split else [raw]

    size: dict[str, set] = {}
    for pid in interview_order(segs):
        for g in groups(pid):
            size.setdefault(g, set()).add(pid)
    hits: dict[tuple, set] = {}
    segcount: dict[tuple, int] = {}
    for s in segs:
        for f, c in s.codes:
            for g in groups(s.participant):
                hits.setdefault((f, c, g), set()).add(s.participant)
                segcount[(f, c, g)] = segcount.get((f, c, g), 0) + 1
    rows = [{"field": f, "code": c, "label": code_label(cb, f, c, with_field=False), "group": g,
             "participants": len(p), "group_size": len(size[g]), "share": len(p) / len(size[g]),
             "segments": segcount[(f, c, g)]} for (f, c, g), p in hits.items()]
    cols = ["field", "code", "label", "group", "participants", "group_size", "share", "segments"]
    return pd.DataFrame(rows, columns=cols).sort_values(["field", "code", "group"], ignore_index=True)


def cooccurrence(store: Store, codebook: str, *, by: str = "segment", min_count: int = 1, **kw) -> pd.DataFrame:
    """Long table of code pairs (a, b) with how many segments (or participants, `by="participant"`)
    carry both, and the c-coefficient n_ab / (n_a + n_b - n_ab) (0 to 1, as ATLAS.ti reports it).
    The diagonal (a = b) holds each code's own count. Codes seen fewer than `min_count` times drop."""
    cb = codebook_version(store, codebook)[0]
    segs = coded_segments(store, codebook, **kw)
    units: dict[str, set] = {}
    for s in segs:
        if s.codes:
            units.setdefault(s.participant if by == "participant" else s.key, set()).update(s.codes)
    counts: dict[tuple, int] = {}
    for codes in units.values():
        ordered = sorted(codes)
        for i, a in enumerate(ordered):
            for b in ordered[i:]:
                counts[(a, b)] = counts.get((a, b), 0) + 1
    own = {a: n for (a, b), n in counts.items() if a == b and n >= min_count}
    rows = []
    for (a, b), n in counts.items():
        if a not in own or b not in own:
            continue
        c = n / (own[a] + own[b] - n) if a != b else 1.0
        for x, y in ((a, b), (b, a)) if a != b else ((a, b),):
            rows.append({"a": code_label(cb, *x), "b": code_label(cb, *y), "a_field": x[0], "a_code": x[1],
                         "b_field": y[0], "b_code": y[1], "count": n, "c": c})
    cols = ["a", "b", "a_field", "a_code", "b_field", "b_code", "count", "c"]
    return pd.DataFrame(rows, columns=cols).sort_values(["a", "b"], ignore_index=True)


def quotes(store: Store, codebook: str, *, viewer: str | None = None, source: str = "all",
           codes: Sequence[tuple[str, str]] | None = None, whole_segments: bool = False,
           level: int | None = None) -> list[dict]:
    """Quote spans per code with participant and position, in code then interview order. With
    `whole_segments`, a coded segment with no span for that code is quoted whole (marked so)."""
    cb = codebook_version(store, codebook)[0]
    segs = {s.id: s for s in coded_segments(store, codebook, viewer=viewer, source=source, level=level)}
    order = {sid: i for i, sid in enumerate(segs)}
    repo = store.transcripts
    if not sees_all(store, viewer):
        spans = visible_spans(store, list(segs), viewer, codebook=cb.id)
    else:
        spans = repo.spans(codebook=cb.id)
    if source not in ("all", "final"):
        spans = [s for s in spans if s["coder"] == source]
    wanted = {tuple(c) for c in codes} if codes else None
    out, quoted = [], set()
    for sp in spans:
        seg = segs.get(sp["unit_id"])
        if seg is None:
            continue
        for f, c in {(f, roll_up(cb, f, c, level)) for f, c in sp["codes"]}:
            if (wanted and (f, c) not in wanted) or (source == "final" and (f, c) not in seg.codes):
                continue
            quoted.add((sp["unit_id"], f, c))
            out.append(_quote(cb, seg, f, c, sp["snippet"], sp["coder"], sp["start"], sp["end"], order))
    if whole_segments:
        texts = repo.texts([s.id for s in segs.values() if s.codes])
        for seg in segs.values():
            for f, c in seg.codes:
                if (seg.id, f, c) not in quoted and not (wanted and (f, c) not in wanted):
                    out.append(_quote(cb, seg, f, c, texts.get(seg.id, ""), None, None, None, order))
    return sorted(out, key=lambda q: (q["field_order"], q["label"], q["order"], q["start"] or 0))


def _quote(cb: Codebook, seg: CodedSegment, f: str, c: str, text: str, coder, start, end, order) -> dict:
    fields = [x.id for x in cb.fields]
    return {"field": f, "code": c, "label": code_label(cb, f, c), "text": text, "participant": seg.participant,
            "transcript": seg.transcript, "segment": seg.key, "turn": seg.seq, "speaker": seg.speaker,
            "time": seg.time, "line": seg.line, "coder": coder, "start": start, "end": end,
            "whole_segment": start is None, "order": order[seg.id],
            "field_order": fields.index(f) if f in fields else len(fields)}


def _md_escape_line(line: str) -> str:
    return re.sub(r"^(\s*)([#>*+\-]|\d+\.)", r"\1\\\2", line)


def _grouped(items: list[dict]) -> list[tuple[dict, list[str]]]:
    """Identical quotes (the same text of the same turn, marked by several coders) once, with the
    coders who marked it, in first-seen order."""
    out: dict[tuple, tuple[dict, list[str]]] = {}
    for q in items:
        first, coders = out.setdefault((q["segment"], q["text"], q["whole_segment"]), (q, []))
        if q["coder"] and q["coder"] not in coders:
            coders.append(q["coder"])
    return list(out.values())


def quotes_markdown(store: Store, codebook: str, **kw) -> str:
    """Quotes grouped by code as Markdown, ready to paste into a paper draft. Each quote says whose
    it is (the coders who marked it); one passage marked by several coders is quoted once."""
    cb = codebook_version(store, codebook)[0]
    qs = quotes(store, codebook, **kw)
    lines = [f"# Quotes: {cb.title}", ""]
    if not qs:
        return "\n".join(lines + ["_No quotes yet._", ""])
    groups: dict[str, list[dict]] = {}
    for q in qs:
        groups.setdefault(q["label"], []).append(q)
    for label, items in groups.items():
        people = len({q["participant"] for q in items})
        shown = _grouped(items)
        lines += [f"## {label}", "", f"{len(shown)} quote{'s' if len(shown) != 1 else ''}, "
                                     f"{people} participant{'s' if people != 1 else ''}", ""]
        for q, coders in shown:
            body = [_md_escape_line(x) for x in q["text"].split("\n")]
            lines += [f"> {x}" if x else ">" for x in body]
            where = [q["participant"], f"{q['transcript']} turn {q['turn']}"]
            if q["time"]:
                where.append(q["time"][:8])
            elif q["line"]:
                where.append(f"line {q['line']}")
            if q["whole_segment"]:
                where.append("whole turn")
            if coders:
                where.append(f"marked by {' and '.join(coders) if len(coders) < 3 else ', '.join(coders)}")
            lines += [">", f"> — {', '.join(where)}", ""]
    return "\n".join(lines)


def framework_matrix(store: Store, codebook: str, *, fields: Sequence[str] | None = None, level: int | None = 1,
                     viewer: str | None = None, source: str = "all", snippets: int = 2) -> dict:
    """Participant x theme matrix (framework analysis): themes are the codes of `fields` rolled up
    to `level`; `counts` holds coded segments per cell, `summary` up to `snippets` quotes per cell."""
    cb = codebook_version(store, codebook)[0]
    segs = coded_segments(store, codebook, viewer=viewer, source=source, fields=fields, level=level)
    people = interview_order(segs)
    themes = []
    for f in cb.fields:
        if f.is_coded and (fields is None or f.id in fields):
            seen = dict.fromkeys(roll_up(cb, f.id, c.id, level) for c in f.all_codes())
            themes += [(f.id, c) for c in seen]
    labels = [code_label(cb, f, c) for f, c in themes]
    counts = pd.DataFrame(0, index=pd.Index(people, name="participant"), columns=labels)
    cells: dict[tuple, list[str]] = {}
    for s in segs:
        for f, c in s.codes:
            if (f, c) in themes:
                counts.loc[s.participant, code_label(cb, f, c)] += 1
    for q in quotes(store, codebook, viewer=viewer, source=source, level=level, whole_segments=True):
        key = (q["participant"], q["label"])
        if key[1] in labels and len(cells.setdefault(key, [])) < snippets:
            t = " ".join(q["text"].split())
            cells[key].append(f"“{t[:140]}{'…' if len(t) > 140 else ''}”")
    summary = pd.DataFrame("", index=counts.index, columns=labels)
    for (p, label), items in cells.items():
        if p in summary.index:
            summary.loc[p, label] = " ".join(items)
    keep = [lab for lab in labels if counts[lab].sum() > 0]
    return {"counts": counts[keep], "summary": summary[keep], "themes": labels}
