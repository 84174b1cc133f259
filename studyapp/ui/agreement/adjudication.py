"""Disagreements of one field, each unit's text (abstract, turn, issue) beside every coder's value,
and the lead's adjudication form (pick a coder's value or enter another, with a rationale)."""

from __future__ import annotations

import streamlit as st

from studyapp.domain.codebook import Field
from studyapp.errors import StudyError
from studyapp.render.safe_text import plain_line
from studyapp.services.agreement.adjudication import Disagreements, adjudicate
from studyapp.services.coding.coding import open_reconciliation
from studyapp.ui import state
from studyapp.ui.agreement.unit_text import unit_text_panel
from studyapp.ui.state import Store

PAGE_SIZE = 20
KEY = "agreement.adj"


def reconciliation_controls(store: Store, rounds: list[dict], viewer: str | None, is_lead: bool) -> None:
    """Which rounds are open for reconciliation; a lead can open or close each."""
    cols = st.columns(max(len(rounds), 1))
    for col, r in zip(cols, rounds):
        is_open = bool(r["reconciliation_open"])
        col.markdown(f"**{r.get('label') or r['id']}**: {'open' if is_open else 'blind'}")
        if is_lead:
            label = "Close reconciliation" if is_open else "Open reconciliation"
            if col.button(label, key=f"agreement.recon.{r['id']}"):
                try:
                    open_reconciliation(store, r["id"], actor=viewer, open_=not is_open)
                    st.rerun()
                except StudyError as e:
                    st.error(str(e))


def disagreement_list(store: Store, codebook_id: str, field: Field, d: Disagreements, viewer: str | None,
                      is_lead: bool) -> None:
    if d.hidden_rounds:
        st.caption("Blind until a lead opens reconciliation: " + ", ".join(d.hidden_rounds)
                   + ". Coders' values in these rounds are not shown.")
    if not d.rows:
        st.info("No disagreements to show for this field in rounds open for reconciliation.")
        return
    state.show_flash(KEY)
    st.progress(d.resolved / d.total, text=f"{d.resolved} of {d.total} disagreements resolved")
    only_open = st.toggle("Only unresolved", value=True, key=f"agreement.only_open.{field.id}")
    rows = [r for r in d.rows if not (only_open and r["final"] is not None)]
    page = st.number_input("Page", min_value=1, max_value=max(1, -(-len(rows) // PAGE_SIZE)), value=1,
                           key=f"agreement.dpage.{field.id}") if len(rows) > PAGE_SIZE else 1
    for r in rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]:
        head = plain_line(f"{r['key']} · {r['title'] or ''} · round {r['round']}")
        with st.expander(head, icon=":material/check_circle:" if r["final"] is not None else ":material/error:"):
            text_col, values_col = st.columns([3, 2], gap="medium")
            with text_col:
                unit_text_panel(r.get("unit_text"))
            with values_col:
                st.table({"coder": list(r["values"]), "value": list(r["values"].values())})
                if r["final"] is not None:
                    st.success(f"Final: {r['final']}")
                if is_lead:
                    _form(store, codebook_id, field, r, viewer)


def _form(store: Store, codebook_id: str, field: Field, r: dict, viewer: str | None) -> None:
    key = f"agreement.adj.{codebook_id}.{field.id}.{r['unit_id']}.{r['round']}"
    options = sorted(set(r["values"].values()))
    with st.form(key):
        choice = st.radio("Final value", options + ["Other value"], key=f"{key}.choice", horizontal=True,
                          format_func=plain_line)  # radio options are Markdown; coders' values are shown as text
        other = st.text_input("Other value (code id or label; ';' between codes)", key=f"{key}.other")
        rationale = st.text_area("Rationale (required)", key=f"{key}.why")
        if st.form_submit_button("Save final value"):
            value = other if choice == "Other value" else next(
                r["raw"][c] for c, shown in r["values"].items() if shown == choice)
            try:
                adjudicate(store, unit_id=r["unit_id"], codebook_id=codebook_id, field_id=field.id, value=value,
                           rationale=rationale, actor=viewer, round_id=r["round"])
                state.flash(KEY, f"{r['key']}: final value saved ({field.label}).")
                st.rerun()
            except StudyError as e:
                st.error(str(e))

