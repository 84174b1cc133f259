"""Where coders differ on quote spans: a transcript with a coding stripe per coder, and the lead's
final spans (MAXQDA's and ATLAS.ti's margin view, with adjudication).

`stripes_view` is the read-model of the Interviews page's Stripes view and of `studyapp interviews
stripes`: each turn's text in pieces (cut at every span boundary, each piece saying which coders
quoted it and whether they differ there), each coder's spans in their stripe, and the *clusters*:
stretches where spans of the chosen coders overlap, each agreed (every coder who took part quoted
exactly the same spans with the same codes) or a disagreement to adjudicate, with why. A coder
takes part in a transcript where they marked a span of the codebook in the round (as for unitizing
alpha, `services.agreement.spans`).

Blindness: the stripes show other coders' spans, so a coder who is not a lead sees them only once a
lead opens reconciliation of the round. `adjudicate_span` (a lead, an open round, a rationale) records
a final span: keep one coder's span, merge several (their union and codes), or draw one (start, end,
codes); a final span replaces the earlier finals it overlaps in that turn. Finals live apart from
coders' spans (`store.transcripts.add_final_span`), every change in the history, and go to the
REFI-QDA export as the adjudicated coding (`interop.refi_export`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from studyapp.domain import roles
from studyapp.errors import InvalidInput, NotFound, PermissionDenied, StudyError
from studyapp.services.coding.codebooks import codebook_version, list_codebooks
from studyapp.services.coding.coding import open_reconciliation
from studyapp.services.interviews.spans import PALETTE, code_choices, resolve_code
from studyapp.store import Store

HIDDEN = ("Each coder's spans are shown to leads, and to every coder once a lead opens reconciliation of "
          "this round: before that a coder sees only their own quotes (Code view).")


@dataclass(frozen=True)
class StripeSpan:
    id: int
    coder: str
    start: int
    end: int
    codes: tuple[tuple[str, str], ...]
    label: str
    snippet: str


@dataclass(frozen=True)
class Cluster:
    """Overlapping spans of the chosen coders in one turn: [start, end) is their union."""

    segment_id: int
    segment_key: str
    start: int
    end: int
    spans: tuple[StripeSpan, ...]
    agreed: bool
    why: str
    finals: tuple[dict, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.segment_id}:{self.start}-{self.end}"


@dataclass(frozen=True)
class StripeTurn:
    id: int
    key: str
    speaker: str
    text: str
    pieces: tuple[dict, ...]
    stripes: dict
    finals: tuple[dict, ...]


@dataclass(frozen=True)
class StripesView:
    transcripts: dict[int, str]
    transcript_id: int | None = None
    codebooks: list[str] = field(default_factory=list)
    codebook: str | None = None
    rounds: list[str] = field(default_factory=list)
    round: str | None = None
    coder_options: list[str] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    visible: bool = False
    reason: str | None = None
    can_adjudicate: bool = False
    round_open: bool = False
    colors: dict = field(default_factory=dict)
    turns: list[StripeTurn] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    code_options: dict = field(default_factory=dict)
    can_open: bool = False

    @property
    def disagreements(self) -> list[Cluster]:
        return [c for c in self.clusters if not c.agreed]


def _pick(value, options: list, default=None):
    return value if value in options else (default if default in options else (options[0] if options else None))


def stripes_view(store: Store, viewer: str | None, *, transcript: int | str | None = None,
                 codebook: str | None = None, round: str | None = None,
                 coders: Sequence[str] | None = None) -> StripesView:
    """The transcript (id or key; default: the first with quote spans) with a stripe per chosen
    coder (default: every coder with spans there in the round). Selections fall back as widgets do."""
    all_t = store.units.list("transcript", with_text=False)
    names = {t["id"]: t["title"] or t["key"] for t in all_t}
    if isinstance(transcript, str):
        transcript = next((t["id"] for t in all_t if t["key"] == transcript), transcript)
    segs_all = store.transcripts.segment_index()
    parent = {s["id"]: s["transcript_id"] for s in segs_all}
    books = [cb.id for cb in list_codebooks(store) if cb.kind in ("interview", "any")]
    spans_all = [s for s in store.transcripts.spans() if s["codebook"] in books]
    with_spans = [t for t in names if any(parent.get(s["unit_id"]) == t for s in spans_all)]
    tid = _pick(transcript, list(names), with_spans[0] if with_spans else None)
    if tid is None:
        return StripesView(names)
    here = [s for s in spans_all if parent.get(s["unit_id"]) == tid]
    cb_options = [b for b in books if any(s["codebook"] == b for s in here)] or books
    cb = _pick(codebook, cb_options)
    round_options = [r["id"] for r in store.rounds.list() if any(s["round"] == r["id"] and s["codebook"] == cb
                                                                  for s in here)]
    opened = [r for r in round_options if store.rounds.is_open(r)]
    rnd = _pick(round, round_options, opened[-1] if opened else (round_options[-1] if round_options else None))
    base = dict(transcripts=names, transcript_id=tid, codebooks=cb_options, codebook=cb, rounds=round_options,
                round=rnd)
    if cb is None or rnd is None:
        return StripesView(**base)
    mine = [s for s in here if s["codebook"] == cb and s["round"] == rnd]
    options = sorted({s["coder"] for s in mine})
    chosen = options if coders is None else [c for c in coders if c in options]
    is_open = store.rounds.is_open(rnd)
    visible = roles.sees_all(store, viewer) or is_open
    can_adj = roles.Role.of(store, viewer).can_adjudicate and is_open
    colors = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(options)}
    base |= dict(coder_options=options, coders=chosen, round_open=is_open, can_adjudicate=can_adj, colors=colors,
                 can_open=roles.Role.of(store, viewer).can_open_reconciliation and not is_open)
    if not visible:
        return StripesView(**base, reason=HIDDEN)
    book = codebook_version(store, cb)[0]
    segs = store.units.list("segment", parent_id=tid)
    finals = store.transcripts.final_spans(unit_ids=[s["id"] for s in segs], codebook=cb, round=rnd)
    turns, clusters = [], []
    for s in segs:
        text = s["text"] or ""
        spans = [_stripe(book, x) for x in mine if x["unit_id"] == s["id"] and x["coder"] in chosen]
        own_finals = tuple(dict(f, label=_labels(book, f["codes"])) for f in finals if f["unit_id"] == s["id"])
        cl = _clusters(s, spans, chosen, own_finals)
        clusters += cl
        turns.append(StripeTurn(s["id"], s["key"], s["attrs"].get("speaker") or s["title"] or "", text,
                                _pieces(text, spans, chosen, own_finals),
                                {c: [x for x in spans if x.coder == c] for c in chosen}, own_finals))
    options_ = {c.ref: c.label for c in code_choices(book)}
    return StripesView(**base, visible=True, turns=turns, clusters=clusters, code_options=options_)


def _labels(book, codes) -> str:
    return ", ".join(_short(book, f, c) for f, c in codes)


def _short(book, field_id: str, code: str) -> str:
    f = book.field(field_id)
    c = f.code(code) if f else None
    return c.label if c else code


def _stripe(book, s: dict) -> StripeSpan:
    codes = tuple(tuple(c) for c in s["codes"])
    return StripeSpan(s["id"], s["coder"], s["start"], s["end"], codes, _labels(book, codes), s["snippet"])


def _clusters(seg: dict, spans: list[StripeSpan], coders: list[str], finals: tuple) -> list[Cluster]:
    out, group, reach = [], [], -1
    for sp in sorted(spans, key=lambda x: (x.start, x.end)):
        if group and sp.start >= reach:
            out.append(group)
            group = []
        reach = max(reach, sp.end) if group else sp.end
        group.append(sp)
    if group:
        out.append(group)
    result = []
    for g in out:
        start, end = min(x.start for x in g), max(x.end for x in g)
        agreed, why = _agreement(g, coders)
        here = tuple(f for f in finals if f["start"] < end and f["end"] > start)
        result.append(Cluster(seg["id"], seg["key"], start, end, tuple(g), agreed, why, here))
    return result


def _agreement(group: list[StripeSpan], coders: list[str]) -> tuple[bool, str]:
    marks = {c: sorted((x.start, x.end, x.codes) for x in group if x.coder == c) for c in coders}
    missing = [c for c, m in marks.items() if not m]
    if missing:
        who = sorted(c for c, m in marks.items() if m)
        return False, f"only {', '.join(who)} quoted this; {', '.join(missing)} did not"
    first = next(iter(marks.values()))
    if all(m == first for m in marks.values()):
        return True, "every coder quoted exactly this, with the same codes"
    extents = {c: [(s, e) for s, e, _ in m] for c, m in marks.items()}
    if all(e == next(iter(extents.values())) for e in extents.values()):
        return False, "same extent, different codes"
    covered = {c: set().union(*(range(s, e) for s, e in ex)) for c, ex in extents.items()}
    both = set.intersection(*covered.values())
    differ = len(set.union(*covered.values()) - both)
    codes_same = len({tuple(sorted({k for _, _, ks in m for k in ks})) for m in marks.values()}) == 1
    return False, f"boundaries differ by {differ} character(s)" + ("" if codes_same else "; codes differ too")


def _pieces(text: str, spans: list[StripeSpan], coders: list[str], finals: tuple) -> tuple[dict, ...]:
    """The turn's text cut at every boundary: who quoted each piece (and with which codes), whether
    the coders differ there, and whether a final span covers it."""
    cuts = sorted({0, len(text)} | {x.start for x in spans} | {x.end for x in spans}
                  | {f["start"] for f in finals} | {f["end"] for f in finals})
    takers = sorted({x.coder for x in spans})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        if b <= a:
            continue
        by = {c: tuple(sorted({k for x in spans if x.coder == c and x.start <= a and x.end >= b for k in x.codes}))
              for c in takers}
        quoted = [c for c, k in by.items() if k]
        differ = bool(quoted) and len({by[c] for c in takers}) > 1
        final = any(f["start"] <= a and f["end"] >= b for f in finals)
        out.append({"start": a, "end": b, "text": text[a:b], "coders": quoted, "differ": differ, "final": final})
    return tuple(out)


def adjudicate_span(store: Store, segment_id: int, *, codebook: str, round: str, actor: str, rationale: str,
                    keep: int | None = None, merge: Sequence[int] | None = None, start: int | None = None,
                    end: int | None = None, codes: Sequence | None = None) -> int:
    """Record the final span of a stretch: `keep` one coder's span (its extent and codes), `merge`
    two or more (their union; their codes unless `codes` are given), or draw one (`start`, `end`,
    `codes`). A lead, an open round, a rationale. Earlier finals it overlaps in the turn are replaced."""
    roles.require_lead(store, actor, "adjudicate quote spans")
    if store.rounds.get(round) is None:
        raise NotFound(f"no round {round!r}")
    if not store.rounds.is_open(round):
        raise PermissionDenied(f"reconciliation of round {round!r} is not open")
    if not (rationale or "").strip():
        raise InvalidInput("a final span needs a rationale (why this extent and these codes)")
    modes = [keep is not None, bool(merge), start is not None or end is not None]
    if sum(modes) != 1:
        raise InvalidInput("give one of: a span to keep, two or more spans to merge, or start and end to draw")
    seg = store.units.require(segment_id)
    if seg["kind"] != "segment":
        raise StudyError(f"unit {segment_id} is a {seg['kind']}, not a transcript segment")
    book = codebook_version(store, codebook)[0]
    text = seg["text"] or ""
    chosen = [keep] if keep is not None else list(merge or [])
    sources = store.transcripts.spans(span_ids=chosen) if chosen else []
    if len(sources) != len(set(chosen)):
        raise NotFound(f"no span {sorted(set(chosen) - {s['id'] for s in sources})[0]}")
    for s in sources:
        if (s["unit_id"], s["codebook"], s["round"]) != (segment_id, book.id, round):
            raise InvalidInput(f"span {s['id']} is not in segment {seg['key']}, codebook {book.id}, round {round}")
    if merge is not None and len(set(chosen)) < 2:
        raise InvalidInput("merging needs two or more spans")
    if keep is not None:
        decision, (s0,) = "keep", sources
        lo, hi, pairs = s0["start"], s0["end"], [tuple(c) for c in s0["codes"]]
    elif merge:
        decision = "merge"
        lo, hi = min(s["start"] for s in sources), max(s["end"] for s in sources)
        pairs = [tuple(c) for s in sources for c in s["codes"]]
    else:
        decision, lo, hi, pairs = "draw", start, end, []
        if lo is None or hi is None:
            raise InvalidInput("drawing a final span needs both start and end")
    if codes:
        pairs = [resolve_code(book, c) for c in codes]
    if not (isinstance(lo, int) and isinstance(hi, int)) or not 0 <= lo < hi <= len(text):
        raise InvalidInput(f"span {lo}-{hi} is outside segment {seg['key']} (0-{len(text)})")
    if not text[lo:hi].strip():
        raise InvalidInput("a final span cannot be only white space")
    if not pairs:
        raise InvalidInput("a final span needs at least one code")
    with store.transaction():
        for old in store.transcripts.final_spans(unit_ids=[segment_id], codebook=book.id, round=round):
            if old["start"] < hi and old["end"] > lo:
                store.transcripts.delete_final_span(old["id"], actor=actor, note="replaced by a new final span")
        return store.transcripts.add_final_span(
            unit_id=segment_id, codebook=book.id, round=round, start=lo, end=hi, snippet=text[lo:hi],
            codes=sorted(set(pairs)), decision=decision, source_spans=sorted(set(chosen)),
            rationale=rationale.strip(), adjudicator=actor)


def open_round(store: Store, round_id: str, *, actor: str | None) -> None:
    """Open reconciliation of a round from the Stripes view (a lead; `coding.open_reconciliation`)."""
    open_reconciliation(store, round_id, actor=actor)


def undo_final_span(store: Store, final_id: int, *, actor: str) -> dict:
    """Take a final span back (a lead, round open); the history keeps both."""
    roles.require_lead(store, actor, "adjudicate quote spans")
    [f] = store.transcripts.final_spans(ids=[final_id]) or [None]
    if f is None:
        raise NotFound(f"no final span {final_id}")
    if not store.rounds.is_open(f["round"]):
        raise PermissionDenied(f"reconciliation of round {f['round']!r} is not open")
    return store.transcripts.delete_final_span(final_id, actor=actor)
