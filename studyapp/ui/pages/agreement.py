"""Agreement: how far coders agree per field (filled in by the agreement services)."""

import pandas as pd
import streamlit as st

from studyapp.ui import state


def render() -> None:
    st.title("Agreement")
    with state.open_store() as store:
        used = store.annotations.fields_in_use()
        prog = pd.DataFrame(store.annotations.progress())
    if prog.empty:
        st.info("Nothing coded yet.")
        return
    st.caption("Units coded per coder and field; agreement statistics appear here for fields with two or more coders.")
    st.dataframe(prog.pivot_table(index=["codebook", "field", "round"], columns="coder", values="units",
                                  fill_value=0).reset_index(), hide_index=True, width="stretch")
    st.caption(f"{len(used)} fields in use.")


if __name__ == "__main__":
    render()
