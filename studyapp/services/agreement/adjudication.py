"""Disagreements and their adjudication: the lead decides each final value, with a rationale.

Listing disagreements shows coders' values side by side, so it is allowed only for rounds whose
reconciliation a lead has opened; other rounds are reported as hidden, never shown. Final values go
to `finals`, apart from coders' values, and every decision is in the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from studyapp.domain.roles import require_lead
from studyapp.domain.values import decode, display, encode, normalise
from studyapp.errors import PermissionDenied, StudyError
from studyapp.services.agreement.reliability_data import reliability_data
from studyapp.services.agreement.unit_text import unit_text
from studyapp.services.coding.codebooks import codebook_version
from studyapp.store import Store


@dataclass(frozen=True)
class Disagreements:
    rows: list[dict]
    hidden_rounds: list[str]
    resolved: int

    @property
    def total(self) -> int:
        return len(self.rows)


def disagreements(store: Store, codebook_id: str, field_id: str, *, rounds: Sequence[str] | None = None,
                  coders: Sequence[str] | None = None) -> Disagreements:
    """Units on which at least two coders gave different values, in rounds open for reconciliation;
    each row carries the unit's text (`unit_text`: abstract, turn or issue) to read beside the values."""
    if rounds is None:  # the rounds this field was coded in (never another workflow's rounds)
        used = set(store.annotations.rounds_of(codebook_id, field_id))
        all_rounds = [r["id"] for r in store.rounds.list() if r["id"] in used]
    else:
        all_rounds = list(rounds)
    open_rounds = [r for r in all_rounds if store.rounds.is_open(r)]
    hidden = [r for r in all_rounds if r not in open_rounds]
    if not open_rounds:
        return Disagreements([], hidden, 0)
    data = reliability_data(store, codebook_id, field_id, rounds=open_rounds, coders=coders)
    field = data.field
    finals = {u: v for u, v, _ in store.finals.values(codebook_id, field_id)}
    rows = []
    for j, (unit_id, round_id) in enumerate(data.units):
        col = data.matrix[:, j]
        present = [(data.coders[i], v) for i, v in enumerate(col) if not _missing(v)]
        if len(present) < 2 or len({_key(v) for _, v in present}) < 2:
            continue
        unit = store.units.get(unit_id) or {}
        values = {c: _label(data, field, v) for c, v in present}
        raw = {c: _raw(data, v) for c, v in present}
        final = decode(field.type, finals[unit_id]) if unit_id in finals else None
        rows.append({"unit_id": unit_id, "round": round_id, "key": unit.get("key"), "title": unit.get("title"),
                     "values": values, "raw": raw, "final": display(field, final) if final is not None else None,
                     "final_value": final, "unit_text": unit_text(unit)})
    return Disagreements(rows, hidden, sum(1 for r in rows if r["final"] is not None))


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v))


def _key(v: Any) -> Any:
    return v if isinstance(v, frozenset) else float(v)


def _raw(data, v: Any) -> Any:
    """The value as `normalise` accepts it back: a code id, a sorted list of ids, or a number."""
    if isinstance(v, frozenset):
        return sorted(v)
    if data.categories:
        return data.categories[int(v)]
    return float(v)


def _label(data, field, v) -> str:
    if isinstance(v, frozenset):
        return display(field, sorted(v))
    if data.categories:
        return display(field, data.categories[int(v)])
    return display(field, float(v))


def adjudicate(store: Store, *, unit_id: int, codebook_id: str, field_id: str, value: Any, rationale: str,
               actor: str, round_id: str | None = None) -> None:
    """Record the final value of a field on a unit. Only a lead, only in an open round, with a reason."""
    require_lead(store, actor, "adjudicate")
    if round_id is not None and not store.rounds.is_open(round_id):
        raise PermissionDenied(f"reconciliation of round {round_id!r} is not open")
    if not (rationale or "").strip():
        raise StudyError("a final value needs a rationale (why this value)")
    cb, vid = codebook_version(store, codebook_id)
    field = cb.require_field(field_id)
    text, num = encode(field, normalise(field, value))
    store.units.require(unit_id)
    store.finals.set(unit_id=unit_id, codebook=codebook_id, field=field_id, value=text, value_num=num,
                     round=round_id, rationale=rationale.strip(), by=actor, codebook_version=vid)
