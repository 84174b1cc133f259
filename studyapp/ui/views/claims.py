"""Claims: each claim with its sources, its metric and test, and the verdict with its evidence.

Evidence table first (every claim's last verdict), then one claim's evidence: chart, statistics,
verdict and the exact queries. A lead validates (progress shown), edits a claim's check, and moves
claims in and out as claims.yaml.
"""

import streamlit as st

from studyapp.services.claims import report as claim_report
from studyapp.services.claims import validation
from studyapp.ui import state
from studyapp.ui.claims.views import (
    claim_detail,
    edit_panel,
    evidence_view,
    file_panel,
    validate_panel,
)
from studyapp.ui.widgets.downloads import downloads

KEY = "claims"


def render() -> None:
    st.title("Claims")
    viewer, lead = state.current_coder(), state.is_lead()
    with state.open_store() as store:
        claims = store.claims.list()
        flash = st.session_state.pop(f"{KEY}.flash", None)
        if flash:
            st.success(flash)
        if not claims:
            st.info("No claims recorded yet: import a claims.yaml (below, as a lead) or `studyapp claims import`.")
            file_panel(store, viewer, lead, KEY)
            return
        validate_panel(store, viewer, lead, KEY)
        evidence_view(store, KEY)
        records = claim_report.latest_records(store)
        if records:
            downloads(f"{KEY}.evidence_dl", "claims-evidence", table=claim_report.records_frame(records),
                      caption="Claims and their evidence", notes=[claim_report.NOTE])
        ids = [c["id"] for c in claims]
        by_id = {c["id"]: c for c in claims}
        pick = st.selectbox("Claim", ids, format_func=lambda i: f"{i}: {by_id[i]['text'][:90]}", key=f"{KEY}.pick")
        claim_detail(store, by_id[pick], validation.latest(store).get(pick), KEY)
        edit_panel(store, by_id[pick], viewer, lead, KEY)
        with st.expander("claims.yaml"):
            file_panel(store, viewer, lead, KEY)


if __name__ == "__main__":
    render()
