"""A form that codes one unit with one codebook for the current coder: one widget per field.

Values are pre-filled with the coder's own earlier values (never anyone else's); a field with a
`parent_field` offers only the codes under the chosen parent. Saving calls `code_many`, so a bad
value changes nothing and the message says which field.
"""

from __future__ import annotations

import streamlit as st

from studyapp.domain.codebook import Codebook, Field
from studyapp.errors import StudyError
from studyapp.services.coding.coding import CodingRow, code_many
from studyapp.render.safe_text import plain_line, safe_markdown
from studyapp.ui.state import Store
from studyapp.ui.widgets.code_picker import code_picker


def _options(field: Field, chosen_parent: str | None) -> list[str]:
    if field.parent_field and chosen_parent:
        under = [c.id for c, _, _ in _walk_under(field, chosen_parent)]
        if field.parent_strict:
            return under
        return under + [c.id for c in field.all_codes() if c.id not in under]
    return [c.id for c in field.all_codes()]


def _walk_under(field: Field, parent: str):
    for top in field.codes:
        if top.id == parent:
            yield from (x for x in top.walk() if x[0].id != parent)


def coding_form(store: Store, cb: Codebook, unit_id: int, coder: str, round_id: str, own: dict[str, object],
                key: str) -> None:
    """`own` maps field id -> the coder's current value in this round."""
    with st.form(key=f"{key}.form.{cb.id}.{unit_id}.{round_id}"):
        values: dict[str, object] = {}
        for f in cb.fields:
            wkey = f"{key}.{cb.id}.{unit_id}.{round_id}.{f.id}"
            label = plain_line(f.label) + (" *" if f.required else "")
            help_ = safe_markdown(f.definition) or None
            current = own.get(f.id)
            if f.type == "multi":
                opts = _options(f, None)
                values[f.id] = code_picker(label, opts, lambda c, f=f: f.code(c).label, key=wkey, help=help_,
                                           default=[v for v in (current or []) if v in opts])
            elif f.type in ("nominal", "ordinal") or (f.type == "interval" and f.codes):
                parent_val = own.get(f.parent_field) if f.parent_field else None
                opts = _options(f, parent_val if isinstance(parent_val, str) else None)
                idx = opts.index(current) + 1 if current in opts else 0
                values[f.id] = st.selectbox(label, [None] + opts, index=idx, key=wkey, help=help_,
                                            format_func=lambda c, f=f: "—" if c is None else f.code(c).label)
            elif f.type in ("number", "interval"):
                values[f.id] = st.number_input(label, value=float(current) if current is not None else None,
                                               key=wkey, help=help_)
            else:
                values[f.id] = st.text_area(label, value=str(current or ""), key=wkey, help=help_, height=68)
        if st.form_submit_button("Save", type="primary"):
            rows = [CodingRow(unit_id=unit_id, codebook=cb.id, field=fid, coder=coder, round=round_id,
                              value=(v if v not in ("", []) else None))
                    for fid, v in values.items() if not (v in (None, "", []) and own.get(fid) is None)]
            try:
                n = code_many(store, rows, actor=coder)
                st.success(f"Saved ({n} change{'s' if n != 1 else ''}).")
            except StudyError as e:
                field_id = rows[e.record - 1].field if isinstance(e.record, int) and e.record <= len(rows) else None
                st.error(f"Nothing saved: {'field ' + field_id + ': ' if field_id else ''}{e.message}")
