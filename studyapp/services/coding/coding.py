"""Coding units: validated writes, bulk writes that are all-or-nothing, and blind reads.

Blindness is decided here, once, for every caller (pages, CLI, exports): a coder sees only their own
values on a unit in a round until a lead opens reconciliation for that round.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from studyapp.domain.codebook import Codebook, Field
from studyapp.domain.roles import Role
from studyapp.domain.values import code_matcher, decode, display, encode, normalise
from studyapp.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    StudyError,
    UnknownCode,
)
from studyapp.paths import UNIT_KINDS_OF_CODEBOOK
from studyapp.services.coding.codebooks import codebook_version
from studyapp.services.coding.rounds import refusal
from studyapp.store import Store
from studyapp.store.rounds import DEFAULT_ROUND


@dataclass(frozen=True)
class CodingRow:
    """One coder decision to write: raw `value` is normalised against the field."""
    unit_id: int
    codebook: str
    field: str
    coder: str
    value: Any
    round: str = DEFAULT_ROUND
    note: str | None = None


def _check_parent(store: Store, cb: Codebook, field: Field, row: CodingRow, value: Any,
                  pending: dict | None = None) -> None:
    if not field.parent_field or not field.parent_strict or value is None:
        return
    top = field.path(value)[0]
    key = (row.unit_id, cb.id, field.parent_field, row.coder, row.round)
    parent_value = pending.get(key) if pending and key in pending else None
    if parent_value is None:
        rows = [a for a in store.annotations.for_unit(row.unit_id, coder=row.coder, codebook=cb.id)
                if a["field"] == field.parent_field and a["round"] == row.round]
        parent_value = rows[0]["value"] if rows else None
    if parent_value is not None and parent_value != top:
        raise UnknownCode(f"{value!r} belongs under {top!r}, but {field.parent_field} is {parent_value!r}")


def _prepare(store: Store, rows: Iterable[CodingRow]) -> tuple[list[dict], set[tuple[str, str]]]:
    """The rows checked and encoded, and the (round, codebook) pairs to attach (free rounds taken)."""
    coders = set(store.coders.names())
    rounds = store.rounds.attachments()
    take: set[tuple[str, str]] = set()
    books: dict[str, tuple[Codebook, int, dict]] = {}
    unit_kinds: dict[int, str] = {}
    out: list[dict] = []
    pending: dict[tuple, Any] = {}
    for n, row in enumerate(rows, start=1):
        try:
            if row.coder not in coders:
                raise NotFound(f"no coder named {row.coder!r} (add one with `studyapp coder add`)")
            if row.round not in rounds:
                raise NotFound(f"no round {row.round!r}")
            if row.codebook not in books:
                cb, vid = codebook_version(store, row.codebook)
                books[row.codebook] = (cb, vid, {f.id: code_matcher(f) for f in cb.fields if f.codes})
            cb, vid, matchers = books[row.codebook]
            owners = rounds[row.round]
            if owners and cb.id not in owners:
                raise refusal(cb.id, row.round, owners, store)
            if not owners:
                owners.add(cb.id)
                take.add((row.round, cb.id))
            field = cb.require_field(row.field)
            if row.unit_id not in unit_kinds:
                unit_kinds[row.unit_id] = store.units.require(row.unit_id)["kind"]
            if unit_kinds[row.unit_id] not in UNIT_KINDS_OF_CODEBOOK[cb.kind]:
                raise StudyError(f"codebook {cb.id!r} ({cb.kind}) does not apply to a {unit_kinds[row.unit_id]}")
            value = normalise(field, row.value, matchers.get(field.id))
            _check_parent(store, cb, field, row, value, pending)
        except StudyError as e:
            raise type(e)(e.message, record=n if e.record is None else e.record) from None
        pending[(row.unit_id, cb.id, field.id, row.coder, row.round)] = value
        text, num = encode(field, value)
        out.append(dict(unit_id=row.unit_id, codebook=cb.id, field=field.id, coder=row.coder, round=row.round,
                        value=text, value_num=num, codebook_version=vid, note=row.note))
    return out, take


def _write(store: Store, prepared: tuple[list[dict], set], actor: str | None) -> int:
    rows, take = prepared
    with store.transaction():
        for round_id, codebook in sorted(take):
            store.rounds.attach(round_id, codebook, actor=actor)
        return store.annotations.set_many(rows, actor=actor)


def code_unit(store: Store, row: CodingRow, *, actor: str | None = None) -> bool:
    """Validate and write one decision (None clears it); returns whether anything changed."""
    return _write(store, _prepare(store, [row]), actor or row.coder) > 0


def code_many(store: Store, rows: Iterable[CodingRow], *, actor: str | None = None) -> int:
    """Validate every row first, then write all in one transaction; one bad row writes nothing."""
    return _write(store, _prepare(store, rows), actor)


def can_see_others(store: Store, round_id: str) -> bool:
    return store.rounds.is_open(round_id)


def visible_annotations(store: Store, unit_id: int, viewer: str, *, codebook: str | None = None) -> list[dict]:
    """The annotations on a unit that `viewer` may see, decoded, with display labels.

    Own values always; other coders' values only in rounds whose reconciliation is open.
    """
    open_rounds = {r["id"] for r in store.rounds.list() if r["reconciliation_open"]}
    out = []
    books: dict[str, Codebook] = {}
    for a in store.annotations.for_unit(unit_id, codebook=codebook):
        if a["coder"] != viewer and a["round"] not in open_rounds:
            continue
        if a["codebook"] not in books:
            books[a["codebook"]] = codebook_version(store, a["codebook"])[0]
        field = books[a["codebook"]].field(a["field"])
        ftype = field.type if field else "text"
        value = decode(ftype, a["value"])
        out.append({**a, "value": value, "label": display(field, value) if field else str(value)})
    return out


def open_reconciliation(store: Store, round_id: str, *, actor: str, open_: bool = True) -> None:
    """Only a lead opens (or closes) reconciliation; then coders see each other's values in that round."""
    if not Role.of(store, actor).can_open_reconciliation:
        raise PermissionDenied(f"only a lead can open reconciliation (you are {actor!r})")
    store.rounds.set_reconciliation(round_id, open_, actor=actor)


__all__ = ["CodingRow", "code_unit", "code_many", "visible_annotations", "open_reconciliation",
           "can_see_others", "InvalidInput"]
