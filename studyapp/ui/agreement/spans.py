"""The Agreement page's Quote spans view: Krippendorff's unitizing alpha per field, code and round."""

from __future__ import annotations

import streamlit as st

from studyapp.services.agreement import views as av
from studyapp.ui import state
from studyapp.ui.widgets.downloads import downloads


def spans_section(store, cb: str, viewer: str | None) -> None:
    v = av.spans_view(store, viewer, cb, span_agreement=state.span_agreement)
    if not v.rows:
        st.info("No quote spans in this codebook yet: span agreement appears once two coders have marked "
                "quotes in the same transcript.")
        return
    if v.hidden_rounds:
        st.info(f"Rounds {', '.join(v.hidden_rounds)}: the values appear once a lead opens reconciliation "
                "(they are computed over the other coders' spans).")
    st.markdown("**Per field and round**")
    st.dataframe(v.fields, hide_index=True, width="stretch", key="agreement.spans_fields")
    downloads("agreement.spans_fields_dl", f"span-agreement-{cb}", table=v.fields,
              caption="Agreement on quote spans (unitizing alpha)")
    st.markdown("**Per code**")
    st.dataframe(v.codes, hide_index=True, width="stretch", key="agreement.spans_codes")
    downloads("agreement.spans_codes_dl", f"span-agreement-codes-{cb}", table=v.codes,
              caption="Agreement on quote spans per code")
    st.caption(v.notes)
