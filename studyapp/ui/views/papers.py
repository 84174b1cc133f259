"""Papers: a systematic review from search export to extracted claims.

One view at a time, so screening never waits for the model of another view: Screen (blind, one key
per decision), Conflicts (counts for all, reconciliation for the lead), Extract (a form per included
paper), Claims, Records (duplicates), PRISMA (the 2020 flow diagram) and Import (uploads, snowballing,
exports; leads only).
"""

import streamlit as st

from studyapp.ui import state
from studyapp.ui.papers.conflicts import conflicts_view
from studyapp.ui.papers.extraction import claims_view, extraction_view
from studyapp.ui.papers.records import import_view, prisma_view, records_view
from studyapp.ui.papers.screening import screening_view

KEY = "papers"
VIEWS = ["Screen", "Conflicts", "Extract", "Claims", "Records", "PRISMA", "Import"]


def render() -> None:
    st.title("Papers")
    coder = state.current_coder()
    lead = state.is_lead()
    with state.open_store() as store:
        view = st.radio("View", VIEWS, key=f"{KEY}.view", horizontal=True, label_visibility="collapsed")
        if view == "Screen":
            screening_view(store, coder)
        elif view == "Conflicts":
            conflicts_view(store, coder, lead)
        elif view == "Extract":
            extraction_view(store, coder)
        elif view == "Claims":
            claims_view(store, coder)
        elif view == "Records":
            records_view(store, coder)
        elif view == "PRISMA":
            prisma_view(store)
        else:
            import_view(store, coder, lead)


if __name__ == "__main__":
    render()
