"""A list-and-detail layout shared by the Papers and Defects pages."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from studyapp.services.browse import unit_table
from studyapp.ui import state
from studyapp.ui.components.unit_panel import unit_panel


def unit_list_page(kind: str, title: str, key: str, body_label: str) -> None:
    st.title(title)
    coder = state.current_coder()
    with state.open_store() as store:
        rows = unit_table(store, kind, coder)
        if not rows:
            st.info(f"No {kind}s in this study yet.")
            return
        df = pd.DataFrame(rows)
        df = df[[c for c in df.columns if c in ("id", "key", "title") or df[c].notna().any()]]
        st.caption(f"{len(df)} {kind}s; 'coders' counts who has coded each one (values stay hidden until "
                   "reconciliation).")
        query = st.text_input("Filter by title or key", key=f"{key}.filter")
        if query:
            mask = df["title"].fillna("").str.contains(query, case=False, regex=False) | df["key"].str.contains(
                query, case=False, regex=False)
            df = df[mask]
        st.dataframe(df.drop(columns=["id"]), hide_index=True, width="stretch", height=280)
        if df.empty:
            return
        labels = dict(zip(df["id"], df["key"] + " · " + df["title"].fillna("").str.slice(0, 90)))
        unit_id = st.selectbox(f"Open a {kind}", list(labels), format_func=labels.get, key=f"{key}.unit")
        unit = store.units.require(int(unit_id))
        left, right = st.columns([3, 2])
        with left:
            st.subheader(unit["title"] or unit["key"])
            meta = {k: v for k, v in unit["attrs"].items() if v}
            if meta.get("url"):
                st.markdown(f"[Open the original]({meta['url']})")
            st.caption(" · ".join(f"{k}: {v}" for k, v in meta.items() if k != "url"))
            st.markdown(f"**{body_label}**")
            st.markdown(unit["text"] or "_(no text)_")
        with right:
            unit_panel(store, int(unit_id), kind, coder, key)
