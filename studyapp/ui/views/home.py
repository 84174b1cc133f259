"""Home: the study at a glance: units, codebooks, coders' progress per field, recent changes."""

import altair as alt
import pandas as pd
import streamlit as st

from studyapp.ui import state


def render() -> None:
    with state.open_store() as store:
        st_ = state.cached_call(store, "studyapp.services.study.study.status")
        recent = store.history.recent(15)
        description = store.meta("description")
    st.title(st_["title"])
    if description:
        st.write(description)
    units = st_["units"]
    cols = st.columns(5)
    for col, (label, n) in zip(cols, [("Papers", units.get("paper", 0)), ("Transcripts", units.get("transcript", 0)),
                                      ("Segments", units.get("segment", 0)), ("Defects", units.get("defect", 0)),
                                      ("Claims", st_["claims"])]):
        col.metric(label, n)
    st.caption(f"{st_['annotations']} annotations, {st_['finals']} final values, {st_['memos']} memos, "
               f"{st_['history']} changes in the audit log. Study folder: {st_['path']}")
    st.subheader("Codebooks")
    if st_["codebooks"]:
        st.dataframe(pd.DataFrame(st_["codebooks"]), hide_index=True, width="stretch")
    else:
        st.info("No codebook yet: `studyapp codebook add DIR FILE.yaml`.")
    st.subheader("Progress per coder and field")
    prog = pd.DataFrame(st_["progress"])
    if prog.empty or not prog["coded"].any():
        st.info("Nothing coded yet.")
    else:
        prog["share"] = prog["share"].fillna(0.0)
        chart = alt.Chart(prog).mark_rect().encode(
            x=alt.X("coder:N", title="coder"), y=alt.Y("field:N", title=None),
            color=alt.Color("share:Q", scale=alt.Scale(domain=[0, 1], scheme="blues"), title="share coded"),
            tooltip=["codebook", "field", "coder", "coded", "units", alt.Tooltip("share:Q", format=".0%")],
        ).properties(height=alt.Step(16)).facet(row=alt.Row("codebook:N", title=None)).resolve_scale(y="independent")
        st.altair_chart(chart)
    st.subheader("Recent changes")
    st.dataframe(pd.DataFrame([{"when": h["at"][:19].replace("T", " "), "who": h["actor"], "what": h["action"],
                                "field": h["field"], "coder": h["coder"]} for h in recent]),
                 hide_index=True, width="stretch")


if __name__ == "__main__":
    render()
