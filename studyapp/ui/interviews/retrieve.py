"""The Interviews page's Retrieve view: pick codes (or a code group) and a participant attribute, and
read every quote coded with them, with its turn, coder, participant and a link into the transcript;
download them as CSV, Markdown or DOCX. The read-model is `services.interviews.retrieve.retrieve_view`."""

from __future__ import annotations

import streamlit as st

from studyapp.services.interviews import retrieve as svc
from studyapp.ui import state

KEY = "interviews.retrieve"
NONE = "(none)"


def _read(store, coder, **chosen) -> svc.RetrieveView:
    picks = {k: state.get(f"{KEY}.{k}") for k in ("codebook", "codes", "group", "attribute", "source")}
    picks["value"] = state.get(f"{KEY}.value.{chosen.get('attribute', picks['attribute'])}")
    picks = {k: (None if v == NONE else v) for k, v in (picks | chosen).items()}
    return svc.retrieve_view(store, coder, **picks)


def retrieve_view(store, coder: str | None) -> None:
    v = _read(store, coder)
    if not v.codebooks:
        st.info("No interview codebook in this study.")
        return
    c1, c2 = st.columns([1, 2])
    cb = c1.selectbox("Codebook", v.codebooks, index=v.codebooks.index(v.codebook), key=f"{KEY}.codebook")
    codes = c2.multiselect("Codes (a parent code brings its children's quotes)", list(v.code_options),
                           format_func=v.code_options.get, key=f"{KEY}.codes")
    c3, c4, c5, c6 = st.columns(4)
    groups = [NONE] + list(v.groups)
    group = c3.selectbox("Code group", groups, format_func=lambda g: v.groups.get(g, g), key=f"{KEY}.group")
    attribute = c4.selectbox("Participant attribute", [NONE] + v.attributes, key=f"{KEY}.attribute")
    v = _read(store, coder, codebook=cb, codes=codes, group=group, attribute=attribute)
    value = c5.selectbox("Value", v.values, index=v.values.index(v.value) if v.value in v.values else None,
                         key=f"{KEY}.value.{attribute}", disabled=not v.values)  # one widget per attribute
    source = c6.selectbox("Whose quotes", v.sources, key=f"{KEY}.source",
                          format_func=lambda s: {"all": "every coder", "final": "final spans"}.get(s, s))
    v = _read(store, coder, codebook=cb, codes=codes, group=group, attribute=attribute, value=value, source=source)
    if v.note:
        st.caption(v.note)
    if not v.codes and v.group is None:
        return
    st.markdown(f"**{len(v.quotes)} quote(s)**")
    if v.quotes:
        d1, d2, d3 = st.columns(3)
        d1.download_button("CSV", svc.csv_text(v.quotes), file_name="quotes.csv", mime="text/csv", key=f"{KEY}.csv")
        d2.download_button("Markdown", svc.to_markdown(v.quotes), file_name="quotes.md", mime="text/markdown",
                           key=f"{KEY}.md")
        d3.download_button("DOCX", svc.to_docx(v.quotes), file_name="quotes.docx", key=f"{KEY}.docx",
                           mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    for label in dict.fromkeys(q.label for q in v.quotes):
        st.subheader(label)
        for q in (x for x in v.quotes if x.label == label):
            with st.container(border=True):
                st.text(q.text)
                st.caption(f"{q.participant} · {q.transcript} turn {q.turn} · {q.speaker} · {q.coder} · round "
                           f"{q.round}")
                if q.context != q.text:
                    with st.expander("Context turn"):
                        st.text(q.context)
                st.link_button(f"Open {q.transcript}", q.link, type="tertiary")
