"""Codebooks: each codebook as a browsable tree with definitions, rules and examples, and its versions."""

import streamlit as st

from studyapp.domain.codebook import Codebook, Field
from studyapp.render.safe_text import plain_line, safe_markdown
from studyapp.services.coding.views import CodebooksView, codebooks_view
from studyapp.ui import state


def _field(v: CodebooksView, cb: Codebook, f: Field) -> None:
    extra = f" · under `{f.parent_field}`" if f.parent_field else ""
    with st.expander(f"{plain_line(f.label)}  ·  {f.type}{extra}  ·  {len(f.all_codes())} codes"):
        if f.definition:
            st.markdown(safe_markdown(f.definition))
        if f.codes:
            st.markdown(safe_markdown(v.codes[(cb.id, f.id)]))


def render() -> None:
    st.title("Codebooks")
    with state.open_store() as store:
        v = codebooks_view(store)
    if not v.books:
        st.info("No codebook yet: `studyapp codebook add DIR FILE.yaml`.")
        return
    cb = st.selectbox("Codebook", v.books, format_func=lambda b: f"{b.title} (v{b.version})", key="codebooks.pick")
    st.caption(f"`{cb.id}` · kind {cb.kind} · version {cb.version} · hash {cb.hash[:12]}"
               + (f" · source: {plain_line(cb.source)}" if cb.source else ""))
    if cb.description:
        st.markdown(safe_markdown(cb.description))
    if cb.criteria:
        st.subheader("Screening criteria")
        st.dataframe([{"id": c.id, "kind": c.kind, "stage": c.stage, "criterion": c.label,
                       "definition": c.definition} for c in cb.criteria], hide_index=True, width="stretch")
    st.subheader("Fields")
    for f in cb.fields:
        _field(v, cb, f)
    st.subheader("Stored versions")
    st.dataframe(v.versions[cb.id], hide_index=True, width="stretch")


if __name__ == "__main__":
    render()
