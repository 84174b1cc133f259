"""The Analyse and Workflow tabs: distributions, cross-tabs with chi-square, conditional shares, and
the reengineering workflow as a flow with the interview evidence beside each stage.

Whose labels are analysed is chosen from `analysis_sources`: the viewer's own, the final values, and
other coders' only in rounds whose reconciliation is open, so analysis never breaks blind coding.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from studyapp.domain.codebook import Codebook
from studyapp.render.safe_text import plain_line
from studyapp.services.defects.views import (
    LEAF,
    Sources,
    analysis_view,
    level_options,
)
from studyapp.services.defects.views import workflow_tab as read_workflow
from studyapp.ui import state
from studyapp.ui.defects.charts import (
    crosstab_heatmap,
    distribution_chart,
    stage_manifestations,
)
from studyapp.ui.state import Store
from studyapp.ui.widgets.downloads import downloads


def pick_source(sources: Sources, key: str) -> int | None:
    """The "whose labels" picker (the index of the source chosen); None, with a note, when the viewer
    may analyse nobody's labels."""
    if sources.index is None:
        st.info("Choose who you are in the sidebar to analyse labels.")
        return None
    return st.selectbox("Whose labels", list(sources.labels), format_func=sources.labels.get, key=f"{key}.source",
                        help="Your own labels, the adjudicated (final) values, or another coder's labels in rounds "
                             "whose reconciliation is open.")


def _levels(cb: Codebook, field_id: str, label: str, key: str) -> int | None:
    options = level_options(cb, field_id)
    if not options:
        return None
    choice = st.selectbox(label, options, key=key, format_func=lambda v: "full codes" if v == LEAF else f"level {v}",
                          help="Read the code tree at a level: level 1 counts every child under its top code.")
    return None if choice == LEAF else int(choice)


SELECTIONS = {"source": "source", "field": "dist.field", "level": "dist.level", "rows": "xt.rows", "cols": "xt.cols",
              "row_level": "xt.row_level", "col_level": "xt.col_level"}


def _read(store: Store, cb: Codebook, coder: str | None, key: str, **chosen):
    """The view for the selections as the widgets hold them (`chosen` overrides what the session says)."""
    picks = {name: chosen.get(name, state.get(f"{key}.{suffix}")) for name, suffix in SELECTIONS.items()}
    return analysis_view(store, cb, coder, **picks, distribution_for=state.distribution_for, crosstab=state.crosstab)


def analysis_tab(store: Store, cb: Codebook, coder: str | None, key: str) -> None:
    v = _read(store, cb, coder, key)
    source = pick_source(v.sources, key)
    if source is None:
        return
    coded, names = v.coded, {f.id: f.label for f in cb.fields}
    st.markdown("#### Distribution")
    c1, c2 = st.columns([2, 1])
    field = c1.selectbox("Field", coded, format_func=names.get, key=f"{key}.dist.field",
                         index=coded.index("dl_stage") if "dl_stage" in coded else 0)
    with c2:
        level = _levels(cb, field, "Level", f"{key}.dist.level")
    if (source, field, level) != (v.sources.index, v.field, v.level):  # a widget settled elsewhere
        v = _read(store, cb, coder, key, source=source, field=field, level=level)
    if v.distribution_error:
        st.error(v.distribution_error)
        return
    d = v.distribution
    st.caption(f"{d['n']} defects with a value ({d['source']})" +
               ("; a defect can have several codes, so shares add up to more than 100%" if d["multi"] else ""))
    if d["n"]:
        st.altair_chart(distribution_chart(d), width="stretch")
        downloads(f"{key}.dist_dl", f"distribution-{field}", chart=distribution_chart(d),
                  table=pd.DataFrame(d["rows"])[["label", "count", "share"]], caption=f"{d['label']} ({d['source']})")
    st.markdown("#### Cross-tabulation")
    c1, c2, c3 = st.columns(3)
    rows = c1.selectbox("Rows", coded, format_func=names.get, key=f"{key}.xt.rows",
                        index=coded.index("dl_stage") if "dl_stage" in coded else 0)
    cols = c2.selectbox("Columns", coded, format_func=names.get, key=f"{key}.xt.cols",
                        index=coded.index("code_error") if "code_error" in coded else min(1, len(coded) - 1))
    show = c3.radio("Cells show", ["counts", "row %", "column %"], key=f"{key}.xt.show", horizontal=True)
    l1, l2 = st.columns(2)
    with l1:
        row_level = _levels(cb, rows, "Row level", f"{key}.xt.row_level")
    with l2:
        col_level = _levels(cb, cols, "Column level", f"{key}.xt.col_level")
    if (rows, cols, row_level, col_level) != (v.rows, v.cols, v.row_level, v.col_level):
        v = _read(store, cb, coder, key, source=source, field=field, level=level, rows=rows, cols=cols,
                  row_level=row_level, col_level=col_level)
    if v.crosstab_error:
        st.error(v.crosstab_error)
        return
    r = v.crosstab
    if not r["n"]:
        st.info("No defect has values in both fields.")
        return
    st.altair_chart(crosstab_heatmap(r, show), width="stretch")
    paper = dict(v.paper_table)
    downloads(f"{key}.xt_dl", f"crosstab-{rows}-{cols}", chart=crosstab_heatmap(r, show), table=paper.pop("df"),
              **paper)
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Defects", r["n"])
    if r["undefined_reason"]:
        m2.metric("Chi-square", "undefined")
        st.info(f"Chi-square does not apply: {r['undefined_reason']}.")
    else:
        m2.metric("Chi-square", f"{r['chi2']:.2f}", help=f"{r['dof']} degrees of freedom")
        m3.metric("p", f"{r['p']:.3g}")
        m4.metric("Cramér's V", f"{r['cramers_v']:.3f}")
    if r.get("caution"):
        st.warning(r["caution"])
    table = pd.DataFrame(r["counts"], index=r["row_labels"], columns=r["col_labels"])
    table["total"] = r["row_totals"]
    st.dataframe(table, width="stretch")
    _conditional_share(r, key)


def _conditional_share(r: dict, key: str) -> None:
    st.markdown("#### Conditional share")
    c1, c2 = st.columns(2)
    i = c1.selectbox(f"Of the defects with {r.get('row_field_label', r['row_field'])} =", range(len(r["rows"])),
                     format_func=lambda k: r["row_labels"][k], key=f"{key}.share.row")
    j = c2.selectbox(f"what share has {r.get('col_field_label', r['col_field'])} =", range(len(r["cols"])),
                     format_func=lambda k: r["col_labels"][k], key=f"{key}.share.col")
    num, den = r["counts"][i][j], r["row_totals"][i]
    pct = f"{100 * num / den:.1f}%" if den else "undefined (no defects in that row)"
    st.markdown(f"Of the **{den}** {plain_line(r['row_labels'][i])} defects, **{num}** ({pct}) are "
                f"**{plain_line(r['col_labels'][j])}**.")


def workflow_tab(store: Store, cb: Codebook, coder: str | None, key: str) -> None:
    v = read_workflow(store, cb, coder, source=state.get(f"{key}.source"), interview=state.get(f"{key}.wf.iv"),
                      workflow_for=state.workflow_for)
    source = pick_source(v.sources, key)
    if source is None:
        return
    if not v.has_stages:
        st.info(f"The workflow view needs a `dl_stage` field; codebook {cb.id!r} has none.")
        return
    iv = st.radio("Interview codes beside the stages", ["mine", "final"], key=f"{key}.wf.iv", horizontal=True,
                  format_func={"mine": "my interview codes", "final": "final (adjudicated) interview codes"}.get)
    if (source, iv) != (v.sources.index, v.interview):  # a widget settled elsewhere
        v = read_workflow(store, cb, coder, source=source, interview=iv, workflow_for=state.workflow_for)
    if v.error:
        st.error(v.error)
        return
    view = v.view
    st.caption(f"{view['n_defects']} defects with a stage ({view['source']}); interview codes: "
               f"{view['interview_source']}." + (f" {view['interview_note']}." if view["interview_note"] else ""))
    st.graphviz_chart(v.dot, width="content")  # natural size: text is never shrunk below 12 pt
    st.altair_chart(stage_manifestations(view), width="stretch")
    downloads(f"{key}.wf_dl", "workflow-manifestations", chart=stage_manifestations(view))
    for s in view["stages"]:
        share = f"{100 * s['share']:.1f}%" if s["share"] is not None else "-"
        with st.expander(f"{plain_line(s['label'])}: {s['defects']} defects ({share}), "
                         f"{s['interview']['segments']} interview segment(s)"):
            if s["root_causes"]:
                st.markdown("Root causes: " + ", ".join(plain_line(f"{c['label']} ({c['count']})")
                                                          for c in s["root_causes"]))
            if s["interview"]["codes"]:
                st.markdown("Interview codes: " + ", ".join(plain_line(f"{c['label']} ({c['segments']})")
                                                            for c in s["interview"]["codes"]))
            for q in s["interview"]["quotes"]:
                st.text(f"{q['unit']}: {q['text']}")
