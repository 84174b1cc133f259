"""Agreement: how far coders agree per field, level and round; where they disagree; final values."""

from __future__ import annotations

import streamlit as st

from studyapp.render.safe_text import plain_line
from studyapp.render.tables import human_table
from studyapp.services.agreement import views as av
from studyapp.ui import state
from studyapp.ui.agreement.adjudication import disagreement_list, reconciliation_controls
from studyapp.ui.agreement.spans import spans_section
from studyapp.ui.agreement.charts import confusion_heatmap, pairwise_heatmap, round_trend
from studyapp.ui.widgets.downloads import downloads

VIEWS = ["Overview", "Field", "Disagreements", "Quote spans", "Report"]
#: Column names people read (the read-models keep the ids that CSV/JSON exports carry).
OVERVIEW_NAMES = {"label": "Field", "rounds": "Round", "percent_agreement": "% agreement", "kappa": "Kappa",
                  "krippendorff_alpha": "Alpha", "alpha 95% CI": "Alpha 95% CI", "alpha_band": "Alpha band",
                  "gwet_ac1": "AC1", "undefined_reason": "Undefined because"}
STATS_NAMES = {"ci95": "95% CI", "interpretation": "Interpretation", "undefined": "Undefined because"}
TREND_NAMES = {"kappa": "Kappa", "alpha": "Alpha"}
PER_CODE_NAMES = {"label": "Code", "code": "Code id", "uses": "Uses", "kappa": "Kappa", "alpha": "Alpha",
                  "band": "Band", "undefined": "Undefined because"}
FORMAT_LABELS = {"markdown": "Markdown", "latex": "LaTeX (booktabs)", "html": "HTML with chart"}


def render() -> None:
    st.title("Agreement")
    viewer = state.current_coder()
    with state.open_store() as store:
        frame = av.agreement_frame(store, viewer)
        if not frame.codebooks:
            st.info("Nothing coded yet: agreement appears once two coders have coded the same units.")
            return
        cb = st.selectbox("Codebook", frame.codebooks, key="agreement.codebook")
        # One view per run (not tabs): each view computes only what it shows.
        view = st.radio("View", VIEWS, horizontal=True, key="agreement.view", label_visibility="collapsed")
        if view == "Overview":
            _overview(store, cb, viewer)
        elif view == "Field":
            _detail(store, cb, viewer)
        elif view == "Disagreements":
            _disagreements(store, cb, viewer, frame.is_lead)
        elif view == "Quote spans":
            spans_section(store, cb, viewer)
        else:
            _report(store, cb, viewer)


def _left_out(notes) -> None:
    if notes:
        st.caption("Left out: " + "; ".join(notes) + ".")


def _overview(store, cb: str, viewer: str | None) -> None:
    """Every field (and tree level) per round: the numbers a methods section reports."""
    v = av.overview_view(store, cb, field_rows=state.field_rows, viewer=viewer)
    if v.table.empty:
        st.info("No field of this codebook has codings by two or more coders in a round you may see.")
        _left_out(v.left_out)
        return
    _left_out(v.left_out)
    table = human_table(v.table, columns=OVERVIEW_NAMES)
    st.dataframe(table, hide_index=True, width="stretch", key="agreement.overview",
                 column_config={c: st.column_config.NumberColumn(format="%.3f")
                                for c in ("% agreement", "Kappa", "Alpha", "AC1")})
    st.caption("One row per field, tree level and round (never pooled). Kappa: Cohen's for two coders, "
               "Fleiss' for more; alpha: Krippendorff's (MASI distance for multi-code fields), 95% bootstrap "
               "interval. Bands: Krippendorff (2004) >= .800 reliable, >= .667 tentative conclusions only.")
    downloads("agreement.overview_dl", f"agreement-alpha-{cb}", chart=v.chart)


def _read_field(store, cb: str, viewer: str | None, **chosen) -> av.FieldView:
    picks = {"field": state.get("agreement.field"), "level": state.get("agreement.level"),
             "rounds": state.get("agreement.rounds"), "coders": state.get("agreement.coders")} | chosen
    return av.field_view(store, viewer, cb, **picks, field_agreement=state.field_agreement,
                         agreement_by_round=state.agreement_by_round)


def _detail(store, cb: str, viewer: str | None) -> None:
    v = _read_field(store, cb, viewer)
    if not v.fields:
        st.info("No field of this codebook has codings.")
        return
    field_id = st.selectbox("Field", list(v.fields), format_func=v.fields.get, key="agreement.field")
    level = st.radio("Code tree level", v.levels, horizontal=True, key="agreement.level") if v.levels else None
    if (field_id, level) != (v.field_id, v.level):  # a widget settled elsewhere: ask again for what it shows
        v = _read_field(store, cb, viewer, field=field_id, level=level)
    _left_out(v.left_out)
    if not v.round_options:
        st.info("No round of this field has two or more coders you may compare yet.")
        return
    c1, c2 = st.columns(2)
    rounds = c1.multiselect("Rounds", v.round_options, default=v.round_options[-1:], key="agreement.rounds",
                            help="Several rounds: a unit coded in two rounds counts twice.")
    if rounds != v.rounds:
        v = _read_field(store, cb, viewer, field=field_id, level=level, rounds=rounds)
    coders = c2.multiselect("Coders", v.coder_options, default=v.coder_options, key="agreement.coders")
    if coders != v.coders:
        v = _read_field(store, cb, viewer, field=field_id, level=level, rounds=rounds, coders=coders)
    if len(coders) < 2 or v.agreement is None:
        st.warning("Choose at least two coders and a round.")
        return
    fa = v.agreement
    st.subheader(f"{plain_line(fa.label)}: {fa.summary.n_pairable} units coded by two or more of "
                 f"{fa.summary.n_coders} coders")
    stats = human_table(fa.stats_frame(), columns=STATS_NAMES)
    st.dataframe(stats, hide_index=True, width="stretch", key="agreement.stats",
                 column_config={"Value": st.column_config.NumberColumn(format="%.3f")})
    downloads("agreement.stats_dl", f"agreement-{cb}-{fa.name}", table=stats,
              caption=f"Agreement: {fa.label}")
    if v.trend is not None:
        st.markdown("**Across rounds**")
        st.altair_chart(round_trend(v.trend), width="stretch")
        downloads("agreement.trend_dl", f"agreement-rounds-{fa.name}", chart=round_trend(v.trend),
                  table=human_table(v.trend, columns=TREND_NAMES))
    left, right = st.columns(2)
    with left:
        pairs = fa.pairwise_frame()
        if not pairs.empty:
            st.markdown("**Pairwise Cohen's kappa**")
            st.altair_chart(pairwise_heatmap(pairs))
            downloads("agreement.pairs_dl", f"pairwise-kappa-{fa.name}", chart=pairwise_heatmap(pairs))
    with right:
        _confusion(v)
    per_code = fa.per_code_frame()
    if not per_code.empty:
        if not v.details_visible:
            st.caption("Agreement per code is shown to leads, or to everyone once reconciliation is open: how "
                       "often each code was used would reveal another coder's labels.")
            return
        st.markdown("**Per code** (one code against the rest)")
        st.dataframe(human_table(per_code, columns=PER_CODE_NAMES), hide_index=True, width="stretch",
                     key="agreement.per_code", column_config={c: st.column_config.NumberColumn(format="%.3f")
                                                              for c in ("% agreement", "Kappa", "Alpha")})


def _confusion(v: av.FieldView) -> None:
    fa = v.agreement
    if fa.summary.multi or len(fa.data.coders) < 2:
        return
    if not v.details_visible:
        st.caption("Confusion matrices are shown to leads, or to everyone once reconciliation is open: "
                   "with your own labels they would reveal another coder's.")
        return
    a, b = fa.data.coders[0], fa.data.coders[1]
    if len(fa.data.coders) > 2:
        c1, c2 = st.columns(2)
        a = c1.selectbox("Rows", fa.data.coders, index=0, key="agreement.cm_a")
        b = c2.selectbox("Columns", fa.data.coders, index=1, key="agreement.cm_b")
    table = fa.confusion(a, b)
    if a != b and not table.empty:
        st.markdown(f"**Confusion matrix: {plain_line(a)} x {plain_line(b)}**")
        st.altair_chart(confusion_heatmap(table, a, b))
        downloads("agreement.cm_dl", f"confusion-{fa.name}-{a}-{b}", chart=confusion_heatmap(table, a, b),
                  table=table.rename_axis(f"{a} \\ {b}").reset_index())


def _disagreements(store, cb: str, viewer: str | None, is_lead: bool) -> None:
    v = av.disagreements_view(store, cb, field=state.get("agreement.dfield"),
                              reconciliation_progress=state.reconciliation_progress)
    reconciliation_controls(store, v.rounds, viewer, is_lead)
    if not v.progress.empty:
        st.dataframe(human_table(v.progress), hide_index=True, width="stretch", key="agreement.progress")
    field_id = st.selectbox("Field to reconcile", list(v.fields), format_func=v.fields.get, key="agreement.dfield")
    if field_id is None:
        return
    if field_id != v.field_id:
        v = av.disagreements_view(store, cb, field=field_id, reconciliation_progress=state.reconciliation_progress)
    disagreement_list(store, cb, v.field, v.disagreements, viewer, is_lead)


def _report(store, cb: str, viewer: str | None) -> None:
    fmt = st.radio("Format", list(av.REPORT_MIME), horizontal=True, key="agreement.report_fmt",
                   format_func=lambda f: FORMAT_LABELS.get(f, f.upper()))
    with_spans = st.checkbox("With quote spans (unitizing alpha)", key="agreement.report_spans")
    span_rows = av.spans_view(store, viewer, cb, span_agreement=state.span_agreement).rows if with_spans else None
    v = av.report_view(store, cb, fmt, field_rows=state.field_rows, viewer=viewer, span_rows=span_rows)
    if not v.rows:
        st.info("No field of this codebook has codings.")
        return
    st.download_button(f"Download {v.ext.upper()}", v.text, file_name=f"agreement-{cb}.{v.ext}", mime=v.mime,
                       key="agreement.download")
    if fmt in ("markdown", "latex", "csv"):
        st.code(v.text, language={"markdown": "markdown", "latex": "latex"}.get(fmt))


if __name__ == "__main__":
    render()
