"""Home: the study at a glance: units, codebooks, coders' progress per field, recent changes."""

import altair as alt
import pandas as pd
import streamlit as st

from studyapp.render.safe_text import plain_line, safe_markdown
from studyapp.services.study.views import home_view
from studyapp.ui import state


def progress_chart(prog: pd.DataFrame) -> alt.VConcatChart:
    """One heatmap per codebook (fields x coders, share of the units coded), stacked. Stacked charts,
    not a facet: a row facet with its own y scale per codebook sizes its rows with an expression
    Streamlit's CSP-safe Vega interpreter cannot evaluate, and the chart was not drawn at all."""
    prog = prog.assign(share=prog["share"].fillna(0.0))
    return alt.vconcat(*[
        alt.Chart(prog[prog["codebook"] == cb], title=alt.Title(cb, anchor="start", fontSize=12)).mark_rect().encode(
            x=alt.X("coder:N", title="coder", axis=alt.Axis(labelAngle=0)), y=alt.Y("field:N", title=None),
            color=alt.Color("share:Q", scale=alt.Scale(domain=[0, 1], scheme="blues"), title="share coded"),
            tooltip=["codebook", "field", "coder", "coded", "units", alt.Tooltip("share:Q", format=".0%")],
        ).properties(height=alt.Step(20))
        for cb in sorted(prog["codebook"].unique())]).resolve_scale(color="shared")


def render() -> None:
    with state.open_store() as store:
        v = home_view(store, status=state.status)
    st.title(plain_line(v.title))
    if v.description:
        st.markdown(safe_markdown(v.description))
    cols = st.columns(5)
    counts = [("Papers", v.units.get("paper", 0)), ("Transcripts", v.units.get("transcript", 0)),
              ("Segments", v.units.get("segment", 0)), ("Defects", v.units.get("defect", 0)), ("Claims", v.claims)]
    for col, (label, n) in zip(cols, counts):
        col.metric(label, n)
    st.caption(f"{v.annotations} annotations, {v.finals} final values, {v.memos} memos, "
               f"{v.history} changes in the audit log. Study folder: {plain_line(v.path)}")
    st.subheader("Codebooks")
    if v.codebooks:
        st.dataframe(pd.DataFrame(v.codebooks), hide_index=True, width="stretch")
    else:
        st.info("No codebook yet: `studyapp codebook add DIR FILE.yaml`.")
    st.subheader("Progress per coder and field")
    prog = pd.DataFrame(v.progress)
    if prog.empty or not prog["coded"].any():
        st.info("Nothing coded yet.")
    else:
        st.altair_chart(progress_chart(prog))
    st.subheader("Recent changes")
    st.dataframe(pd.DataFrame(v.recent), hide_index=True, width="stretch")


if __name__ == "__main__":
    render()
