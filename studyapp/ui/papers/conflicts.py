"""The Conflicts view: where screening stands, and the lead's reconciliation of a stage.

Everyone sees the team's counts per stage (no one's decisions). A stage's conflicts, with every
reviewer's decision and reason, show only after a lead opens its reconciliation; the lead then
resolves each with a final decision and a rationale, kept apart from the reviewers' decisions.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from studyapp.errors import StudyError
from studyapp.render.safe_text import plain_line
from studyapp.services.papers import screening
from studyapp.services.papers.views import ConflictsView
from studyapp.services.papers.views import conflicts_view as read_conflicts
from studyapp.ui import state
from studyapp.ui.papers.screening import STAGE_LABELS, chosen_stage, stage_picker
from studyapp.ui.state import Store


def status_table(v: ConflictsView) -> None:
    rows = [{"stage": STAGE_LABELS[s], **v.status[s]} for s in STAGE_LABELS]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="papers.conflicts.status")
    st.caption(f"Each paper needs {v.reviewers} independent reviewers per stage. Pending: fewer "
               "reviewers have decided; conflict: they disagree (or exclude for different reasons at full text).")


def _lead_controls(store: Store, v: ConflictsView, stage: str, viewer: str, key: str) -> None:
    is_open = v.reconciliation_open
    c1, c2 = st.columns([2, 1])
    if c1.button("Close reconciliation" if is_open else "Open reconciliation of this stage",
                 key=f"{key}.recon.{stage}",
                 help="Opening shows every reviewer's decision on this stage to everyone; closing hides them again."):
        try:
            screening.open_stage_reconciliation(store, stage, actor=viewer, open_=not is_open)
        except StudyError as e:
            st.error(e.message)
        else:
            st.rerun()
    n = c2.number_input("Reviewers per paper", min_value=1, max_value=10, value=v.reviewers,
                        key=f"{key}.reviewers")
    if n != v.reviewers:
        screening.set_reviewers(store, int(n), actor=viewer)
        st.rerun()


def conflicts_view(store: Store, viewer: str | None, is_lead: bool, key: str = "papers.conflicts") -> None:
    v = read_conflicts(store, viewer, chosen_stage(f"{key}.stage"))
    if not v.has_papers:
        st.info("No papers yet.")
        return
    if v.setup_error:
        st.info(f"Screening needs an SLR codebook with screening criteria: {v.setup_error}")
        return
    status_table(v)
    stage = stage_picker(f"{key}.stage")
    if is_lead:
        _lead_controls(store, v, stage, viewer, key)
    state.show_flash(key)
    c = v.conflicts
    if c.hidden:
        st.info(f"{c.count} conflict(s) at this stage. Open reconciliation to see and resolve them." if is_lead else
                "Reviewers' decisions stay hidden until a lead opens this stage's reconciliation.")
        return
    if not c.rows:
        st.success("No conflicts at this stage.")
        return
    st.markdown(f"**{c.count} conflict(s)**")
    for row in c.rows:
        with st.container(border=True, key=f"{key}.c.{row['unit_id']}"):
            st.markdown(f"**{plain_line(row['key'])}** · "
                        + plain_line(f"{row['title']} ({row.get('year') or 'n.d.'})"))
            st.table(pd.DataFrame([{"reviewer": k, "decision": v} for k, v in row["votes"].items()]))
            if is_lead:
                _resolve_form(store, row, stage, v.reasons, viewer, key)


def _resolve_form(store: Store, row: dict, stage: str, reasons: list, viewer: str, key: str) -> None:
    uid = row["unit_id"]
    with st.form(f"{key}.form.{stage}.{uid}"):
        decision = st.radio("Final decision", ["include", "exclude"], horizontal=True, key=f"{key}.d.{stage}.{uid}")
        reason = st.selectbox("Exclusion criterion (with exclude)", [r.id for r in reasons],
                              format_func=lambda r: next(f"{x.id}: {x.label}" for x in reasons if x.id == r),
                              key=f"{key}.r.{stage}.{uid}")
        why = st.text_area("Rationale", key=f"{key}.why.{stage}.{uid}", height=68)
        if st.form_submit_button("Resolve"):
            try:
                screening.resolve(store, uid, stage, decision, reason if decision == "exclude" else None, why,
                                  actor=viewer)
            except StudyError as e:
                st.error(f"Not resolved: {e.message}")
            else:
                state.flash(key, f"{row['key']}: final decision {decision}.")
                st.rerun()
