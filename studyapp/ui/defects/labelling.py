"""The labelling view: pick a defect, read the issue (Markdown, code blocks, HTML only as text), label it.

Blind: the form is pre-filled with the coder's own values only; other coders' values appear only in
rounds whose reconciliation the lead has opened. Keyboard: every list filters as you type, and
Ctrl+Enter saves and opens the next defect the coder has not labelled in this round.
"""

from __future__ import annotations

import streamlit as st

from studyapp.domain.codebook import Codebook
from studyapp.errors import StudyError
from studyapp.readers.defects.markdown import issue_blocks
from studyapp.services.coding.coding import visible_annotations
from studyapp.services.defects.analysis import (
    labelling_status,
    next_unlabelled,
    save_labels,
)
from studyapp.services.defects.imports import add_defect
from studyapp.store import Store
from studyapp.ui.defects.form import defect_form, taxonomy
from studyapp.ui.widgets.history import history_expander


def issue_panel(store: Store, unit: dict) -> None:
    attrs = unit["attrs"]
    st.subheader(unit["title"] or unit["key"])
    url = str(attrs.get("url") or "")
    if url.startswith(("https://", "http://")):
        st.markdown(f"[Open the original issue ↗]({url.replace(')', '%29').replace(' ', '%20')})")
    meta = [f"`{unit['key']}`"] + [f"{k}: {attrs[k]}" for k in ("state", "created_at", "author") if attrs.get(k)]
    if attrs.get("labels"):
        meta.append("labels: " + ", ".join(map(str, attrs["labels"])))
    st.caption(" · ".join(meta))
    if attrs.get("issue"):
        siblings = store.defects.of_issue(attrs["issue"])
        if len(siblings) > 1:
            st.caption(f"Issue {attrs['issue']} holds {len(siblings)} defects; this is defect "
                       f"{attrs.get('defect', 1)}: " + ", ".join(s["key"] for s in siblings))
    blocks = issue_blocks(unit["text"])
    if not blocks:
        st.caption("No issue text was imported: open the original.")
    for kind, text, lang in blocks:
        if kind == "code":
            st.code(text, language=lang)
        elif kind == "text":
            st.text(text)
        else:
            st.markdown(text)


def _pick_unit(store: Store, units: list[dict], status: dict[int, int], key: str) -> int | None:
    goto = st.session_state.pop(f"{key}.goto", None)
    if goto is not None:
        st.session_state[f"{key}.unit"] = goto
    query = st.text_input("Filter defects by key or title", key=f"{key}.filter",
                          placeholder="e.g. detectron2 or CUDA")
    shown = [u for u in units if not query or query.casefold() in f"{u['key']} {u['title']}".casefold()]
    if not shown:
        st.info("No defect matches the filter.")
        return None
    ids = [u["id"] for u in shown]
    labels = {u["id"]: f"{'✓' if status.get(u['id']) else '○'} {u['key']} · {(u['title'] or '')[:80]}"
              for u in shown}
    if st.session_state.get(f"{key}.unit") not in ids:
        st.session_state[f"{key}.unit"] = ids[0]
    return st.selectbox("Defect", ids, format_func=labels.get, key=f"{key}.unit")


def labelling_view(store: Store, cb: Codebook, coder: str, key: str = "defects") -> None:
    units = store.units.list("defect", with_text=False)
    if not units:
        st.info("No defects in this study yet: import them (Import view) or with `studyapp import defects`.")
        return
    rounds = [r["id"] for r in store.rounds.list()]
    round_id = st.selectbox("Round", rounds, index=len(rounds) - 1, key=f"{key}.round",
                            help="Pilot, calibration and final rounds are labelled apart; agreement per round is on "
                                 "the Agreement page.")
    status = labelling_status(store, cb.id, coder, round_id)
    flash = st.session_state.pop(f"{key}.flash", None)
    if flash:
        st.success(flash)
    unit_id = _pick_unit(store, units, status, key)
    if unit_id is None:
        return
    done = sum(1 for u in units if status.get(u["id"]))
    st.caption(f"You have labelled {done} of {len(units)} defects in round {round_id!r}. "
               "Lists filter as you type; Ctrl+Enter saves and opens the next unlabelled defect.")
    unit = store.units.require(int(unit_id))
    left, right = st.columns([3, 2], gap="large")
    with left:
        issue_panel(store, unit)
    with right:
        seen = visible_annotations(store, int(unit_id), coder, codebook=cb.id)
        own = {a["field"]: a["value"] for a in seen if a["coder"] == coder and a["round"] == round_id}
        values = defect_form(cb, int(unit_id), round_id, own, key)
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
                nxt = next_unlabelled([u["id"] for u in units], labelling_status(store, cb.id, coder, round_id),
                                      int(unit_id)) if save_next else None
                if nxt is not None:
                    st.session_state[f"{key}.goto"], st.session_state[f"{key}.flash"] = nxt, msg
                    st.rerun()
                st.success(msg if not save_next else msg + " Every defect is labelled in this round.")
        n1, n2 = st.columns(2)
        if n1.button("Next unlabelled", key=f"{key}.next", width="stretch"):
            nxt = next_unlabelled([u["id"] for u in units], status, int(unit_id))
            if nxt is None:
                st.info("You have labelled every defect in this round.")
            else:
                st.session_state[f"{key}.goto"] = nxt
                st.rerun()
        if unit["attrs"].get("issue") and n2.button("Add another defect from this issue", key=f"{key}.split",
                                                    width="stretch"):
            st.session_state[f"{key}.goto"] = add_defect(store, int(unit_id), actor=coder)
            st.session_state[f"{key}.flash"] = "Added another defect of this issue; label it here."
            st.rerun()
        others = [a for a in seen if a["coder"] != coder]
        if others:
            with st.expander(f"Other coders' values ({len(others)}, reconciliation open)"):
                st.dataframe([{"field": a["field"], "coder": a["coder"], "round": a["round"], "value": a["label"]}
                              for a in others], hide_index=True, width="stretch")
        with st.expander("Taxonomy with definitions"):
            taxonomy(cb)
        history_expander(store, int(unit_id), coder)
