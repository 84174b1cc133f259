"""Read-models of the Interviews page's views: Code (the transcript as a document beside the panel
that codes one turn), Analyse (the frame every analysis shares), Import and REFI-QDA.

Blind by construction: a coder's `CodingView` carries their own chips, spans, codes and memos, and
other coders' only in a round whose reconciliation a lead has opened (`spans.document_view`,
`spans.own_codes`, `spans.segment_memos`). Selections are passed in as the page's widgets hold them
and resolved here as the widgets will: a value that is no longer an option falls back to the
default (the first transcript, codebook, turn and code; the newest round).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from studyapp.domain.codebook import Codebook
from studyapp.services.interviews import qualitative
from studyapp.services.interviews import spans as sp
from studyapp.services.coding.rounds import pick_round
from studyapp.services.interviews.imports import participant_attributes_of
from studyapp.services.study.browse import codebooks_for
from studyapp.store import Store


@dataclass(frozen=True)
class SegmentPanel:
    """What the panel shows of one turn for its coder in one round and codebook: the code picker's
    choices, the coder's own values (`own`, field -> value, for the form) and codes (`own_refs`,
    `field:code` of coded fields), their quote spans in the turn, the turn's memos and one code's
    memos that they may see."""

    segment_id: int
    choices: list[sp.CodeChoice]
    own: dict
    own_refs: list[str]
    quotes: list[dict]
    memos: list[dict]
    memo_code: str | None
    code_memos: list[dict]

    @property
    def refs(self) -> list[str]:
        return [c.ref for c in self.choices]

    @property
    def label_of(self) -> dict[str, str]:
        return {c.ref: c.label for c in self.choices}


@dataclass(frozen=True)
class CodingView:
    """One transcript as the coding view draws it. `segments` are `spans.document_view`'s; `panel` is
    None without a coder, a codebook or a turn."""

    transcripts: dict[int, str]
    transcript_id: int | None = None
    codebooks: list[Codebook] | None = None
    codebook: Codebook | None = None
    rounds: list[str] | None = None
    round: str | None = None
    about: dict | None = None
    segments: list[dict] | None = None
    segment_id: int | None = None
    panel: SegmentPanel | None = None


def _pick(value, options: list, default=None):
    return value if value in options else (default if default is not None else (options[0] if options else None))


def coding_view(store: Store, viewer: str | None, transcript_id: int | None = None, *,
                transcript_key: str | None = None, codebook: str | None = None, round: str | None = None,
                segment_id: int | None = None, memo_code: str | None = None) -> CodingView:
    """`transcript_id` is the transcript chosen, else the one keyed `transcript_key` (a link's
    `?t=KEY`), else the first; `segment_id` the turn, else the first; `memo_code` the code whose
    memos the panel lists, else the first code."""
    transcripts = {t["id"]: t for t in store.units.list("transcript", with_text=False)}
    if not transcripts:
        return CodingView({})
    keys = {i: t["key"] for i, t in transcripts.items()}
    if transcript_id not in keys:
        transcript_id = next((i for i, k in keys.items() if k == transcript_key), next(iter(keys)))
    books = codebooks_for(store, "segment")
    cb = next((b for b in books if b.id == codebook), books[0] if books else None)
    rounds, round_id = pick_round(store, cb.id if cb else None, round)  # the codebook's rounds, its active one
    segments = sp.document_view(store, transcript_id, viewer, cb.id if cb else None, round_id)
    ids = [s["id"] for s in segments]
    sid = _pick(segment_id, ids)
    panel = None
    if viewer and cb is not None and sid is not None:
        choices = sp.code_choices(cb)
        refs = [c.ref for c in choices]
        own = sp.own_codes(store, sid, viewer, cb.id, round_id)
        own_refs = [f"{f}:{c}" for f, v in own.items() if cb.field(f) and cb.field(f).is_coded
                    for c in (v if isinstance(v, list) else [v])]
        quotes = [x for x in store.transcripts.spans(unit_ids=[sid], coders=[viewer]) if x["round"] == round_id]
        ref = _pick(memo_code, refs)
        panel = SegmentPanel(sid, choices, own, own_refs, quotes, sp.segment_memos(store, sid, viewer), ref,
                             sp.code_memos(store, cb.id, ref, viewer) if ref else [])
    return CodingView(keys, transcript_id, books, cb, rounds, round_id,
                      participant_attributes_of(store, transcripts[transcript_id]), segments, sid, panel)


@dataclass(frozen=True)
class AnalysisFrame:
    """What every analysis view shares: the interview codebooks, the one chosen, the participant
    attributes (for frequencies by attribute) and the code picker's choices (for quotes)."""

    codebooks: list[Codebook]
    codebook: Codebook | None = None
    attributes: list[str] | None = None
    choices: list[sp.CodeChoice] | None = None


def analysis_frame(store: Store, codebook: str | None = None) -> AnalysisFrame:
    books = codebooks_for(store, "segment")
    if not books:
        return AnalysisFrame([])
    cb = next((b for b in books if b.id == codebook), books[0])
    return AnalysisFrame(books, cb, qualitative.participant_attributes(store), sp.code_choices(cb))


def participants_rows(store: Store) -> list[dict]:
    """Every participant with their attributes, as the Import view lists them."""
    return [{"participant": k, **v} for k, v in store.transcripts.participants().items()]


@dataclass(frozen=True)
class RefiView:
    """Whether there is anything to export, and the project's file name (the study title, made safe)."""

    has_transcripts: bool
    file_name: str


def refi_view(store: Store) -> RefiView:
    return RefiView(bool(store.units.count("transcript")),
                    re.sub(r"[^A-Za-z0-9._-]+", "-", store.title).strip("-") or "study")
