"""The Screen view: one paper at a time, decided with one key or click, the next loading at once.

The queue is the reviewer's own (`services.screening.queue`): papers they have not decided, most likely
relevant first by a model trained only on what they may see. Keys: `I` include, `M` maybe (title and
abstract only), `1`-`9` exclude for the numbered criterion, `S` skip. Nothing here shows another
reviewer's decision; those appear on the Conflicts view once a lead opens the stage.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from studyapp.errors import StudyError
from studyapp.services.papers import screening
from studyapp.services.papers import queue as screening_queue
from studyapp.store import Store

STAGE_LABELS = {"ta": "Title and abstract", "ft": "Full text"}


def stage_picker(key: str) -> str:
    return st.radio("Stage", list(STAGE_LABELS), format_func=STAGE_LABELS.get, horizontal=True, key=key)


def paper_card(unit: dict, stage: str) -> None:
    a = unit["attrs"]
    st.subheader(unit["title"] or unit["key"])
    meta = [f"`{unit['key']}`"] + [str(a[k]) for k in ("authors", "year", "venue") if a.get(k)]
    st.caption(" · ".join(meta))
    doi = str(a.get("doi") or "")
    if doi:
        st.markdown(f"DOI [{doi}](https://doi.org/{doi.replace(')', '%29')})"
                    + (" (open the full text)" if stage == "ft" else ""))
    if a.get("snowball_from"):
        st.caption(f"Found by snowballing from {a['snowball_from']} ({a.get('source', '')}).")
    st.text(unit["text"] or "(no abstract)")


def criteria_for(store: Store, stage: str) -> tuple[list, list]:
    """(inclusion criteria, exclusion reasons) at `stage`: the reasons are the screening codebook's
    codes (the SLR codebook's exclusion criteria, and at full text "not retrieved")."""
    st_ = screening.stage_of(stage)
    crit = screening.slr_codebook(store).criteria_for(st_.criteria_stage)
    reasons = screening.screening_codebook(store).require_field(st_.reason_field).codes
    return [c for c in crit if c.kind == "include"], list(reasons)


def _decide(unit_id: int, paper_key: str, coder: str, stage: str, decision: str, reason: str | None, key: str) -> None:
    from studyapp.ui import state

    note = (st.session_state.get(f"{key}.note") or "").strip() or None
    try:
        with state.open_store() as store:
            screening.decide(store, unit_id, coder, stage, decision, reason, note=note)
    except StudyError as e:
        st.session_state[f"{key}.flash"] = ("error", f"Not saved: {e.message}")
        return
    st.session_state[f"{key}.flash"] = ("success", f"{paper_key}: {decision}" + (f" ({reason})" if reason else ""))
    st.session_state[f"{key}.note"] = ""
    st.session_state.pop(f"{key}.revisit", None)
    st.session_state.pop(f"{key}.skip", None)


def _buttons(unit: dict, coder: str, stage: str, excl: list, key: str) -> None:
    uid, pkey = unit["id"], unit["key"]
    cols = st.columns(3 if stage == "ta" else 2)
    cols[0].button("Include", type="primary", key=f"{key}.include", shortcut="I", width="stretch",
                   on_click=_decide, args=(uid, pkey, coder, stage, "include", None, key))
    if stage == "ta":
        cols[1].button("Maybe", key=f"{key}.maybe", shortcut="M", width="stretch",
                       on_click=_decide, args=(uid, pkey, coder, stage, "maybe", None, key))
    cols[-1].button("Skip", key=f"{key}.skip_btn", shortcut="S", width="stretch",
                    on_click=lambda: st.session_state.update({f"{key}.skip": st.session_state.get(f"{key}.skip", 0) + 1,
                                                              f"{key}.revisit": None}))
    st.markdown("**Exclude because**")
    for i, c in enumerate(excl, start=1):
        st.button(f"{c.id}: {c.label}", key=f"{key}.exclude.{c.id}", width="stretch",
                  shortcut=str(i) if i <= 9 else None, help=c.definition or None,
                  on_click=_decide, args=(uid, pkey, coder, stage, "exclude", c.id, key))
    st.text_input("Note (optional, kept with your decision)", key=f"{key}.note")


def screening_view(store: Store, coder: str | None, key: str = "papers.screen") -> None:
    if not coder:
        st.info("Choose who you are in the sidebar to start screening.")
        return
    if not store.units.count("paper"):
        st.info("No papers yet: a lead imports search results in the Import view (or `studyapp import papers`).")
        return
    try:
        screening.slr_codebook(store)
    except StudyError as e:
        st.info(f"Screening needs an SLR codebook with screening criteria: {e.message}")
        return
    stage = stage_picker(f"{key}.stage")
    flash = st.session_state.pop(f"{key}.flash", None)
    if flash:
        (st.success if flash[0] == "success" else st.error)(flash[1])
    from studyapp.ui import state

    sig = screening_queue.queue_signature(store, stage)
    q = state.cached_on(store, sig, "studyapp.services.papers.queue.queue", stage, coder)
    mine = state.cached_on(store, sig, "studyapp.services.papers.screening.my_decisions", stage, coder)
    st.caption(f"You have screened {q.done_by_me} of {q.eligible} papers at this stage; {len(q.ids)} to go. "
               + (q.model_note[:1].upper() + q.model_note[1:] + "." if q.model_note else "")
               + (f" The model expects about {q.expected_remaining:.0f} relevant papers among them."
                  if q.expected_remaining is not None else ""))
    hint = q.hint or {}
    if hint.get("reason"):
        (st.success if hint.get("stop") else st.caption)(f"Stopping hint: {hint['reason']}.")
    revisit = st.session_state.get(f"{key}.revisit")
    if revisit is not None:
        current = revisit
    elif q.ids:
        current = q.ids[st.session_state.get(f"{key}.skip", 0) % len(q.ids)]
    else:
        current = None
    inc, excl = criteria_for(store, stage)
    if current is None:
        st.success("Nothing left for you to screen at this stage.")
    else:
        unit = store.units.require(int(current))
        left, right = st.columns([3, 2], gap="large")
        with left:
            paper_card(unit, stage)
        with right:
            if current in mine:
                d, r = mine[current]
                st.info(f"Your decision: {d}" + (f" ({r})" if r else "") + ". Decide again to change it.")
            _buttons(unit, coder, stage, excl, key)
            st.caption("Keys: I include" + (", M maybe" if stage == "ta" else "")
                       + ", 1-9 exclude for that criterion, S skip.")
            with st.expander("Criteria"):
                for c in inc:
                    st.markdown(f"**{c.id}** (include) {c.label}: {c.definition or ''}")
                for c in excl:
                    st.markdown(f"**{c.id}** (exclude) {c.label}: {c.definition or ''}")
    _my_decisions(store, mine, key)


def _my_decisions(store: Store, mine: dict, key: str) -> None:
    if not mine:
        return
    with st.expander(f"Your decisions at this stage ({len(mine)})"):
        units = {u["id"]: u for u in store.units.list("paper", with_text=False)}
        rows = [{"id": uid, "key": units[uid]["key"], "title": units[uid]["title"], "decision": d, "reason": r or ""}
                for uid, (d, r) in mine.items() if uid in units]
        df = pd.DataFrame(rows)
        st.dataframe(df.drop(columns=["id"]), hide_index=True, width="stretch", height=220)
        labels = dict(zip(df["id"], df["key"] + " · " + df["title"].fillna("").str.slice(0, 80)))
        pick = st.selectbox("Change a decision", [None] + list(labels), key=f"{key}.change",
                            format_func=lambda i: "—" if i is None else labels[i])
        if pick is not None and st.button("Open it", key=f"{key}.open_again"):
            st.session_state[f"{key}.revisit"] = int(pick)
            st.rerun()
