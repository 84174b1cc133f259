"""The panel beside a unit on every coding page: coding form, own values, finals, memos."""

from __future__ import annotations

import streamlit as st

from studyapp.domain.values import decode
from studyapp.services.browse import codebooks_for, unit_view
from studyapp.store import Store
from studyapp.ui.components.coding_form import coding_form
from studyapp.ui.components.history_view import history_expander


def unit_panel(store: Store, unit_id: int, kind: str, coder: str | None, key: str) -> None:
    view = unit_view(store, unit_id, coder)
    books = codebooks_for(store, kind)
    if not coder:
        st.info("Add a coder to start coding.")
        return
    if not books:
        st.info(f"No codebook for {kind}s in this study yet (`studyapp codebook add`).")
        return
    c1, c2 = st.columns(2)
    cb = c1.selectbox("Codebook", books, format_func=lambda b: f"{b.title} (v{b.version})", key=f"{key}.codebook")
    rounds = [r["id"] for r in store.rounds.list()]
    round_id = c2.selectbox("Round", rounds, index=len(rounds) - 1, key=f"{key}.round")
    own = {a["field"]: a["value"] for a in view["annotations"]
           if a["coder"] == coder and a["round"] == round_id and a["codebook"] == cb.id}
    coding_form(store, cb, unit_id, coder, round_id, own, key)
    others = [a for a in view["annotations"] if a["coder"] != coder and a["codebook"] == cb.id]
    if others:
        with st.expander(f"Other coders' values ({len(others)}, reconciliation open)"):
            st.dataframe([{"field": a["field"], "coder": a["coder"], "round": a["round"], "value": a["label"]}
                          for a in others], hide_index=True, width="stretch")
    finals = [f for f in view["finals"] if f["codebook"] == cb.id]
    if finals:
        with st.expander(f"Final (adjudicated) values ({len(finals)})"):
            rows = []
            for f in finals:
                field = cb.field(f["field"])
                rows.append({"field": f["field"], "value": decode(field.type if field else "text", f["value"]),
                             "rationale": f["rationale"], "by": f["by"]})
            st.dataframe(rows, hide_index=True, width="stretch")
    if view["memos"]:
        with st.expander(f"Memos ({len(view['memos'])})"):
            for m in view["memos"]:
                st.markdown(f"**{m['coder'] or 'anonymous'}**, {m['created_at'][:10]}")
                st.text(m["text"])
    history_expander(store, unit_id, coder)
