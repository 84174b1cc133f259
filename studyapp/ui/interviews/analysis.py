"""The Interviews analysis view: code frequencies (overall and per participant attribute), the
co-occurrence heatmap, quotes per code (Markdown download), the participant x theme matrix and the
saturation curve. Each view calls one service of `services.interviews.qualitative` / `.saturation`,
the same ones the CLI prints, with the viewer's blindness applied.
"""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import streamlit as st

from studyapp.errors import StudyError
from studyapp.render.charts import saturation_chart as curve_chart
from studyapp.render.safe_text import plain, plain_line, safe_markdown
from studyapp.services.interviews import qualitative as q
from studyapp.services.interviews.saturation import (
    Saturation,
    saturation_from_data,
    saturation_in_study,
)
from studyapp.services.interviews.views import AnalysisFrame, analysis_frame
from studyapp.ui import state
from studyapp.ui.state import Store
from studyapp.ui.widgets.code_picker import code_picker
from studyapp.ui.widgets.downloads import downloads

VIEWS = ["Frequencies", "By attribute", "Co-occurrence", "Quotes", "Framework matrix", "Saturation"]
SOURCES = {"all": "All coders (what you may see)", "mine": "My codes", "final": "Adjudicated"}
CODEBOOK_KEY = "interviews.a_codebook"


def analysis_view(store: Store, coder: str | None) -> None:
    frame = analysis_frame(store, state.get(CODEBOOK_KEY))
    if not frame.codebooks:
        st.info("No interview codebook in this study yet.")
        return
    books = {b.id: b for b in frame.codebooks}
    c1, c2, c3 = st.columns([2, 2, 1])
    cb_id = c1.selectbox("Codebook", list(books), format_func=lambda b: books[b].title, key=CODEBOOK_KEY)
    if cb_id != frame.codebook.id:
        frame = analysis_frame(store, cb_id)
    src = c2.selectbox("Whose codes", list(SOURCES), format_func=SOURCES.get, key="interviews.a_source")
    level = c3.selectbox("Codes", [None, 1], format_func=lambda v: "as coded" if v is None else "top-level themes",
                         key="interviews.a_level")
    kw = {"viewer": coder, "source": coder if src == "mine" and coder else src, "level": level}
    view = st.segmented_control("Analysis", VIEWS, default=VIEWS[0], key="interviews.a_view") or VIEWS[0]
    try:
        {"Frequencies": _frequencies, "By attribute": _by_attribute, "Co-occurrence": _cooccurrence,
         "Quotes": _quotes, "Framework matrix": _matrix, "Saturation": _saturation}[view](store, frame, kw)
    except StudyError as e:
        st.error(str(e))


def _frequencies(store: Store, frame: AnalysisFrame, kw: dict) -> None:
    cb = frame.codebook
    df = q.frequencies(store, cb.id, **kw)
    if df.empty:
        st.info("Nothing coded yet (that you may see).")
        return
    chart = alt.Chart(df).mark_bar().encode(
        x=alt.X("participants:Q", title="participants mentioning the code"),
        y=alt.Y("label:N", sort="-x", title=None),
        color=alt.Color("field:N", title="field"),
        tooltip=["field", "label", "segments", "participants", "transcripts", alt.Tooltip("share:Q", format=".0%")])
    chart = chart.properties(height=max(120, 18 * len(df)))
    st.altair_chart(chart, width="stretch")
    st.dataframe(df.drop(columns=["color"]), hide_index=True, width="stretch",
                 column_config={"share": st.column_config.NumberColumn(format="percent")})
    downloads("interviews.freq_dl", f"code-frequencies-{cb.id}", chart=chart, table=df.drop(columns=["color"]),
              caption=f"Code frequencies: {cb.title}")


def _by_attribute(store: Store, frame: AnalysisFrame, kw: dict) -> None:
    cb = frame.codebook
    attrs = frame.attributes
    if not attrs:
        st.info("No participant attributes yet: import a participants CSV under **Import**.")
        return
    c1, c2 = st.columns([3, 1])
    attr = c1.selectbox("Participant attribute", attrs, key="interviews.a_attr")
    split = c2.checkbox("Split values at commas", key="interviews.a_split")
    df = q.frequencies_by_attribute(store, cb.id, attr, split="," if split else None, **kw)
    if df.empty:
        st.info("Nothing coded yet (that you may see).")
        return
    df["group"] = df["group"] + " (n=" + df["group_size"].astype(str) + ")"
    chart = alt.Chart(df).mark_rect().encode(
        x=alt.X("group:N", title=attr), y=alt.Y("label:N", title=None),
        color=alt.Color("share:Q", title="share of group", scale=alt.Scale(domain=[0, 1], scheme="blues")),
        tooltip=["label", "group", "participants", "group_size", alt.Tooltip("share:Q", format=".0%"), "segments"])
    chart = chart.properties(height=max(120, 18 * df["label"].nunique()))
    st.altair_chart(chart, width="stretch")
    st.dataframe(df, hide_index=True, width="stretch")
    downloads("interviews.attr_dl", f"code-frequencies-{cb.id}-by-{attr}", chart=chart, table=df,
              caption=f"Code frequencies by {attr}: {cb.title}")


def _cooccurrence(store: Store, frame: AnalysisFrame, kw: dict) -> None:
    cb = frame.codebook
    c1, c2 = st.columns(2)
    by = "participant" if c1.checkbox("Count participants, not turns", key="interviews.a_by_person") else "segment"
    diag = c2.checkbox("Show each code's own count (diagonal)", key="interviews.a_diag")
    df = q.cooccurrence(store, cb.id, by=by, **kw)
    if not diag:
        df = df[df["a"] != df["b"]]
    if df.empty:
        st.info("No two codes on the same " + ("participant" if by == "participant" else "turn") + " yet.")
        return
    chart = alt.Chart(df).mark_rect().encode(
        x=alt.X("a:N", title=None), y=alt.Y("b:N", title=None),
        color=alt.Color("count:Q", scale=alt.Scale(scheme="oranges")),
        tooltip=["a", "b", "count", alt.Tooltip("c:Q", format=".2f", title="c-coefficient")])
    text = chart.mark_text(fontSize=10).encode(text="count:Q", color=alt.value("#222"))
    side = 24 * df["a"].nunique() + 40
    chart = (chart + text).properties(height=max(160, side))
    st.altair_chart(chart, width="stretch")
    downloads("interviews.cooc_dl", f"cooccurrence-{cb.id}", chart=chart, table=df[["a", "b", "count", "c"]],
              caption=f"Code co-occurrence: {cb.title}")
    st.caption("c-coefficient = n_ab / (n_a + n_b − n_ab): 0 never together, 1 always together.")


def _quotes(store: Store, frame: AnalysisFrame, kw: dict) -> None:
    cb = frame.codebook
    labels = {c.ref: c.label for c in frame.choices}
    c1, c2 = st.columns([3, 1])
    picked = code_picker("Codes", list(labels), labels.get, key="interviews.a_codes", container=c1,
                         placeholder="All codes")
    whole = c2.checkbox("Quote coded turns without a span", key="interviews.a_whole")
    codes = [tuple(r.split(":", 1)) for r in picked] or None
    md = q.quotes_markdown(store, cb.id, codes=codes, whole_segments=whole, **kw)
    st.download_button("Download Markdown", md, file_name=f"quotes-{cb.id}.md", mime="text/markdown",
                       key="interviews.a_download")
    st.markdown(safe_markdown(md))


def _matrix(store: Store, frame: AnalysisFrame, kw: dict) -> None:
    cb = frame.codebook
    fields = [f for f in cb.fields if f.is_coded]
    c1, c2 = st.columns([3, 1])
    chosen = c1.multiselect("Themes from", [f.id for f in fields], default=[fields[0].id] if fields else [],
                            format_func=lambda i: cb.field(i).label, key="interviews.a_fields")
    cells = c2.radio("Cells", ["counts", "quotes"], key="interviews.a_cells", horizontal=True)
    m = q.framework_matrix(store, cb.id, fields=chosen or None, level=kw["level"] or 1, viewer=kw["viewer"],
                           source=kw["source"])
    counts = m["counts"]
    if counts.empty or not counts.shape[1]:
        st.info("Nothing coded yet (that you may see).")
        return
    if cells == "counts":
        long = counts.reset_index().melt(id_vars="participant", var_name="theme", value_name="turns")
        chart = alt.Chart(long).mark_rect().encode(
            x=alt.X("theme:N", title=None), y=alt.Y("participant:N", sort=list(counts.index)),
            color=alt.Color("turns:Q", scale=alt.Scale(scheme="greens")), tooltip=["participant", "theme", "turns"])
        chart = chart.properties(height=max(120, 26 * len(counts)))
        st.altair_chart(chart, width="stretch")
        st.dataframe(counts, width="stretch")
        downloads("interviews.matrix_dl", f"framework-matrix-{cb.id}", chart=chart, table=counts.reset_index(),
                  caption=f"Participants x themes: {cb.title}")
    else:
        st.dataframe(m["summary"], width="stretch")


def _saturation(store: Store, frame: AnalysisFrame, kw: dict) -> None:
    cb = frame.codebook
    where = st.radio("Data", ["This study", "A code table (CSV)"], horizontal=True, key="interviews.sat_source")
    if where == "This study":
        curve = saturation_in_study(store, cb.id, **kw)
    else:
        up = st.file_uploader("(participant, code) table, one row per code mention", type=["csv"],
                              key="interviews.sat_file")
        c1, c2 = st.columns(2)
        pcol = c1.text_input("Participant column", value="", placeholder="participant", key="interviews.sat_pcol")
        ccol = c2.text_input("Code column", value="", placeholder="code", key="interviews.sat_ccol")
        if up is None:
            st.caption("The same computation as `studyapp saturation FILE.csv`.")
            return
        curve = saturation_from_data(up.name, up.getvalue(), participant=pcol or None, code=ccol or None)
    saturation_chart(curve)


def saturation_chart(curve: Saturation) -> None:
    for w in curve.warnings:
        st.warning(plain(w))
    if not curve.participants:
        st.info("No participants yet.")
        return
    df = pd.DataFrame(curve.rows())
    st.altair_chart(curve_chart(curve), width="stretch")
    if curve.last_new:
        st.caption(f"New codes per interview (bars) and distinct codes so far (line): the last new code came "
                   f"from {plain_line(curve.last_new)}, interview {curve.participants.index(curve.last_new) + 1} of "
                   f"{len(curve.participants)}; {curve.cumulative[-1]} distinct codes.")
    st.dataframe(df, hide_index=True, width="stretch")
    st.download_button("Download JSON", json.dumps(curve.as_dict()), file_name="saturation.json",
                       mime="application/json", key="interviews.sat_download")
    downloads("interviews.sat_dl", "saturation", chart=curve_chart(curve), table=df, caption="Code saturation")
