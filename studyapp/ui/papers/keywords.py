"""The lead's keyword editor under the Screen view: the terms marked green (include) and red
(exclude) in titles and abstracts, one per line. Saving stores a new version of the SLR codebook,
recorded in the history (`services.coding.codebooks.set_keywords`; `studyapp codebook keywords`)."""

from __future__ import annotations

import streamlit as st

from studyapp.domain.codebook import Keywords
from studyapp.errors import StudyError
from studyapp.services.coding.codebooks import set_keywords
from studyapp.ui import state
from studyapp.ui.state import Store


def _terms(text: str) -> list[str]:
    return [" ".join(t.split()) for t in (text or "").splitlines() if t.strip()]


def keyword_editor(store: Store, codebook_id: str, keywords: Keywords, actor: str | None, key: str) -> None:
    if not state.is_lead():
        return
    state.show_flash(f"{key}.keywords")
    with st.expander("Highlighted keywords (lead)", icon=":material/ink_highlighter:"):
        st.caption("One term per line; a trailing * matches words that start with it. They only mark the text.")
        with st.form(f"{key}.keywords.form", border=False):
            c1, c2 = st.columns(2)
            inc = c1.text_area("Include (green)", "\n".join(keywords.include), key=f"{key}.keywords.include")
            exc = c2.text_area("Exclude (red)", "\n".join(keywords.exclude), key=f"{key}.keywords.exclude")
            if st.form_submit_button("Save keywords"):
                new_inc, new_exc = _terms(inc), _terms(exc)
                gone = [t for t in (*keywords.include, *keywords.exclude)
                        if t.casefold() not in {x.casefold() for x in (*new_inc, *new_exc)}]
                try:
                    cb, vid = set_keywords(store, codebook_id, add_include=new_inc, add_exclude=new_exc, remove=gone,
                                           actor=actor)
                except StudyError as e:
                    st.error(f"Not saved: {e.message}")
                else:
                    state.flash(f"{key}.keywords", "Keywords unchanged." if vid is None else
                                f"Keywords saved: {cb.id} is now version {cb.version}.")
                    st.rerun()
