"""The study's codings as a metric reads them: which values count for each unit of a codebook field.

Which values count (`values`):
- `final`: adjudicated finals only;
- `agreed` (default): the final when there is one, else the codes every coder of the unit's latest
  coded round gave (for a multi-code field, the codes all of them chose; for a single code, the code
  when they all chose it);
- `any`: the final, else any code a coder gave in the unit's latest coded round;
- `coder:NAME`: that coder's values (their latest round).
Blind coding holds here too: with a `viewer` who is not a lead, other coders' values in rounds whose
reconciliation is closed are left out (a note says so), exactly as `services.coding` shows them.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from studyapp.datasets.metrics.codings import CodingTable
from studyapp.domain.roles import sees_all
from studyapp.domain.values import code_matcher, decode, fold
from studyapp.errors import InvalidInput, NotFound
from studyapp.paths import UNIT_KINDS_OF_CODEBOOK
from studyapp.services.coding.codebooks import get_codebook
from studyapp.store import Store

VALUE_MODES = ("final", "agreed", "any")


def _codes(field, code) -> set[str]:
    matcher = code_matcher(field)
    out = set()
    for raw in ([code] if isinstance(code, str) else list(code)):
        cid = matcher.get(fold(raw))
        if cid is None:
            raise InvalidInput(f"{raw!r} is not a code of field {field.id!r}")
        out.add(cid)
    return out


def _matching(field, ids: set[str]) -> set[str]:
    """The codes themselves and every descendant (a unit coded with a child has the parent's code too)."""
    return {c.id for c, _, path in field.walk() if ids & set(path)}


def _as_tuple(ftype: str, text: str | None) -> tuple[str, ...]:
    v = decode(ftype, text)
    if v is None:
        return ()
    return tuple(v) if isinstance(v, list) else (str(v),)


def _resolve(store: Store, cb_id: str, field, values: str, viewer: str | None) -> tuple[dict, list[str]]:
    """unit id -> tuple of codes that count, and notes."""
    notes: list[str] = []
    mode, _, coder = values.partition(":")
    if mode not in VALUE_MODES + ("coder",) or (mode == "coder" and not coder):
        raise InvalidInput(f"values must be final, agreed, any or coder:NAME, not {values!r}")
    finals = {uid: _as_tuple(field.type, v) for uid, v, _ in store.finals.values(cb_id, field.id)}
    if mode == "final":
        return finals, notes
    rounds = store.rounds.list()
    seq = {r["id"]: r["seq"] for r in rounds}
    open_rounds = {r["id"] for r in rounds if r["reconciliation_open"]}
    lead = sees_all(store, viewer)
    per_unit: dict[int, dict[str, dict[str, tuple]]] = defaultdict(lambda: defaultdict(dict))
    hidden = 0
    for uid, who, rnd, text, _ in store.annotations.values(cb_id, field.id):
        if not lead and who != viewer and rnd not in open_rounds:
            hidden += 1
            continue
        if mode == "coder" and who != coder:
            continue
        per_unit[uid][rnd][who] = _as_tuple(field.type, text)
    if hidden:
        notes.append(f"{hidden} value(s) of other coders in rounds still blind to {viewer} are left out")
    out: dict[int, tuple] = {}  # every unit with a value, even when no code is agreed on
    disagreements = 0
    for uid, by_round in per_unit.items():
        latest = max(by_round, key=lambda r: seq.get(r, 0))
        sets = [set(v) for v in by_round[latest].values()]
        if mode == "agreed":
            common = set.intersection(*sets)
            if any(s != common for s in sets):
                disagreements += 1
            out[uid] = tuple(sorted(common))
        else:
            out[uid] = tuple(sorted(set.union(*sets)))
    if mode in ("agreed", "any"):
        out.update(finals)
    if disagreements and mode == "agreed":
        notes.append(f"{disagreements} unit(s) without a final where coders disagree: only codes all of them "
                     "gave count (values: any would count every coder's codes)")
    return out, notes


def build_coding_table(store: Store, codebook: str, field_id: str, code, *, among: dict | None = None,
                       values: str = "agreed", viewer: str | None = None) -> tuple[CodingTable, set[str]]:
    try:
        cb = get_codebook(store, codebook)
    except NotFound:
        raise NotFound(f"the study has no codebook {codebook!r}") from None
    field = cb.require_field(field_id)
    match = _matching(field, _codes(field, code))
    resolved, notes = _resolve(store, cb.id, field, values, viewer)
    among_ok = None
    if among:
        if not isinstance(among, dict) or len(among) != 1:
            raise InvalidInput("among must be one {field: code} pair")
        (a_field_id, a_code), = among.items()
        a_field = cb.require_field(a_field_id)
        a_match = _matching(a_field, _codes(a_field, a_code))
        a_values, a_notes = _resolve(store, cb.id, a_field, values, viewer)
        notes += a_notes
        among_ok = {uid for uid, v in a_values.items() if a_match & set(v)}
    kinds = UNIT_KINDS_OF_CODEBOOK.get(cb.kind, ())
    units = [u for k in kinds for u in store.units.list(k, with_text=False)]
    parents = {}
    if "segment" in kinds:
        parents = {t["id"]: (t["attrs"] or {}).get("participant") or t["key"]
                   for t in store.units.list("transcript", with_text=False)}
    rows = pd.DataFrame({
        "unit_id": [u["id"] for u in units], "unit_key": [u["key"] for u in units],
        "participant": [parents.get(u["parent_id"], u["key"]) for u in units],
        "values": [resolved.get(u["id"], ()) for u in units],
        "coded": [u["id"] in resolved for u in units]})
    if among_ok is not None:
        rows["among"] = rows.unit_id.isin(among_ok)
    labels = {c.id: c.label for c in field.all_codes()}
    source = (f"study annotations: codebook {cb.id}, field {field.id}, values {values}"
              + (f", only units with {among}" if among else "") + f" ({len(units)} {'/'.join(kinds)} units)")
    return CodingTable(cb.id, field.id, rows, labels, source, tuple(notes)), match
