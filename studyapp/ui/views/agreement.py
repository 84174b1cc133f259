"""Agreement: how far coders agree per field, level and round; where they disagree; final values."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from studyapp.domain import roles
from studyapp.ui import state
from studyapp.ui.agreement.adjudication import (
    disagreement_list,
    reconciliation_controls,
)
from studyapp.ui.agreement.charts import (
    confusion_heatmap,
    pairwise_heatmap,
    round_trend,
)
from studyapp.ui.widgets.downloads import downloads

SVC = "studyapp.services.agreement.fields"
VIEWS = ["Overview", "Field", "Disagreements", "Report"]
REPORT_MIME = {"markdown": ("md", "text/markdown"), "latex": ("tex", "text/x-tex"), "csv": ("csv", "text/csv"),
               "html": ("html", "text/html"), "json": ("json", "application/json")}


def render() -> None:
    st.title("Agreement")
    viewer = state.current_coder()
    with state.open_store() as store:
        in_use = store.annotations.fields_in_use()
        if not in_use:
            st.info("Nothing coded yet: agreement appears once two coders have coded the same units.")
            return
        codebooks = sorted({cb for cb, _ in in_use})
        is_lead = roles.is_lead(store, viewer)
        cb = st.selectbox("Codebook", codebooks, key="agreement.codebook")
        # One view per run (not tabs): each view computes only what it shows.
        view = st.radio("View", VIEWS, horizontal=True, key="agreement.view", label_visibility="collapsed")
        if view == "Overview":
            _overview(store, cb)
        elif view == "Field":
            _detail(store, cb, viewer)
        elif view == "Disagreements":
            _disagreements(store, cb, viewer, is_lead)
        else:
            _report(store, cb)


def _report_rows(store, cb: str) -> list:
    """Every field's report rows, each cached on that field's last change (and the codebook version
    and rounds), so saving one code recomputes one field, not the overview."""
    from studyapp.services.agreement.report import report_fields

    version = (store.codebooks.latest(cb) or {}).get("id")
    rounds = tuple((r["id"], r["reconciliation_open"]) for r in store.rounds.list())
    return [fa for fid in report_fields(store, cb)
            for fa in state.cached_on(store, ("field", cb, fid, version, store.history.field_counter(cb, fid), rounds),
                                      "studyapp.services.agreement.report.field_rows", cb, fid)]


def _overview(store, cb: str) -> None:
    """Every field (and tree level) per round: the numbers a methods section reports."""
    rows = _report_rows(store, cb)
    table = pd.DataFrame([fa.headline() for fa in rows])
    if table.empty:
        st.info("No field of this codebook has codings.")
        return
    table["alpha 95% CI"] = table["alpha_ci95"].map(lambda c: f"[{c[0]:.3f}, {c[1]:.3f}]" if c else "")
    table["kappa"] = table.apply(lambda r: r["kappa"] if r["kappa_name"] else None, axis=1)
    st.dataframe(table[["label", "level", "rounds", "n_units", "n_coders", "percent_agreement", "kappa",
                        "krippendorff_alpha", "alpha 95% CI", "alpha_band", "gwet_ac1", "undefined_reason"]],
                 hide_index=True, width="stretch", key="agreement.overview",
                 column_config={c: st.column_config.NumberColumn(format="%.3f")
                                for c in ("percent_agreement", "kappa", "krippendorff_alpha", "gwet_ac1")})
    st.caption("One row per field, tree level and round (never pooled). Kappa: Cohen's for two coders, "
               "Fleiss' for more; alpha: Krippendorff's (MASI distance for multi-code fields), 95% bootstrap "
               "interval. Bands: Krippendorff (2004) >= .800 reliable, >= .667 tentative conclusions only.")
    from studyapp.services.agreement.report import alpha_chart
    downloads("agreement.overview_dl", f"agreement-alpha-{cb}", chart=alpha_chart(rows))


def _field_choice(store, cb: str) -> tuple[str, int | None]:
    from studyapp.services.agreement.fields import agreement_fields

    used = {f for c, f in store.annotations.fields_in_use() if c == cb}
    fields = [(f, d) for f, d in agreement_fields(store, cb) if f.id in used]
    labels = {f.id: f.label for f, _ in fields}
    depth_of = {f.id: d for f, d in fields}
    field_id = st.selectbox("Field", list(labels), format_func=labels.get, key="agreement.field")
    depth = None
    if depth_of[field_id] > 1:
        levels = ["leaf codes"] + [f"level {d}" for d in range(1, depth_of[field_id])]
        pick = st.radio("Code tree level", levels, horizontal=True, key="agreement.level")
        depth = None if pick == "leaf codes" else int(pick.split()[1])
    return field_id, depth


def _detail(store, cb: str, viewer: str | None) -> None:
    field_id, depth = _field_choice(store, cb)
    rounds_used = store.annotations.rounds_of(cb, field_id)
    order = [r["id"] for r in store.rounds.list() if r["id"] in rounds_used]
    c1, c2 = st.columns(2)
    rounds = c1.multiselect("Rounds", order, default=order[-1:], key="agreement.rounds",
                            help="Several rounds: a unit coded in two rounds counts twice.")
    all_coders = store.annotations.coders_of(cb, field_id, rounds or None)
    coders = c2.multiselect("Coders", all_coders, default=all_coders, key="agreement.coders")
    if len(coders) < 2:
        st.warning("Choose at least two coders.")
        return
    fa = state.cached_call(store, f"{SVC}.field_agreement", cb, field_id, rounds=rounds or None, coders=coders,
                           depth=depth)
    st.subheader(f"{fa.label}: {fa.summary.n_pairable} units coded by two or more of {fa.summary.n_coders} coders")
    st.dataframe(fa.stats_frame(), hide_index=True, width="stretch", key="agreement.stats",
                 column_config={"value": st.column_config.NumberColumn(format="%.3f")})
    downloads("agreement.stats_dl", f"agreement-{cb}-{fa.name}", table=fa.stats_frame(),
              caption=f"Agreement: {fa.label}")
    trend = state.cached_call(store, f"{SVC}.agreement_by_round", cb, field_id, coders=coders, depth=depth,
                              n_boot=0)
    if len(trend) > 1:
        st.markdown("**Across rounds**")
        df = pd.DataFrame([{"round": t.rounds[0], "units": t.summary.n_pairable,
                            "kappa": (t.stat("kappa").value if t.stat("kappa") else None),
                            "alpha": (t.stat("krippendorff_alpha").value if t.stat("krippendorff_alpha") else None)}
                           for t in trend])
        st.altair_chart(round_trend(df), width="stretch")
        downloads("agreement.trend_dl", f"agreement-rounds-{fa.name}", chart=round_trend(df), table=df)
    left, right = st.columns(2)
    with left:
        pairs = fa.pairwise_frame()
        if not pairs.empty:
            st.markdown("**Pairwise Cohen's kappa**")
            st.altair_chart(pairwise_heatmap(pairs))
            downloads("agreement.pairs_dl", f"pairwise-kappa-{fa.name}", chart=pairwise_heatmap(pairs))
    with right:
        _confusion(store, fa, viewer, rounds)
    per_code = fa.per_code_frame()
    if not per_code.empty:
        from studyapp.services.agreement.fields import details_visible

        if not details_visible(store, viewer, rounds):
            st.caption("Agreement per code is shown to leads, or to everyone once reconciliation is open: how "
                       "often each code was used would reveal another coder's labels.")
            return
        st.markdown("**Per code** (one code against the rest)")
        st.dataframe(per_code, hide_index=True, width="stretch", key="agreement.per_code")


def _confusion(store, fa, viewer, rounds) -> None:
    from studyapp.services.agreement.fields import details_visible

    if fa.summary.multi or len(fa.data.coders) < 2:
        return
    if not details_visible(store, viewer, rounds):
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
        st.markdown(f"**Confusion matrix: {a} x {b}**")
        st.altair_chart(confusion_heatmap(table, a, b))
        downloads("agreement.cm_dl", f"confusion-{fa.name}-{a}-{b}", chart=confusion_heatmap(table, a, b),
                  table=table.rename_axis(f"{a} \\ {b}").reset_index())


def _disagreements(store, cb: str, viewer: str | None, is_lead: bool) -> None:
    from studyapp.services.coding.codebooks import get_codebook

    reconciliation_controls(store, viewer, is_lead)
    prog = state.cached_call(store, f"{SVC}.reconciliation_progress", cb)
    if not prog.empty:
        st.dataframe(prog, hide_index=True, width="stretch", key="agreement.progress")
    field_id, _ = _field_choice_simple(store, cb)
    field = get_codebook(store, cb).require_field(field_id)
    disagreement_list(store, cb, field, viewer, is_lead, None)


def _field_choice_simple(store, cb: str):
    from studyapp.services.agreement.fields import agreement_fields

    used = {f for c, f in store.annotations.fields_in_use() if c == cb}
    fields = {f.id: f.label for f, _ in agreement_fields(store, cb) if f.id in used}
    return st.selectbox("Field to reconcile", list(fields), format_func=fields.get, key="agreement.dfield"), None


def _report(store, cb: str) -> None:
    from studyapp.services.agreement import report as agreement_report

    fmt = st.radio("Format", list(REPORT_MIME), horizontal=True, key="agreement.report_fmt",
                   format_func=lambda f: {"latex": "LaTeX (booktabs)", "html": "HTML with chart"}.get(f, f.upper()
                                                                                               if f != "markdown" else "Markdown"))
    rows = _report_rows(store, cb)
    if not rows:
        st.info("No field of this codebook has codings.")
        return
    text = getattr(agreement_report, f"to_{fmt}")(rows, title=store.title)
    ext, mime = REPORT_MIME[fmt]
    st.download_button(f"Download {ext.upper()}", text, file_name=f"agreement-{cb}.{ext}", mime=mime,
                       key="agreement.download")
    if fmt in ("markdown", "latex", "csv"):
        st.code(text, language={"markdown": "markdown", "latex": "latex"}.get(fmt))


if __name__ == "__main__":
    render()
