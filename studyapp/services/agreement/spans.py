"""Agreement on quote spans: Krippendorff's unitizing alpha per codebook field, code and round.

The per-turn statistics (`services.agreement.fields`) ask whether coders gave a turn the same code;
this asks whether they quoted the same characters with the same codes (`stats.unitizing`, read
docs/unitizing.md). One row per codebook field and round (rounds are never pooled), with u-alpha,
|u-alpha (binary, "coded or not"), cu-alpha and, per code, (k)u-alpha and the binary "k or not".

The data: every quote span of the field's codebook in the round, one row per (span, code of the
field). A continuum is one transcript segment (turn), offsets count characters of its stored text.
A coder takes part in a transcript when they marked at least one span on it in that codebook and
round; every turn of that transcript is then a continuum they coded (a turn where they marked
nothing is a judgement: "nothing here"). A coder who marked nothing on a transcript did not
unitize it (missing there, as a unit with fewer coders in ordinary alpha).

Blindness: the statistics are over every coder's spans, so a coder who is not a lead sees the
values of a round only once its reconciliation is open (`roles.sees_all`); before that the row
says so instead of a number. The folder's holder (the command line) sees all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from studyapp.domain import roles
from studyapp.services.coding.codebooks import get_codebook, list_codebooks
from studyapp.stats import Stat
from studyapp.stats.unitizing import UnitizingAgreement, unitizing_agreement
from studyapp.store import Store

HIDDEN = "hidden until a lead opens reconciliation for this round (statistics over other coders' spans)"
STATS = (("u_alpha", "u-alpha"), ("binary", "|u-alpha (binary)"), ("cu_alpha", "cu-alpha"))


@dataclass(frozen=True)
class SpanCode:
    """One code of a field: (k)u-alpha, the binary "k or not", coverage and spans marked with it."""

    code: str
    label: str
    ku_alpha: Stat
    binary: Stat
    coverage: float | None
    n_spans: int


@dataclass(frozen=True)
class SpanAgreement:
    """Unitizing agreement of one codebook field in one round. `hidden` is True when the viewer
    may not see the values yet (then `result` is None and every stat is undefined with HIDDEN)."""

    codebook: str
    field: str
    field_label: str
    round: str
    coders: tuple[str, ...]
    n_spans: int
    n_transcripts: int
    result: UnitizingAgreement | None
    codes: tuple[SpanCode, ...] = field(default_factory=tuple)
    hidden: bool = False
    error: str | None = None

    def stat(self, key: str) -> Stat:
        if self.result is None:
            return Stat(key, None, self.error or HIDDEN)
        return getattr(self.result, key)

    @property
    def length(self) -> int:
        return self.result.length if self.result is not None else 0

    @property
    def coverage(self) -> float | None:
        return self.result.coverage if self.result is not None else None

    def to_dict(self) -> dict:
        return {"codebook": self.codebook, "field": self.field, "field_label": self.field_label,
                "round": self.round, "coders": list(self.coders), "n_spans": self.n_spans,
                "n_transcripts": self.n_transcripts, "characters": self.length, "coverage": self.coverage,
                "hidden": self.hidden, **{k: self.stat(k).to_dict() for k, _ in STATS},
                "per_code": [{"code": c.code, "label": c.label, "n_spans": c.n_spans, "coverage": c.coverage,
                              "ku_alpha": c.ku_alpha.to_dict(), "binary": c.binary.to_dict()} for c in self.codes]}


def _hidden_for(store: Store, viewer: str | None, round_id: str) -> bool:
    return not roles.sees_all(store, viewer) and not store.rounds.is_open(round_id)


def span_agreement(store: Store, codebook_id: str | None = None, *, rounds: Sequence[str] | None = None,
                   coders: Sequence[str] | None = None, viewer: str | None = None, n_boot: int = 1000,
                   seed: int = 0) -> list[SpanAgreement]:
    """Unitizing agreement of every field with quote spans, per codebook and round (in round order).
    `coders`: only these coders' spans; `viewer`: whose eyes (None: the folder's holder, sees all)."""
    ids = [codebook_id] if codebook_id else [c.id for c in list_codebooks(store)]
    order = [r["id"] for r in store.rounds.list()]
    out: list[SpanAgreement] = []
    for cb_id in ids:
        spans = store.transcripts.spans(codebook=cb_id, coders=list(coders) if coders else None)
        if not spans:
            continue
        cb = get_codebook(store, cb_id)
        used_rounds = {s["round"] for s in spans}
        segs = {s["id"]: s for s in store.transcripts.segment_index()}
        for rnd in [r for r in order if r in used_rounds and (rounds is None or r in rounds)]:
            in_round = [s for s in spans if s["round"] == rnd and s["unit_id"] in segs]
            fields = [f for f in cb.fields if f.is_coded and any(fc[0] == f.id for s in in_round for fc in s["codes"])]
            for f in fields:
                out.append(_field_round(store, cb_id, f, rnd, in_round, segs, viewer, n_boot, seed))
    return out


def _field_round(store: Store, cb_id: str, f, rnd: str, spans: list[dict], segs: dict, viewer, n_boot, seed):
    rows = [(s["unit_id"], s["coder"], s["start"], s["end"], c) for s in spans for fid, c in s["codes"] if fid == f.id]
    who: dict[int, set] = {}
    for s in spans:  # a coder takes part in a transcript where they marked any span of the codebook
        who.setdefault(segs[s["unit_id"]]["transcript_id"], set()).add(s["coder"])
    transcripts = {segs[r[0]]["transcript_id"] for r in rows}
    field_coders = tuple(sorted({c for t in transcripts for c in who[t]}))
    base = dict(codebook=cb_id, field=f.id, field_label=f.label, round=rnd, coders=field_coders,
                n_spans=len({(r[0], r[1], r[2], r[3]) for r in rows}), n_transcripts=len(transcripts))
    if _hidden_for(store, viewer, rnd):
        return SpanAgreement(**base, result=None, hidden=True)
    seg_ids = [sid for sid, s in segs.items() if s["transcript_id"] in transcripts]
    texts = store.transcripts.texts(seg_ids)
    lengths = {sid: len(texts.get(sid, "")) for sid in seg_ids}
    continuum_coders = {sid: sorted(who[segs[sid]["transcript_id"]]) for sid in seg_ids}
    walk = [c.id for c, _, _ in f.walk()]
    used = {r[4] for r in rows}
    domain = [c for c in walk if c in used] + sorted(used - set(walk))
    try:
        res = unitizing_agreement(rows, lengths, coders=continuum_coders, codes=domain, n_boot=n_boot, seed=seed)
    except ValueError as e:  # a span outside its turn's text (the text changed since): say which
        return SpanAgreement(**base, result=None, error=f"cannot compute: {e}")
    counts = {c: len({(r[0], r[1], r[2], r[3]) for r in rows if r[4] == c}) for c in domain}
    codes = tuple(SpanCode(pc.code, (f.code(pc.code).label if f.code(pc.code) else pc.code), pc.ku_alpha,
                           pc.binary, pc.coverage, counts[pc.code]) for pc in res.per_code)
    return SpanAgreement(**base, result=res, codes=codes)
