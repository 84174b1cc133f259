"""Defects: label GitHub issues against a defect taxonomy, analyse the labels, see the workflow.

One view at a time (Label, Analyse, Workflow, Import), so labelling never waits for the analysis.
"""

import streamlit as st

from studyapp.services.defects.views import defect_codebooks
from studyapp.ui import state
from studyapp.ui.defects.analysis import analysis_tab, workflow_tab
from studyapp.ui.defects.importing import import_tab
from studyapp.ui.defects.labelling import labelling_view

KEY = "defects"
VIEWS = ["Label", "Analyse", "Workflow", "Import"]


def render() -> None:
    st.title("Defects")
    coder = state.current_coder()
    lead = state.is_lead()
    with state.open_store() as store:
        books = defect_codebooks(store)
        c1, c2 = st.columns([3, 2])
        view = c1.radio("View", VIEWS, key=f"{KEY}.view", horizontal=True, label_visibility="collapsed")
        if not books:
            st.info("No codebook for defects in this study yet (`studyapp codebook add STUDY "
                    "codebooks/dl-reengineering-defects.yaml`).")
            return
        cb = c2.selectbox("Codebook", books, format_func=lambda b: f"{b.title} (v{b.version})", key=f"{KEY}.codebook",
                          label_visibility="collapsed") if len(books) > 1 else books[0]
        if view == "Label":
            if not coder:
                st.info("Choose who you are in the sidebar to start labelling.")
            else:
                labelling_view(store, cb, coder, KEY)
        elif view == "Import":
            import_tab(store, books, coder, lead, KEY)
        elif view == "Analyse":
            analysis_tab(store, cb, coder, KEY)
        else:
            workflow_tab(store, cb, coder, KEY)


if __name__ == "__main__":
    render()
