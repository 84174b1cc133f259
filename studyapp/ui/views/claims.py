"""Claims: each claim with its sources, its metric and test, and the verdict with its evidence.

Evidence table first (every claim's last verdict), then one claim's evidence: chart, statistics,
verdict and the exact queries. A lead validates (progress shown), edits a claim's check, and moves
claims in and out as claims.yaml.
"""

import streamlit as st

from studyapp.services.claims import report as claim_report
from studyapp.services.claims.views import claims_view
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
        v = claims_view(store, state.get(f"{KEY}.pick"))
        state.show_flash(KEY)
        if not v.claims:
            st.info("No claims recorded yet: import a claims.yaml (below, as a lead) or `studyapp claims import`.")
            file_panel(store, v, viewer, lead, KEY)
            return
        if validate_panel(store, v, viewer, lead, KEY):
            v = claims_view(store, state.get(f"{KEY}.pick"))  # a validation stopped part-way: what it recorded
        evidence_view(v, KEY)
        if v.records is not None:
            downloads(f"{KEY}.evidence_dl", "claims-evidence", table=v.records, caption="Claims and their evidence",
                      notes=[claim_report.NOTE])
        by_id = v.by_id
        pick = st.selectbox("Claim", list(by_id), format_func=lambda i: f"{i}: {by_id[i]['text'][:90]}",
                            key=f"{KEY}.pick")
        if pick != v.claim["id"]:
            v = claims_view(store, pick)
        claim_detail(v, KEY)
        edit_panel(store, v, viewer, lead, KEY)
        with st.expander("claims.yaml"):
            file_panel(store, v, viewer, lead, KEY)


if __name__ == "__main__":
    render()
