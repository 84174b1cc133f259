"""Interviews: a transcript read as a document, one speaker turn (segment) at a time coded."""

import streamlit as st

from studyapp.services.browse import unit_table
from studyapp.ui import state
from studyapp.ui.components.unit_panel import unit_panel


def render() -> None:
    st.title("Interviews")
    coder = state.current_coder()
    with state.open_store() as store:
        transcripts = store.units.list("transcript", with_text=False)
        if not transcripts:
            st.info("No transcripts in this study yet.")
            return
        names = {t["id"]: t["key"] for t in transcripts}
        tid = st.selectbox("Transcript", list(names), format_func=names.get, key="interviews.transcript")
        attrs = next(t["attrs"] for t in transcripts if t["id"] == tid)
        if attrs:
            st.caption(" · ".join(f"{k}: {v}" for k, v in attrs.items() if v))
        segments = unit_table(store, "segment", coder, parent_id=tid)
        left, right = st.columns([3, 2])
        with left:
            for s in segments:
                mark = f" · :blue-badge[{s['fields coded by you']} field(s) coded]" if s["fields coded by you"] else ""
                st.markdown(f"**{s['speaker'] or '—'}** `#{s['key'].rsplit(':', 1)[-1]}`{mark}")
                st.text(store.units.require(s["id"])["text"])
        with right:
            labels = {s["id"]: f"#{s['key'].rsplit(':', 1)[-1]} {s['speaker'] or ''}" for s in segments}
            sid = st.selectbox("Segment to code", list(labels), format_func=labels.get, key="interviews.segment")
            unit_panel(store, int(sid), "segment", coder, "interviews")


if __name__ == "__main__":
    render()
