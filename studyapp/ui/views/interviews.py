"""Interviews: code transcripts as documents (turns, quote spans, memos), analyse the codes, import."""

import streamlit as st

from studyapp.ui import state
from studyapp.ui.interviews.analysis import analysis_view
from studyapp.ui.interviews.coding import coding_view
from studyapp.ui.interviews.importing import import_view
from studyapp.ui.interviews.refi import refi_view
from studyapp.ui.interviews.retrieve import retrieve_view
from studyapp.ui.interviews.stripes import stripes_view

VIEWS = {"Code": coding_view, "Stripes": stripes_view, "Retrieve": retrieve_view, "Analyse": analysis_view,
         "Import": import_view, "REFI-QDA": refi_view}


def render() -> None:
    st.title("Interviews")
    coder = state.current_coder()
    view = st.segmented_control("View", list(VIEWS), default="Code", key="interviews.view",
                                label_visibility="collapsed") or "Code"
    with state.open_store() as store:
        VIEWS[view](store, coder)


if __name__ == "__main__":
    render()
