"""Claims: the study's claims with their sources and how they are to be checked."""

import pandas as pd
import streamlit as st

from studyapp.ui import state


def render() -> None:
    st.title("Claims")
    with state.open_store() as store:
        claims = store.claims.list()
    if not claims:
        st.info("No claims recorded yet.")
        return
    st.dataframe(pd.DataFrame([{"id": c["id"], "claim": c["text"], "type": c["type"],
                                "metric": c["data"].get("metric"), "test": c["data"].get("test"),
                                "sources": len(c["data"].get("sources") or [])} for c in claims]),
                 hide_index=True, width="stretch")
    for c in claims:
        with st.expander(f"{c['id']}: {c['text']}"):
            d = c["data"]
            st.markdown(f"**Type:** {c['type']} · **metric:** {d.get('metric') or '—'} · "
                        f"**test:** {d.get('test') or '—'} · **rule:** {d.get('rule') or '—'}")
            for s in d.get("sources") or []:
                where = ", ".join(f"{k} {v}" for k, v in s.items() if k != "quote")
                st.markdown(f"- {where}" + (f": “{s['quote']}”" if s.get("quote") else ""))


if __name__ == "__main__":
    render()
