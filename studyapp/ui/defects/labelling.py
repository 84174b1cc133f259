"""The labelling view: pick a defect, read the issue (Markdown, code blocks, HTML only as text), label it.

Blind: the form is pre-filled with the coder's own values only; other coders' values appear only in
rounds whose reconciliation the lead has opened. Keyboard: each choice of a short question has
its one key (shown on it), every list filters as you type, Ctrl+Enter saves and opens the next
defect the coder has not labelled in this round, and Tab skips the "?" help icons. Nothing is saved
until the first question ("Reengineering defect?") is answered.
"""

from __future__ import annotations

import streamlit as st

from studyapp.domain.codebook import Codebook
from studyapp.errors import StudyError
from studyapp.render.safe_text import code, markdown_link, plain_line, safe_markdown, safe_url
from studyapp.services.defects.analysis import save_labels
from studyapp.services.defects.imports import add_defect
from studyapp.services.defects.views import LabellingView, next_to_label
from studyapp.services.defects.views import labelling_view as read_labelling
from studyapp.ui import state
from studyapp.ui.defects.form import defect_form, taxonomy
from studyapp.ui.state import Store
from studyapp.ui.widgets.history import history_expander
from studyapp.ui.widgets.new_code import new_code_box
from studyapp.ui.widgets.no_tab_help import no_tab_help


def issue_panel(v: LabellingView) -> None:
    unit = v.unit
    attrs = unit["attrs"]
    st.subheader(plain_line(unit["title"] or unit["key"]))
    url = safe_url(str(attrs.get("url") or "").replace(" ", "%20"))
    if url:
        st.markdown(markdown_link("Open the original issue ↗", url))
    meta = [code(unit["key"])] + [plain_line(f"{k}: {attrs[k]}") for k in ("state", "created_at", "author")
                                        if attrs.get(k)]
    if attrs.get("labels"):
        meta.append(plain_line("labels: " + ", ".join(map(str, attrs["labels"]))))
    st.caption(" · ".join(meta))
    if attrs.get("issue"):
        siblings = v.siblings
        if len(siblings) > 1:
            st.caption(f"Issue {attrs['issue']} holds {len(siblings)} defects; this is defect "
                       f"{attrs.get('defect', 1)}: " + ", ".join(plain_line(s["key"]) for s in siblings))
    if not v.blocks:
        st.caption("No issue text was imported: open the original.")
    for kind, text, lang in v.blocks:
        if kind == "code":
            st.code(text, language=lang)
        elif kind == "text":
            st.text(text)
        else:
            st.markdown(safe_markdown(text))


def _pick_unit(v: LabellingView, key: str) -> int | None:
    st.text_input("Filter defects by key or title", key=f"{key}.filter", placeholder="e.g. detectron2 or CUDA")
    if not v.shown:
        st.info("No defect matches the filter.")
        return None
    ids = [u["id"] for u in v.shown]
    labels = {u["id"]: f"{'✓' if v.status.get(u['id']) else '○'} {u['key']} · {(u['title'] or '')[:80]}"
              for u in v.shown}
    if state.get(f"{key}.unit") not in ids:
        state.put(f"{key}.unit", ids[0])
    return st.selectbox("Defect", ids, format_func=labels.get, key=f"{key}.unit")


def _read(store: Store, cb: Codebook, coder: str, key: str, **chosen) -> LabellingView:
    picks = {"round": state.get(f"{key}.round"), "unit_id": state.get(f"{key}.unit"),
             "query": state.get(f"{key}.filter") or ""} | chosen
    return read_labelling(store, cb, coder, **picks)


def labelling_view(store: Store, cb: Codebook, coder: str, key: str = "defects") -> None:
    goto = state.pop(f"{key}.goto")
    if goto is not None:
        state.put(f"{key}.unit", goto)
    v = _read(store, cb, coder, key)
    if not v.units:
        st.info("No defects in this study yet: import them (Import view) or with `studyapp import defects`.")
        return
    if not v.rounds:
        st.info(f"Codebook {cb.id!r} has no round yet: a lead adds one (`studyapp round add DIR main --codebook {cb.id}`).")
        return
    round_id = st.selectbox("Round", v.rounds, index=v.rounds.index(v.round), key=f"{key}.round",
                            help="This codebook's rounds, opening on the active one a lead set. Pilot, calibration "
                                 "and final rounds are labelled apart; agreement per round is on the Agreement page.")
    if round_id != v.round:  # the widget settled elsewhere than the session said: ask again for its round
        v = _read(store, cb, coder, key, round=round_id)
    state.show_flash(key)
    unit_id = _pick_unit(v, key)
    if unit_id is None:
        return
    if unit_id != v.unit_id:
        v = _read(store, cb, coder, key, round=round_id, unit_id=unit_id)
    units = v.units
    st.caption(f"You have labelled {v.done} of {len(units)} defects in round {round_id!r}. "
               "Lists filter as you type; Ctrl+Enter saves and opens the next unlabelled defect.")
    left, right = st.columns([3, 2], gap="large")
    with left:
        issue_panel(v)
    with right:
        no_tab_help(key=f"{key}.no_tab_help")  # Tab goes from answer to answer, not to each "?"
        own = v.own
        values = defect_form(cb, int(unit_id), round_id, own, key, coder)
        b1, b2 = st.columns(2)
        save = b1.button("Save", type="primary", key=f"{key}.save", width="stretch")
        save_next = b2.button("Save & next", key=f"{key}.save_next", shortcut="Ctrl+Enter", width="stretch")
        if save or save_next:
            try:
                n = save_labels(store, cb.id, int(unit_id), coder, round_id, values, own)
            except StudyError as e:
                st.error(f"Nothing saved: {e.message}")
            else:
                msg = f"Saved ({n} change{'s' if n != 1 else ''})."
                nxt = next_to_label(store, cb.id, coder, round_id, [u["id"] for u in units],
                                    int(unit_id)) if save_next else None
                if nxt is not None:
                    state.put(f"{key}.goto", nxt)
                    state.flash(key, msg)
                    st.rerun()
                st.success(msg if not save_next else msg + " Every defect is labelled in this round.")
        n1, n2 = st.columns(2)
        if n1.button("Next unlabelled", key=f"{key}.next", width="stretch"):
            nxt = v.next_after(int(unit_id))
            if nxt is None:
                st.info("You have labelled every defect in this round.")
            else:
                state.put(f"{key}.goto", nxt)
                st.rerun()
        if v.unit["attrs"].get("issue") and n2.button("Add another defect from this issue", key=f"{key}.split",
                                                      width="stretch"):
            state.put(f"{key}.goto", add_defect(store, int(unit_id), actor=coder))
            state.flash(key, "Added another defect of this issue; label it here.")
            st.rerun()
        others = v.others
        if others:
            with st.expander(f"Other coders' values ({len(others)}, reconciliation open)"):
                st.dataframe([{"field": a["field"], "coder": a["coder"], "round": a["round"], "value": a["label"]}
                              for a in others], hide_index=True, width="stretch")
        with st.expander("Taxonomy with definitions"):
            taxonomy(cb)
        new_code_box(store, cb, coder, key=key, where="labelling defects")  # in-vivo: a lead's new code
        history_expander(store, int(unit_id), coder)
