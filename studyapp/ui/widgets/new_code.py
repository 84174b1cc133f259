"""Create a code while coding (in-vivo coding, as ATLAS.ti, MAXQDA and Taguette): a lead's small
form in the Interviews -> Code and Defects -> Label views.

The code goes into the chosen field (at the top level or under a code), as a new codebook version
recorded in the history (`services.coding.codebooks.add_code`, the one codebook writer path). A
coder never sees the form, and the service refuses one anyway (`domain.roles`).
"""

from __future__ import annotations

import streamlit as st

from studyapp.domain.codebook import Codebook
from studyapp.errors import StudyError
from studyapp.services.coding.codebooks import add_code
from studyapp.ui import state
from studyapp.ui.state import Store


def new_code_box(store: Store, cb: Codebook, actor: str | None, *, key: str, where: str,
                 fields: list[str] | None = None) -> None:
    """Draw the lead's "New code" form for `cb` (its coded fields, or those in `fields`)."""
    if not state.is_lead():
        return
    coded = [f for f in cb.fields if f.is_coded and (fields is None or f.id in fields)]
    if not coded:
        return
    state.show_flash(f"{key}.new_code")
    with st.expander("New code (lead)", icon=":material/add:"):
        by_id = {f.id: f for f in coded}
        fid = st.selectbox("Field", list(by_id), format_func=lambda i: by_id[i].label, key=f"{key}.new_code.field")
        f = by_id[fid]
        parents = [None] + [c.id for c, depth, _ in f.walk()]
        top_ok = not f.parent_field
        with st.form(f"{key}.new_code.form", clear_on_submit=True, border=False):
            label = st.text_input("Label", key=f"{key}.new_code.label", placeholder="e.g. Licence worries")
            parent = st.selectbox("Under", parents, index=0 if top_ok else 1 if len(parents) > 1 else 0,
                                  key=f"{key}.new_code.parent",
                                  format_func=lambda c: "(top level)" if c is None else
                                  " › ".join(f.code(x).label for x in f.path(c)))
            definition = st.text_input("Definition (optional)", key=f"{key}.new_code.definition")
            if st.form_submit_button("Create code"):
                try:
                    new, _, cid = add_code(store, cb.id, f.id, label, parent=parent, definition=definition,
                                           actor=actor, where=where)
                except StudyError as e:
                    st.error(f"Not created: {e.message}")
                else:
                    state.flash(f"{key}.new_code", f"Code “{new.require_field(f.id).code(cid).label}” added to "
                                f"{f.label}: {cb.id} is now version {new.version}.")
                    st.rerun()
