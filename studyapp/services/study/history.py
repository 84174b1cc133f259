"""The audit trail as people read it: who changed what, when, from which value to which.

The history is append-only (`store.history`): a change never edits or deletes an earlier entry, so
every value a unit ever had is here. Reading it stays blind: another coder's values in a round (their
annotations, spans, notes and memos) are hidden from a coder until a lead opens reconciliation for that
round, exactly as in `services.coding.visible_annotations`, and so is the row itself: who changed which
unit when is a coder's activity per unit, and watching agreement move as one unit changes gives the
value away (issue 17 M1). Counts of how much each coder has done are shown elsewhere. A lead sees
everything.
"""

from __future__ import annotations

import json
from typing import Any

from studyapp.domain.roles import Role
from studyapp.errors import StudyError
from studyapp.store import Store
from studyapp.store.rounds import DEFAULT_ROUND

HIDDEN = "(hidden until reconciliation)"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _what(r: dict) -> str:
    action, cb, f = r["action"], r["codebook"], r["field"]
    target = ".".join(x for x in (cb, f) if x)
    parts = []
    if action.startswith("annotation."):
        parts.append(target)
    elif action.startswith("final."):
        parts.append(f"final {target}")
    elif action.startswith("span."):
        parts.append(f"span ({cb})" if cb else "span")
    elif target:
        parts.append(target)
    if (r["coder"] and r["coder"] != r["actor"]) or action.startswith(("annotation.", "span.")):
        parts.append(f"coder {r['coder']}")
    if r["round"]:
        parts.append(f"round {r['round']}")
    return ", ".join(p for p in parts if p)


class _Blindness:
    """Decides, once per call, which rows' values a viewer may read."""

    def __init__(self, store: Store, viewer: str | None, unblinded: bool):
        self.viewer = viewer
        self.all = unblinded or Role.of(store, viewer).can_see_all_values
        self.open = {r["id"] for r in store.rounds.list() if r["reconciliation_open"]}

    def hides(self, r: dict) -> bool:
        coder, round_ = r["coder"], r["round"]
        if r["action"].startswith("memo."):
            # A memo's change carries the memo's round (older rows none: the default round), and like
            # `spans.visible_memos` another coder's memo stays hidden until that round is open.
            coder, round_ = coder or r["actor"], round_ or DEFAULT_ROUND
        return (not self.all and coder is not None and round_ is not None
                and coder != self.viewer and round_ not in self.open)


def _rows(store: Store, raw: list[dict], viewer: str | None, unblinded: bool) -> list[dict]:
    blind = _Blindness(store, viewer, unblinded)
    units: dict[int, str] = {}
    out = []
    for r in raw:
        hidden = blind.hides(r)
        if hidden:
            # Not even the row: which unit another coder just changed, and when, is their activity
            # per unit, and with agreement statistics it gives their values away (issue 17 M1).
            continue
        uid = r["unit_id"]
        if uid is not None and uid not in units:
            u = store.units.get(uid)
            units[uid] = f"{u['kind']}:{u['key']}" if u else f"unit {uid}"
        out.append({
            "id": r["id"], "at": r["at"], "who": r["actor"] or r["coder"] or "", "action": r["action"],
            "what": _what(r), "unit": units.get(uid) if uid is not None else None, "unit_id": uid,
            "codebook": r["codebook"], "field": r["field"], "coder": r["coder"], "round": r["round"],
            "old": None if hidden else r["old"], "new": None if hidden else r["new"],
            "old_text": HIDDEN if hidden and r["old"] is not None else _text(None if hidden else r["old"]),
            "new_text": HIDDEN if hidden and r["new"] is not None else _text(None if hidden else r["new"]),
            "note": None if hidden else r["note"], "hidden": hidden,
        })
    return out


def unit_history(store: Store, unit_id: int, viewer: str | None, *, limit: int | None = None,
                 unblinded: bool = False) -> list[dict]:
    """Every change to one unit, newest first: dicts with id, at, who, action, what, old, new
    (decoded values), old_text/new_text (for display), note and `hidden` (True when blindness hid
    the values from `viewer`). `viewer` None sees no coder's values in closed rounds; a lead, or a
    trusted caller passing `unblinded=True` (the CLI run by whoever holds the study file), sees all."""
    store.units.require(unit_id)
    return _rows(store, store.history.for_unit(unit_id, limit=limit), viewer, unblinded)


def study_history(store: Store, viewer: str | None, *, limit: int | None = 50, action_prefix: str | None = None,
                  unblinded: bool = False) -> list[dict]:
    """The newest `limit` changes to the whole study, shaped and blinded like `unit_history`."""
    return _rows(store, store.history.recent(limit, action_prefix=action_prefix), viewer, unblinded)


def parse_unit_ref(store: Store, ref: str) -> int:
    """`KIND:KEY` (e.g. `defect:D1`, `segment:int-1:3`) or a numeric unit id -> the unit id."""
    if ref.isdigit():
        return int(store.units.require(int(ref))["id"])
    kind, sep, key = ref.partition(":")
    if not sep or not kind or not key:
        raise StudyError(f"a unit is KIND:KEY (e.g. defect:D1) or an id, not {ref!r}")
    u = store.units.by_key(kind, key)
    if u is None:
        raise StudyError(f"no {kind} with key {key!r} in this study")
    return int(u["id"])
