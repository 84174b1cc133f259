"""The unit's text beside the coders' values while adjudicating (`services.agreement.unit_text`):
shown as plain text in a scrolling box, so imported text never renders as Markdown or HTML."""

from __future__ import annotations

import streamlit as st

from studyapp.services.agreement.unit_text import UnitText


def unit_text_panel(t: UnitText | None) -> None:
    if t is None:
        st.caption("The unit is no longer in the study.")
        return
    st.caption(f"{t.heading} · {t.meta}" if t.meta else t.heading)
    box = st.container(height=260 if len(t.text) > 600 else "content", border=True)
    with box:
        if t.title:
            st.text(t.title)
        st.text(t.text or "(no text)")
    if t.cut:
        st.caption("Cut here: the whole text is on the unit's own page.")
