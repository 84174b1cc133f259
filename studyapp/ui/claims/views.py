"""The Claims page's views: the evidence table, one claim's evidence, validating, and editing claims.

What is shown comes from the validations recorded in the study's history (`services.claims.views`),
so the page opens at once however large the dataset; validating again (a lead's action, with a
progress bar) records new evidence and never overwrites the old. A claim's evidence: text and
sources, the verdict and why, per check the metric's value and chart, the test's statistics and the
exact queries that produced the numbers.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from studyapp.errors import StudyError
from studyapp.render.safe_text import code, plain, plain_line
from studyapp.services.claims import validation
from studyapp.services.claims.editing import import_claims_upload, update_claim_check
from studyapp.services.claims.views import ClaimsView
from studyapp.ui import state
from studyapp.ui.state import Store
from studyapp.ui.widgets.downloads import downloads

VERDICT_ICON = {"supported": ":green[supported]", "refuted": ":red[refuted]", "inconclusive": ":orange[inconclusive]",
                "not validated": ":gray[not validated]"}


def evidence_view(v: ClaimsView, key: str) -> pd.DataFrame:
    table = v.evidence
    st.dataframe(table[["claim", "text", "verdict", "metric", "value", "test", "statistic", "p_value", "effect_size",
                        "n", "stale", "validated_at"]],
                 hide_index=True, width="stretch", key=f"{key}.evidence",
                 column_config={"text": st.column_config.TextColumn(width="medium"),
                                **{c: st.column_config.NumberColumn(format="%.3g")
                                   for c in ("value", "statistic", "p_value", "effect_size")}})
    done = table[table["verdict"] != "not validated"]
    counts = done["verdict"].value_counts().to_dict()
    st.caption(f"{len(done)} of {len(table)} claims validated: "
               + ", ".join(f"{counts.get(v, 0)} {v}" for v in ("supported", "refuted", "inconclusive"))
               + ". Stale: the claim changed since its last validation.")
    return table


def validate_panel(store: Store, v: ClaimsView, viewer: str | None, is_lead: bool, key: str) -> bool:
    """The dataset and, for a lead, the button that validates every claim. True when a validation
    stopped part-way (what it recorded is new evidence: the page reads again)."""
    dataset = v.dataset
    st.caption(f"Dataset: `{dataset}` (opened read-only and sandboxed)" if dataset else
               "No dataset is set for this study: claims over a dataset will be inconclusive "
               "(`studyapp validate DIR --dataset FILE`).")
    if not is_lead:
        st.caption("A lead runs the validation; you see the last recorded evidence.")
        return False
    if st.button("Validate all claims", type="primary", key=f"{key}.run"):
        bar = st.progress(0.0, text="starting")

        def progress(done: int, total: int, what: str) -> None:
            bar.progress(min(1.0, done / max(total, 1)), text=f"{done}/{total} {what}")

        try:
            out = validation.validate_study(store, viewer=viewer, actor=viewer, progress=progress)
        except StudyError as e:
            st.error(f"Validation stopped: {e}")
            return True
        else:
            verdicts = pd.Series([o.verdict.verdict for o in out]).value_counts().to_dict()
            counts = ", ".join(f"{n} {v}" for v, n in verdicts.items())
            state.flash(key, f"Validated {len(out)} claims: {counts}.")
            st.rerun()
    return False


def claim_detail(v: ClaimsView, key: str) -> None:
    claim, record = v.claim, v.record
    d = claim["data"]
    st.markdown(f"#### {plain_line(claim['id'])}: {plain_line(claim['text'])}")
    st.caption(f"{claim['type']} claim" + (" · validated in its paper" if d.get("validated_quantitatively") else ""))
    for s in d.get("sources") or []:
        where = s.get("unit_key") or s.get("paper") or s.get("segment") or s.get("participant") or ""
        st.markdown(f"> {plain(s.get('quote', ''))}\n\n" + plain(f"{s.get('kind', 'paper')} {where}"
                    + (f", p. {s['page']}" if s.get("page") else "")))
    if not record:
        st.info("Not validated yet." + ("" if d.get("metric") or d.get("checks") else
                                          " It links no metric, so it has no quantitative check."))
        return
    st.markdown(f"**Verdict:** {VERDICT_ICON.get(record['verdict'], record['verdict'])} — {plain(record['reason'])}")
    st.caption(f"Validated {str(record.get('at', ''))[:19]} by {record.get('by') or '—'} in "
               f"{record.get('seconds', 0):.2f} s" + (f" on `{record['dataset']}`" if record.get("dataset") else ""))
    for i, c in enumerate(record.get("checks") or []):
        _check(c, v.charts[i], f"{key}.{claim['id']}.{i}")


def _check(c: dict, chart, key: str) -> None:
    with st.container(border=True):
        st.markdown(f"**{plain_line(c['label'])}** · metric {code(c['metric'])} · test {code(c['test'])} · "
                    f"rule {code(c.get('rule') or '—')} · {VERDICT_ICON.get(c['verdict'], c['verdict'])}")
        st.caption(plain(c["reason"]))
        if c.get("error"):
            st.error(c["error"])
        left, right = st.columns([3, 2])
        with left:
            if chart is not None:
                st.altair_chart(chart, width="stretch")
                downloads(f"{key}.chart", f"{c['metric']}-{c['label']}", chart=chart)
            elif c.get("rows"):
                st.dataframe(pd.DataFrame(c["rows"]).head(50), hide_index=True, width="stretch")
        with right:
            st.metric(c.get("label_value") or "value", "—" if c.get("value") is None else f"{c['value']:.4g}")
            t = c.get("test_result") or {}
            stats = {k: t.get(k) for k in ("test", "statistic", "p", "effect_size", "effect_name", "ci95", "n",
                                           "alternative", "undefined_reason") if t.get(k) is not None}
            if stats:
                st.table(pd.DataFrame([{"": k, "value": str(v)} for k, v in stats.items()]))
            for n in c.get("notes") or []:
                st.caption(n)
        with st.expander(f"The exact queries ({len(c.get('queries') or [])})"):
            for q in c.get("queries") or []:
                st.code(q["sql"], language="sql")
                st.caption(f"{q['rows']} rows in {q['seconds']:.3f} s" + (" (truncated)" if q.get("truncated") else "")
                           + (f"; parameters {q['params']}" if q.get("params") else ""))


def edit_panel(store: Store, v: ClaimsView, viewer: str | None, is_lead: bool, key: str) -> None:
    """A lead edits a claim's check as YAML (metric, params, test, rule...): validated before it is kept."""
    if not is_lead:
        return
    claim = v.claim
    with st.expander("Edit this claim"):
        with st.form(f"{key}.edit.{claim['id']}"):
            text = st.text_input("Text", value=claim["text"], key=f"{key}.edit.{claim['id']}.text")
            body = st.text_area("Check (YAML: metric, params, test, alternative, rule, refute or checks)",
                                value=v.check_yaml, height=220,
                                key=f"{key}.edit.{claim['id']}.spec")
            if st.form_submit_button("Save claim"):
                try:
                    update_claim_check(store, claim["id"], text=text, check=body, actor=viewer)
                except StudyError as e:
                    st.error(f"Not saved: {e}")
                else:
                    state.flash(key, f"{claim['id']} saved; validate again to update its verdict.")
                    st.rerun()


def file_panel(store: Store, v: ClaimsView, viewer: str | None, is_lead: bool, key: str) -> None:
    """claims.yaml in and out (the format of docs/claims.md)."""
    st.download_button("Download claims.yaml", v.claims_yaml, "claims.yaml", "application/x-yaml",
                       key=f"{key}.export")
    if not is_lead:
        return
    up = st.file_uploader("Import a claims.yaml (adds and updates claims, all or nothing)", type=["yaml", "yml"],
                          key=f"{key}.upload")
    if up is not None and st.button("Import claims", key=f"{key}.import"):
        try:
            n = import_claims_upload(store, up.name, up.getvalue(), actor=viewer)
        except StudyError as e:
            st.error(plain(f"Nothing imported: {e}"))
        else:
            state.flash(key, f"{n} claims imported.")
            st.rerun()
