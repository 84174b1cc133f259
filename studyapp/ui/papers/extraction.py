"""The Extract and Claims views: a form per included paper, and claims as records with their sources.

The form has one widget per SLR-codebook field, pre-filled with the coder's own values in the
extraction round only (blind until a lead opens that round). Claims are shared records (not blind:
they are what the team will validate), each with a supporting quote and page; claims from several
papers can be merged into one that keeps every source.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from studyapp.errors import StudyError
from studyapp.render.safe_text import plain, plain_line
from studyapp.services.papers import claims as paper_claims
from studyapp.services.papers import extraction
from studyapp.services.papers.views import extract_view, paper_claims_view
from studyapp.ui import state
from studyapp.ui.state import Store
from studyapp.ui.widgets.coding_form import coding_form


def extraction_view(store: Store, coder: str | None, key: str = "papers.extract") -> None:
    if not coder:
        st.info("Choose who you are in the sidebar to extract data.")
        return
    v = extract_view(store, coder, state.get(f"{key}.unit"))
    if v.setup_error:
        st.info(v.setup_error)
        return
    if not v.papers:
        st.info("No paper is included at full text yet: extraction forms appear for included papers.")
        return
    labels = {p["id"]: f"{'✓' if p['id'] in v.filled else '○'} {p['key']} · {(p['title'] or '')[:80]}"
              for p in v.papers}
    uid = st.selectbox("Included paper", list(labels), format_func=labels.get, key=f"{key}.unit")
    if uid != v.unit_id:  # the widget settled elsewhere than the session said: ask again for that paper
        v = extract_view(store, coder, uid)
    form = v.form
    st.caption(f"You have filled {len(v.filled)} of {len(v.papers)} forms; coders on this paper: "
               f"{v.coders_on_paper}. Values stay blind until a lead opens the "
               f"'{extraction.ROUND}' round on the Agreement page.")
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader(plain_line(form.unit["title"] or form.unit["key"]))
        a = form.unit["attrs"]
        st.caption(" · ".join(plain_line(a[k]) for k in ("authors", "year", "venue", "doi") if a.get(k)))
        st.text(form.unit["text"] or "(no abstract)")
        if v.claims:
            st.markdown("**Claims from this paper**")
            for c in v.claims:
                st.markdown(f"- {plain_line(c['id'])} {plain_line(c['text'])}")
    with right:
        coding_form(store, v.codebook, int(uid), coder, extraction.ROUND, form.values, key)


def claims_view(store: Store, coder: str | None, key: str = "papers.claims") -> None:
    v = paper_claims_view(store, coder, include_merged=st.toggle("Show merged claims too", key=f"{key}.all"))
    claims = v.claims
    state.show_flash(key)
    if claims:
        st.dataframe(pd.DataFrame([{"id": c["id"], "claim": c["text"], "type": c["type"],
                                    "papers": ", ".join(c["papers"]), "validated in paper": c["validated_quantitatively"],
                                    "merged into": c["merged_into"] or ""} for c in claims]),
                     hide_index=True, width="stretch", key=f"{key}.table")
        pick = st.selectbox("Sources of", [c["id"] for c in claims], key=f"{key}.pick")
        for s in next(c for c in claims if c["id"] == pick)["sources"]:
            where = s["unit_key"] + (f", p. {s['page']}" if s.get("page") else "")
            st.markdown(f"> {plain(s['quote'])}\n\n" + plain(where))
    else:
        st.info("No claims extracted from papers yet.")
    if not coder:
        return
    with st.expander("Record a claim", expanded=not claims):
        _claim_form(store, coder, v.papers, [c["id"] for c in v.live], key)
    if len(v.live) >= 2:
        with st.expander("Merge claims"):
            with st.form(f"{key}.merge"):
                ids = st.multiselect("Claims to merge", [c["id"] for c in v.live], key=f"{key}.merge.ids")
                text = st.text_input("The merged claim", key=f"{key}.merge.text")
                if st.form_submit_button("Merge"):
                    try:
                        new = paper_claims.merge_claims(store, ids, text=text, actor=coder)
                    except StudyError as e:
                        st.error(f"Not merged: {e.message}")
                    else:
                        state.flash(key, f"Merged into {new}.")
                        st.rerun()


def _claim_form(store: Store, coder: str, papers: list[str], existing: list[str], key: str) -> None:
    with st.form(f"{key}.new"):
        paper = st.selectbox("Paper", papers, key=f"{key}.new.paper")
        to = st.selectbox("Add to an existing claim (optional)", [None] + existing, key=f"{key}.new.to",
                          format_func=lambda c: "— a new claim" if c is None else c)
        text = st.text_input("Claim, in one sentence", key=f"{key}.new.text")
        quote = st.text_area("Supporting quote from the paper", key=f"{key}.new.quote", height=80)
        c1, c2, c3 = st.columns(3)
        page = c1.text_input("Page or section", key=f"{key}.new.page")
        type_ = c2.selectbox("Type", paper_claims.TYPES, key=f"{key}.new.type")
        validated = c3.checkbox("The paper validates it with data", key=f"{key}.new.validated")
        if st.form_submit_button("Save claim"):
            try:
                if to:
                    paper_claims.add_source(store, to, unit_key=paper, quote=quote, page=page, actor=coder)
                    msg = f"{paper} added as a source of {to}."
                else:
                    cid = paper_claims.add_claim(store, text=text, unit_key=paper, quote=quote, page=page,
                                                 type=type_, validated=validated, actor=coder)
                    msg = f"Claim {cid} saved."
            except StudyError as e:
                st.error(f"Not saved: {e.message}")
            else:
                state.flash(key, msg)
                st.rerun()
