"""Data extraction: each included paper gets a form of the SLR codebook's fields, filled independently.

Extraction values are ordinary annotations of the SLR codebook in their own round (`extraction`),
written through `code_many`, so two coders' forms are blind to each other until a lead opens the
round's reconciliation, and agreement and adjudication work per field as everywhere else.
Only papers included at full text (see `screening`) get a form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studyapp.domain.codebook import Codebook, Field
from studyapp.domain.values import decode, display
from studyapp.errors import StudyError
from studyapp.services.coding.coding import CodingRow, code_many
from studyapp.services.papers import screening
from studyapp.store import Store

ROUND = "extraction"


def setup(store: Store, *, actor: str | None = None) -> Codebook:
    """The SLR codebook whose fields make the form; makes sure the extraction round exists."""
    cb = screening.slr_codebook(store)
    store.rounds.ensure(ROUND, "Data extraction", actor=actor, codebook=cb.id)  # the SLR codebook's round
    return cb


def included_papers(store: Store) -> list[dict]:
    """Papers included at full text (final verdicts and agreed decisions), in import order."""
    ft = screening.verdicts(store, "ft")
    return [u for u in screening.primary_papers(store) if ft.get(u["id"]) and ft[u["id"]].status == "included"]


@dataclass(frozen=True)
class Form:
    codebook: Codebook
    unit: dict
    coder: str
    values: dict[str, Any]

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.codebook.fields


def form(store: Store, unit_id: int, coder: str) -> Form:
    """The form of one included paper for `coder`, pre-filled with their own values only."""
    cb = setup(store)
    unit = store.units.require(unit_id)
    own = {a["field"]: decode(cb.field(a["field"]).type, a["value"]) for a in
           store.annotations.for_unit(unit_id, coder=coder, codebook=cb.id)
           if a["round"] == ROUND and cb.field(a["field"])}
    return Form(cb, unit, coder, own)


def save(store: Store, unit_id: int, coder: str, values: dict[str, Any]) -> int:
    """Write `coder`'s form values (None or '' clears a field) in one transaction; returns changes."""
    cb = setup(store, actor=coder)
    if unit_id not in {u["id"] for u in included_papers(store)}:
        raise StudyError("only papers included at full-text screening get an extraction form")
    rows = [CodingRow(unit_id, cb.id, fid, coder, None if v in ("", []) else v, round=ROUND)
            for fid, v in values.items()]
    for r in rows:
        cb.require_field(r.field)
    return code_many(store, rows, actor=coder)


def progress(store: Store) -> list[dict]:
    """Per included paper: how many coders filled its form and how many fields (no values: stays blind)."""
    cb = setup(store)
    counts: dict[int, dict[str, int]] = {}
    for f in cb.fields:
        for unit_id, coder, *_ in store.annotations.values(cb.id, f.id, rounds=[ROUND]):
            counts.setdefault(unit_id, {}).setdefault(coder, 0)
            counts[unit_id][coder] += 1
    return [{"key": u["key"], "title": u["title"], "coders": len(counts.get(u["id"], {})),
             "fields filled": sum(counts.get(u["id"], {}).values())} for u in included_papers(store)]


def filled_by(store: Store, coder: str) -> set[int]:
    """Ids of the papers on which `coder` has filled at least one field of their form (their own only)."""
    cb = setup(store)
    return {row[0] for f in cb.fields for row in store.annotations.values(cb.id, f.id, rounds=[ROUND], coders=[coder])}


def extraction_table(store: Store, viewer: str | None) -> list[dict]:
    """One row per (included paper, coder) with every field as its label, plus a `final` row per paper
    where a lead adjudicated. Other coders' rows appear only once the extraction round is open."""
    cb = setup(store)
    is_open = store.rounds.is_open(ROUND)
    finals: dict[int, dict[str, Any]] = {}
    for f in cb.fields:
        for uid, v, _ in store.finals.values(cb.id, f.id):
            finals.setdefault(uid, {})[f.id] = decode(f.type, v)
    out = []
    for u in included_papers(store):
        per_coder: dict[str, dict[str, Any]] = {}
        for a in store.annotations.for_unit(u["id"], codebook=cb.id):
            if a["round"] != ROUND or (a["coder"] != viewer and not is_open):
                continue
            f = cb.field(a["field"])
            if f:
                per_coder.setdefault(a["coder"], {})[f.id] = decode(f.type, a["value"])
        rows = sorted(per_coder.items())
        if u["id"] in finals:
            rows.append(("final", finals[u["id"]]))
        for who, vals in rows:
            out.append({"key": u["key"], "title": u["title"], "year": u["attrs"].get("year"), "coder": who,
                        **{f.id: display(f, vals.get(f.id)) if f.is_coded else ("" if vals.get(f.id) is None
                                                                                 else vals.get(f.id))
                           for f in cb.fields}})
    return out
