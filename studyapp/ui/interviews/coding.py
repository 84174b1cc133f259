"""The Interviews coding view: the transcript read as a document (left) beside the panel that codes
the selected turn (right). Clicking a turn selects it; selecting text with the mouse in a turn
makes a pending quote span. The transcript is kept in the URL (`?t=KEY`) so a reload returns to it; a link's `&s=TURN`
selects that turn.
"""

from __future__ import annotations

import streamlit as st

from studyapp.render.safe_text import plain_line
from studyapp.services.interviews.views import coding_view as read_coding_view
from studyapp.ui import state
from studyapp.ui.interviews.panel import MEMO_CODE_KEY, PENDING_KEY, SEGMENT_KEY, segment_panel
from studyapp.ui.state import Store
from studyapp.ui.interviews.span_select import selection_event, span_document
from studyapp.ui.widgets.new_code import new_code_box

DOC_KEY = "interviews.doc"
TRANSCRIPT_KEY = "interviews.transcript"
CODEBOOK_KEY = "interviews.codebook"
ROUND_KEY = "interviews.round"


def _on_select() -> None:
    ev = selection_event(DOC_KEY)
    if not ev or ev.get("segment") is None:
        return
    state.put(SEGMENT_KEY, int(ev["segment"]))
    state.put(PENDING_KEY, ev if ev.get("text") else None)


def _on_transcript() -> None:
    state.pop(SEGMENT_KEY)
    state.put(PENDING_KEY, None)


def _read(store: Store, coder: str | None, transcript_id, codebook, round_id):
    return read_coding_view(store, coder, transcript_id, transcript_key=st.query_params.get("t"), codebook=codebook,
                            round=round_id, segment_id=state.get(SEGMENT_KEY), memo_code=state.get(MEMO_CODE_KEY))


def coding_view(store: Store, coder: str | None) -> None:
    v = _read(store, coder, state.get(TRANSCRIPT_KEY), state.get(CODEBOOK_KEY), state.get(ROUND_KEY))
    if not v.transcripts:
        st.info("No transcripts in this study yet: import some under **Import** (or `studyapp import transcripts`).")
        return
    if state.get(TRANSCRIPT_KEY) is None and st.query_params.get("t") in v.transcripts.values():
        state.put(TRANSCRIPT_KEY, v.transcript_id)  # a link's ?t=KEY opens that transcript
    books = {b.id: b for b in v.codebooks}
    c1, c2, c3 = st.columns([3, 2, 1])
    tid = c1.selectbox("Transcript", list(v.transcripts), format_func=v.transcripts.get, key=TRANSCRIPT_KEY,
                       on_change=_on_transcript)
    st.query_params["t"] = v.transcripts[tid]
    cb_id = c2.selectbox("Codebook", list(books), format_func=lambda b: f"{books[b].title} (v{books[b].version})",
                         key=CODEBOOK_KEY) if books else None
    round_id = c3.selectbox("Round", v.rounds, index=v.rounds.index(v.round) if v.round in (v.rounds or []) else 0,
                            key=ROUND_KEY, help="This codebook's rounds, opening on the active one a lead set.")
    if (tid, cb_id, round_id) != (v.transcript_id, v.codebook.id if v.codebook else None, v.round):
        v = _read(store, coder, tid, cb_id, round_id)  # a widget settled elsewhere: draw what it shows
    if v.about:
        st.caption(" · ".join(f"**{plain_line(k)}**: {plain_line(val)}" for k, val in v.about.items() if val))
    if v.codebook is None:
        st.caption("No interview codebook in this study: add one (`studyapp codebook add`) to code segments.")
    ids = [s["id"] for s in v.segments]
    if st.query_params.get("s"):  # a link's &s=TURN (from Retrieve) selects that turn, once
        hit = next((s["id"] for s in v.segments if s["key"] == st.query_params["s"]), None)
        if hit is not None:
            state.put(SEGMENT_KEY, hit)
            state.put(PENDING_KEY, None)
        del st.query_params["s"]
    if state.get(SEGMENT_KEY) not in ids:
        state.put(SEGMENT_KEY, ids[0] if ids else None)
        state.put(PENDING_KEY, None)
    left, right = st.columns([3, 2])
    with left:
        with st.container(height=720, key="interviews.document"):
            span_document(v.segments, key=DOC_KEY, selected=state.get(SEGMENT_KEY),
                          pending=state.get(PENDING_KEY), on_select=_on_select,
                          empty="This transcript has no segments.")
    with right:
        if ids:
            segment_panel(store, v, coder)
        if v.codebook is not None:  # in-vivo coding: a lead creates a code without leaving the transcript
            new_code_box(store, v.codebook, coder, key="interviews.code", where="coding interviews")
