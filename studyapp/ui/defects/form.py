"""The labelling form for one defect: taxonomy-aware widgets for one coder in one round.

Widgets are live (not an st.form) so that the root-cause list follows the DL stage as it is chosen:
the causes under the chosen stage come first. "Not a defect" is the first decision; choosing it
hides the other fields and asks for a reason. The chosen code's definition shows under each list.
Widget keys are `{key}.{codebook}.{unit}.{round}.{field}`, so every unit keeps its own draft. A
question with a short flat list of choices is a row of buttons, each with its one-key shortcut
(`ui/defects/choices.py`, keys from `services.defects.shortcuts`).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from studyapp.domain.codebook import Codebook, Field
from studyapp.render.safe_text import plain_line, safe_markdown
from studyapp.services.defects.analysis import NOT_DEFECT
from studyapp.services.defects.shortcuts import choice_keys, keyed
from studyapp.ui import state
from studyapp.ui.defects.choices import choice_buttons
from studyapp.ui.widgets.code_picker import code_picker

DECISION, REASON = "is_defect", "not_defect_reason"


def widget_key(key: str, cb: Codebook, unit_id: int, round_id: str, field_id: str) -> str:
    return f"{key}.{cb.id}.{unit_id}.{round_id}.{field_id}"


def _path_label(f: Field, code_id: str | None, under: str | None = None) -> str:
    """A code as its path of labels; under the chosen parent the parent itself is left out."""
    if code_id is None:
        return "—"
    path = f.path(code_id) or (code_id,)
    if under and len(path) > 1 and path[0] == under:
        path = path[1:]
    return " › ".join(f.code(c).label if f.code(c) else c for c in path)


def _options(f: Field, parent_value: Any) -> tuple[list[str], int]:
    """Options in tree order; for a field with a parent_field, the chosen parent's codes first.
    Returns the options and how many of them sit under the chosen parent."""
    codes = [c.id for c in f.all_codes()]
    if not f.parent_field or not isinstance(parent_value, str) or f.code(parent_value) is None:
        return codes, 0
    under = [c.id for c in f.all_codes() if f.path(c.id)[:1] == (parent_value,) and c.id != parent_value]
    if f.parent_strict:
        return under, len(under)
    return under + [c for c in codes if c not in under], len(under)


def _definition(f: Field, value: Any) -> None:
    ids = value if isinstance(value, list) else [value] if value else []
    notes = []
    for cid in ids:
        code = f.code(cid)
        if code and (code.definition or code.include or code.exclude):
            extra = "".join(f" *{k}:* {safe_markdown(v)}" for k, v in (("Include", code.include),
                                                                         ("Exclude", code.exclude)) if v)
            notes.append(f"**{plain_line(code.label)}**: {safe_markdown(code.definition)}{extra}")
    if notes:
        st.caption("  \n".join(notes))


def _field_widget(f: Field, wkey: str, current: Any, chosen: dict[str, Any], keys: dict | None = None,
                  coder: str = "") -> Any:
    label = plain_line(f.label) + (" *" if f.required else "")
    help_ = safe_markdown(f.definition) or None
    if keys and keyed(f):
        value = choice_buttons(f, wkey, current, keys.get(f.id, {}), coder=coder,
                               label=plain_line(f.label) + (" \\*" if f.required else ""))
    elif f.type == "multi":
        opts = [c.id for c in f.all_codes()]
        state.init(wkey, [v for v in (current or []) if v in opts])
        value = code_picker(label, opts, lambda c: _path_label(f, c), key=wkey, help=help_,
                            placeholder="Choose all that apply")
    elif f.type in ("nominal", "ordinal") or (f.type == "interval" and f.codes):
        parent = chosen.get(f.parent_field) if f.parent_field else None
        opts, n_under = _options(f, parent)
        state.init(wkey, current if current in opts else None)
        if state.get(wkey) not in opts and state.get(wkey) is not None:
            state.put(wkey, None)
        if n_under:
            help_ = f"{help_ or ''}\n\nThe first {n_under} options are the ones under the chosen " \
                    f"{f.parent_field}: {_path_label(f, parent)}."
        under = parent if n_under else None
        value = st.selectbox(label, [None] + opts, key=wkey, help=help_,
                             format_func=lambda c: _path_label(f, c, under))
    elif f.type in ("number", "interval"):
        state.init(wkey, float(current) if current is not None else None)
        value = st.number_input(label, key=wkey, help=help_)
    else:
        state.init(wkey, str(current or ""))
        value = st.text_area(label, key=wkey, help=help_, height=68)
    if f.is_coded:
        _definition(f, value)
    return value


def defect_form(cb: Codebook, unit_id: int, round_id: str, own: dict[str, Any], key: str,
                coder: str = "") -> dict[str, Any]:
    """Draw the widgets; returns {field id: value} as currently chosen (not yet saved) by `coder`."""
    chosen: dict[str, Any] = {}
    keys = choice_keys(cb)
    decision = cb.field(DECISION)
    if decision is not None:
        chosen[DECISION] = _field_widget(decision, widget_key(key, cb, unit_id, round_id, DECISION),
                                         own.get(DECISION), chosen, keys, coder)
        if chosen[DECISION] == NOT_DEFECT:
            reason = cb.field(REASON)
            if reason is not None:
                chosen[REASON] = _field_widget(reason, widget_key(key, cb, unit_id, round_id, REASON),
                                               own.get(REASON), chosen)
            st.caption("Saving *not a defect* clears your other labels of this defect in this round.")
            return chosen
    for f in cb.fields:
        if f.id in (DECISION, REASON):
            continue
        chosen[f.id] = _field_widget(f, widget_key(key, cb, unit_id, round_id, f.id), own.get(f.id), chosen, keys, coder)
    return chosen


def taxonomy(cb: Codebook) -> None:
    """Every coded field as a tree with definitions (the codebook at hand while labelling)."""
    for f in cb.fields:
        if not f.is_coded:
            continue
        lines = [f"**{plain_line(f.label)}**" + (f" — {plain_line(f.definition)}" if f.definition else "")]
        for code, depth, _ in f.walk():
            definition = f": {plain_line(code.definition)}" if code.definition else ""
            lines.append(f"{'    ' * (depth - 1)}- **{plain_line(code.label)}** `{code.id}`{definition}")
        st.markdown("\n".join(lines))
