"""The Interviews coding view: the transcript read as a document (left) beside the panel that codes
the selected turn (right). Clicking a turn selects it; selecting text with the mouse in a turn
makes a pending quote span. The transcript is kept in the URL (`?t=KEY`) so a reload returns to it.
"""

from __future__ import annotations

import streamlit as st

from studyapp.services.interviews.imports import participant_attributes_of
from studyapp.services.interviews.spans import document_view
from studyapp.services.study.browse import codebooks_for
from studyapp.store import Store
from studyapp.ui.interviews.panel import segment_panel
from studyapp.ui.widgets.span_select import selection_event, span_document

DOC_KEY = "interviews.doc"
SEGMENT_KEY = "interviews.segment"
PENDING_KEY = "interviews.pending"
TRANSCRIPT_KEY = "interviews.transcript"


def _on_select() -> None:
    ev = selection_event(DOC_KEY)
    if not ev or ev.get("segment") is None:
        return
    st.session_state[SEGMENT_KEY] = int(ev["segment"])
    st.session_state[PENDING_KEY] = ev if ev.get("text") else None


def _on_transcript() -> None:
    st.session_state.pop(SEGMENT_KEY, None)
    st.session_state[PENDING_KEY] = None


def coding_view(store: Store, coder: str | None) -> None:
    transcripts = store.units.list("transcript", with_text=False)
    if not transcripts:
        st.info("No transcripts in this study yet: import some under **Import** (or `studyapp import transcripts`).")
        return
    keys = {t["id"]: t["key"] for t in transcripts}
    wanted = st.query_params.get("t")
    if TRANSCRIPT_KEY not in st.session_state and wanted in keys.values():
        st.session_state[TRANSCRIPT_KEY] = next(i for i, k in keys.items() if k == wanted)
    books = codebooks_for(store, "segment")
    rounds = [r["id"] for r in store.rounds.list()]
    c1, c2, c3 = st.columns([3, 2, 1])
    tid = c1.selectbox("Transcript", list(keys), format_func=keys.get, key=TRANSCRIPT_KEY, on_change=_on_transcript)
    st.query_params["t"] = keys[tid]
    cb = c2.selectbox("Codebook", books, format_func=lambda b: f"{b.title} (v{b.version})",
                      key="interviews.codebook") if books else None
    round_id = c3.selectbox("Round", rounds, index=len(rounds) - 1, key="interviews.round")
    transcript = next(t for t in transcripts if t["id"] == tid)
    about = participant_attributes_of(store, transcript)
    if about:
        st.caption(" · ".join(f"**{k}**: {v}" for k, v in about.items() if v))
    if cb is None:
        st.caption("No interview codebook in this study: add one (`studyapp codebook add`) to code segments.")
    segments = document_view(store, tid, coder, cb.id if cb else None, round_id)
    ids = [s["id"] for s in segments]
    if st.session_state.get(SEGMENT_KEY) not in ids:
        st.session_state[SEGMENT_KEY] = ids[0] if ids else None
        st.session_state[PENDING_KEY] = None
    left, right = st.columns([3, 2])
    with left:
        with st.container(height=720, key="interviews.document"):
            span_document(segments, key=DOC_KEY, selected=st.session_state.get(SEGMENT_KEY),
                          pending=st.session_state.get(PENDING_KEY), on_select=_on_select,
                          empty="This transcript has no segments.")
    with right:
        if ids:
            segment_panel(store, segments, coder, cb, round_id)
