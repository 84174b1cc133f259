"""Code and retrieve: every quote coded with a code (or a code group), with its context turn, coder,
participant and a link back into the transcript; filtered by a participant attribute; exported as
CSV, Markdown or DOCX.

The QDA habit (ATLAS.ti's Quotation Manager, MAXQDA's Retrieved Segments, Taguette's highlights per
tag): pick codes, read what was quoted. A parent code retrieves its children's quotes too. Code
groups are the study's REFI `Set`s that hold codes (`store.sets.code_groups`); a group member that
is a whole field stands for every code of it. `source`: every coder's quotes ("all"), one coder's,
or the lead's final spans ("final", `services.interviews.stripes`).

Blindness: a coder who is not a lead sees their own quotes, and others' only in rounds whose
reconciliation is open (`spans.visible_spans`); the folder's holder (`viewer=None`) sees all.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field
from typing import Sequence
from urllib.parse import quote as url_quote

import pandas as pd

from studyapp.domain import roles
from studyapp.errors import NotFound
from studyapp.render import tables
from studyapp.render.tables import to_csv as table_csv
from studyapp.services.coding.codebooks import codebook_version, list_codebooks
from studyapp.services.interviews.spans import code_choices, resolve_code, visible_spans
from studyapp.store import Store

COLUMNS = ["code", "quote", "participant", "transcript", "turn", "segment", "speaker", "coder", "round", "start",
           "end", "context", "link"]


@dataclass(frozen=True)
class Quote:
    field: str
    code: str
    label: str
    text: str
    context: str
    participant: str
    attrs: dict
    transcript: str
    segment: str
    turn: int
    speaker: str
    coder: str
    round: str
    start: int
    end: int
    link: str
    span_id: int | None = None
    final_id: int | None = None


@dataclass(frozen=True)
class RetrieveView:
    codebooks: list[str]
    codebook: str | None = None
    code_options: dict = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)
    groups: dict = field(default_factory=dict)
    group: int | None = None
    attributes: list[str] = field(default_factory=list)
    attribute: str | None = None
    values: list[str] = field(default_factory=list)
    value: str | None = None
    sources: list[str] = field(default_factory=list)
    source: str = "all"
    quotes: list[Quote] = field(default_factory=list)
    note: str | None = None


def _wanted(store: Store, cb, codes: Sequence | None, group: int | str | None) -> set[tuple[str, str]] | None:
    """(field, code) pairs to retrieve, children included; None = every code."""
    picked: set[tuple[str, str]] = set()
    any_filter = False
    if codes:
        any_filter = True
        picked |= {resolve_code(cb, c) for c in codes}
    if group not in (None, ""):
        any_filter = True
        groups = {g["id"]: g for g in store.sets.code_groups(cb.id)}
        g = groups.get(group) if isinstance(group, int) else next(
            (x for x in groups.values() if x["name"] == group or str(x["id"]) == str(group)), None)
        if g is None:
            raise NotFound(f"no code group {group!r} with codes of codebook {cb.id!r}")
        for _, fid, code in g["codes"]:
            f = cb.field(fid)
            if f is not None:
                picked |= {(fid, c.id) for c in f.all_codes()} if code is None else {(fid, code)}
    if not any_filter:
        return None
    out = set()
    for f in cb.fields:
        if f.is_coded:
            out |= {(f.id, c.id) for c in f.all_codes() if any((f.id, p) in picked for p in f.path(c.id))}
    return out


def retrieve(store: Store, codebook: str, *, viewer: str | None = None, codes: Sequence | None = None,
             group: int | str | None = None, attribute: str | None = None, value: str | None = None,
             source: str = "all", round: str | None = None) -> list[Quote]:
    """Every quote with the chosen codes (or in the code group; both: either), optionally only of
    participants whose `attribute` is `value`, in interview order."""
    cb = codebook_version(store, codebook)[0]
    wanted = _wanted(store, cb, codes, group)
    index = store.transcripts.segment_index()
    segs = {s["id"]: s for s in index}
    people = store.transcripts.participants()
    if source == "final":
        rows = [dict(f, coder=f"final ({f['adjudicator']})", final_id=f["id"], span_id=None)
                for f in store.transcripts.final_spans(codebook=cb.id)
                if viewer is None or roles.sees_all(store, viewer) or store.rounds.is_open(f["round"])]
    elif viewer is None or roles.sees_all(store, viewer):
        rows = store.transcripts.spans(codebook=cb.id)
    else:
        rows = visible_spans(store, list(segs), viewer, codebook=cb.id)
    if source not in ("all", "final"):
        rows = [r for r in rows if r["coder"] == source]
    if round:
        rows = [r for r in rows if r["round"] == round]
    texts = store.transcripts.texts(sorted({r["unit_id"] for r in rows if r["unit_id"] in segs}))
    labels = {c.ref: c.path or c.label for c in code_choices(cb)}
    order = {sid: i for i, sid in enumerate(segs)}
    out = []
    for r in sorted((r for r in rows if r["unit_id"] in segs), key=lambda r: (order[r["unit_id"]], r["start"])):
        s = segs[r["unit_id"]]
        pid = s["attrs"].get("participant") or s["transcript_attrs"].get("participant") or ""
        attrs = people.get(pid, {})
        if attribute and str(attrs.get(attribute, "")) != str(value or ""):
            continue
        for fid, code in r["codes"]:
            if wanted is not None and (fid, code) not in wanted:
                continue
            out.append(Quote(fid, code, labels.get(f"{fid}:{code}", f"{fid}:{code}"), r["snippet"],
                             texts.get(r["unit_id"], ""), pid, attrs, s["transcript_key"], s["key"], s["seq"] or 0,
                             s["attrs"].get("speaker") or s["title"] or "", r["coder"], r["round"], r["start"],
                             r["end"], f"interviews?t={url_quote(s['transcript_key'])}&s={url_quote(s['key'])}",
                             r.get("span_id", r.get("id")) if source != "final" else None, r.get("final_id")))
    return out


def retrieve_view(store: Store, viewer: str | None, *, codebook: str | None = None, codes: Sequence | None = None,
                  group: int | None = None, attribute: str | None = None, value: str | None = None,
                  source: str | None = None) -> RetrieveView:
    """The Retrieve view: its options, resolved as the widgets will, and the quotes they select."""
    books = [cb.id for cb in list_codebooks(store) if cb.kind in ("interview", "any")]
    if not books:
        return RetrieveView(books)
    cb_id = codebook if codebook in books else books[0]
    cb = codebook_version(store, cb_id)[0]
    options = {c.ref: c.label for c in code_choices(cb)}
    chosen = [c for c in (codes or []) if c in options]
    groups = {g["id"]: g["name"] for g in store.sets.code_groups(cb_id)}
    grp = group if group in groups else None
    people = store.transcripts.participants()
    attributes = sorted({k for a in people.values() for k in a})
    attr = attribute if attribute in attributes else None
    values = sorted({str(a[attr]) for a in people.values() if attr and attr in a}) if attr else []
    val = value if value in values else (values[0] if values else None)
    sees = viewer is None or roles.sees_all(store, viewer)
    sources = ["all", "final"] + (sorted(store.coders.names()) if sees else [viewer])
    src = source if source in sources else "all"
    base = dict(codebooks=books, codebook=cb_id, code_options=options, codes=chosen, groups=groups, group=grp,
                attributes=attributes, attribute=attr, values=values, value=val, sources=sources, source=src)
    if not chosen and grp is None:
        return RetrieveView(**base, note="Pick one or more codes, or a code group.")
    quotes = retrieve(store, cb_id, viewer=viewer, codes=chosen, group=grp, attribute=attr, value=val, source=src)
    note = None if sees else "Your own quotes, and other coders' in rounds whose reconciliation a lead has opened."
    return RetrieveView(**base, quotes=quotes, note=note)


# -- exports --------------------------------------------------------------------------------------

def frame(quotes: Sequence[Quote]) -> pd.DataFrame:
    rows = [{"code": q.label, "quote": q.text, "participant": q.participant, "transcript": q.transcript,
             "turn": q.turn, "segment": q.segment, "speaker": q.speaker, "coder": q.coder, "round": q.round,
             "start": q.start, "end": q.end, "context": q.context, "link": q.link} for q in quotes]
    return pd.DataFrame(rows, columns=COLUMNS)


def csv_text(quotes: Sequence[Quote]) -> str:
    return table_csv(frame(quotes))


def to_json(quotes: Sequence[Quote]) -> list[dict]:
    return [asdict(q) for q in quotes]


def _where(q: Quote) -> str:
    return " · ".join(x for x in (q.participant, f"{q.transcript} turn {q.turn}", q.speaker, q.coder) if x)


def to_markdown(quotes: Sequence[Quote], title: str = "Retrieved quotes") -> str:
    lines = [f"# {tables.md_escape(title)}", ""]
    for label in dict.fromkeys(q.label for q in quotes):
        lines += [f"## {tables.md_escape(label)}", ""]
        for q in (x for x in quotes if x.label == label):
            lines += ["> " + "\n> ".join(tables.md_escape(x) for x in q.text.splitlines() or [""]),
                      "", f"*{tables.md_escape(_where(q))}* ([{q.segment}]({q.link}))", ""]
            if q.context != q.text:
                lines += ["Context: " + tables.md_escape(" ".join(q.context.split())), ""]
    return "\n".join(lines) + ("\n" if quotes else "No quotes.\n")


def to_docx(quotes: Sequence[Quote], title: str = "Retrieved quotes") -> bytes:
    """A Word document: a heading per code, each quote with where it comes from and its turn."""
    import docx

    d = docx.Document()
    d.add_heading(title, level=1)
    for label in dict.fromkeys(q.label for q in quotes):
        d.add_heading(label, level=2)
        for q in (x for x in quotes if x.label == label):
            d.add_paragraph(q.text, style="Intense Quote")
            meta = d.add_paragraph()
            meta.add_run(f"{_where(q)} ({q.segment}, characters {q.start}-{q.end})").italic = True
            if q.context != q.text:
                d.add_paragraph("Context: " + " ".join(q.context.split()))
    if not quotes:
        d.add_paragraph("No quotes.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
