"""Home: the study at a glance: units, codebooks, coders' progress per field, recent changes."""

import altair as alt
import pandas as pd
import streamlit as st

from studyapp.render.safe_text import plain_line, safe_markdown
from studyapp.render.tables import human_table
from studyapp.services.study.views import home_view
from studyapp.ui import state


CODEBOOK_NAMES = {"id": "Codebook", "title": "Title", "version": "Version", "kind": "Kind", "fields": "Fields"}


def progress_chart(prog: pd.DataFrame) -> alt.VConcatChart:
    """One heatmap per codebook (fields x coders, share of the units coded), stacked. Stacked charts,
    not a facet: a row facet with its own y scale per codebook sizes its rows with an expression
    Streamlit's CSP-safe Vega interpreter cannot evaluate, and the chart was not drawn at all.
    Fields and codebooks by their labels; every field label drawn (one 22 px row each)."""
    prog = prog.assign(share=prog["share"].fillna(0.0))
    if "field_label" not in prog.columns:
        prog = prog.assign(field_label=prog["field"])
    if "codebook_title" not in prog.columns:
        prog = prog.assign(codebook_title=prog["codebook"])
    return alt.vconcat(*[
        alt.Chart(part, title=alt.Title(part["codebook_title"].iloc[0], anchor="start", fontSize=12))
        .mark_rect().encode(
            x=alt.X("coder:N", title="coder", axis=alt.Axis(labelAngle=0, labelOverlap=False)),
            y=alt.Y("field_label:N", title=None, sort=list(dict.fromkeys(part["field_label"])),
                    axis=alt.Axis(labelOverlap=False, labelLimit=260)),
            color=alt.Color("share:Q", scale=alt.Scale(domain=[0, 1], scheme="blues"), title="share coded",
                            legend=alt.Legend(format=".0%")),
            tooltip=[alt.Tooltip("codebook_title:N", title="codebook"), alt.Tooltip("field_label:N", title="field"),
                     "coder", "coded", "units", alt.Tooltip("share:Q", format=".0%")],
        ).properties(height=alt.Step(22))
        for _, part in sorted(prog.groupby("codebook"), key=lambda kv: kv[0])]).resolve_scale(color="shared")


def render() -> None:
    with state.open_store() as store:
        v = home_view(store, status=state.status, viewer=state.current_coder())
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
        st.dataframe(human_table(pd.DataFrame(v.codebooks), columns=CODEBOOK_NAMES), hide_index=True, width="stretch")
    else:
        st.info("No codebook yet: `studyapp codebook add DIR FILE.yaml`.")
    st.subheader("Progress per coder and field")
    prog = pd.DataFrame(v.progress)
    if prog.empty or not prog["coded"].any():
        st.info("Nothing coded yet.")
    else:
        st.altair_chart(progress_chart(prog))
    st.subheader("Recent changes")
    if v.recent:
        st.dataframe(pd.DataFrame(v.recent), hide_index=True, width="stretch")
    else:
        st.info("No changes yet.")
    if v.sign_ins:
        st.caption(f"{v.sign_ins} sign-in(s) in the same stretch of the audit log are left out.")


if __name__ == "__main__":
    render()
