"""Codebooks: each codebook as a browsable tree with definitions, rules and examples, and its versions."""

import streamlit as st

from studyapp.domain.codebook import Codebook, Field
from studyapp.errors import StudyError
from studyapp.render.safe_text import plain_line, safe_markdown
from studyapp.services.coding.rounds import set_active_round
from studyapp.services.coding.views import CodebooksView, codebooks_view
from studyapp.ui import state


def _field(v: CodebooksView, cb: Codebook, f: Field) -> None:
    extra = f" · under `{f.parent_field}`" if f.parent_field else ""
    with st.expander(f"{plain_line(f.label)}  ·  {f.type}{extra}  ·  {len(f.all_codes())} codes"):
        if f.definition:
            st.markdown(safe_markdown(f.definition))
        if f.codes:
            st.markdown(safe_markdown(v.codes[(cb.id, f.id)]))


def _set_active(cb_id: str, key: str) -> None:
    round_id = state.get(key)
    try:
        with state.open_store() as store:
            set_active_round(store, cb_id, round_id, actor=state.current_coder())
        state.flash("codebooks", f"{cb_id}: the coding views now open on round {round_id!r}.")
    except StudyError as e:
        state.flash("codebooks", str(e), error=True)


def _rounds(v: CodebooksView, cb: Codebook) -> None:
    st.subheader("Rounds")
    rounds, active = v.rounds.get(cb.id, []), v.active.get(cb.id)
    st.caption(f"Coded in: {', '.join(rounds) or 'no round yet'} · active round: **{active or '-'}** (the coding "
               "views list only this codebook's rounds and open on the active one).")
    if v.can_set_active and rounds:
        key = f"codebooks.active.{cb.id}"
        c1, c2 = st.columns([2, 1])
        c1.selectbox("Active round", rounds, index=rounds.index(active) if active in rounds else 0, key=key)
        c2.button("Make active", key=f"codebooks.make_active.{cb.id}", on_click=_set_active, args=(cb.id, key))


def render() -> None:
    st.title("Codebooks")
    state.show_flash("codebooks")
    with state.open_store() as store:
        v = codebooks_view(store, state.current_coder())
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
    _rounds(v, cb)
    st.subheader("Fields")
    for f in cb.fields:
        _field(v, cb, f)
    st.subheader("Stored versions")
    st.dataframe(v.versions[cb.id], hide_index=True, width="stretch")


if __name__ == "__main__":
    render()
