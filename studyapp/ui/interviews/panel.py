"""The panel that codes one transcript turn: the pending quote span with its codes, the coder's codes on
the turn (type-ahead over the codebook tree; adding or removing a code saves it), their quotes in the
turn, memos on the turn and on codes, and the full coding form. Writes run in button callbacks, so
the page redraws with the new state, and go through the span and coding services.
"""

from __future__ import annotations

from typing import Callable

import streamlit as st

from studyapp.domain.codebook import Codebook
from studyapp.errors import StudyError
from studyapp.services.interviews import spans as sp
from studyapp.store import Store
from studyapp.ui import state
from studyapp.ui.widgets.coding_form import coding_form
from studyapp.ui.widgets.history import history_expander

SEGMENT_KEY = "interviews.segment"
PENDING_KEY = "interviews.pending"
FLASH_KEY = "interviews.flash"
SPAN_CODES_KEY = "interviews.span_codes"


def codes_key(segment_id: int, round_id: str, codebook: str) -> str:
    return f"interviews.codes.{codebook}.{segment_id}.{round_id}"


def _write(fn: Callable[[Store], str]) -> None:
    """Run a write in a callback with its own store; the outcome shows at the top of the panel."""
    try:
        with Store.open(state.study_path()) as store:
            st.session_state[FLASH_KEY] = ("success", fn(store))
    except StudyError as e:
        st.session_state[FLASH_KEY] = ("error", f"Nothing saved: {e}")


def _tag_selection(coder: str, cb: str, round_id: str) -> None:
    pending = st.session_state.get(PENDING_KEY) or {}
    codes = st.session_state.get(SPAN_CODES_KEY) or []

    def run(store: Store) -> str:
        sid = sp.add_span(store, int(pending["segment"]), coder, int(pending["start"]), int(pending["end"]), codes,
                          codebook=cb, round=round_id, expected_text=pending.get("text"))
        return f"Quote {sid} saved with {len(codes)} code(s); the turn carries them too."
    if not codes:
        st.session_state[FLASH_KEY] = ("error", "Pick at least one code for the selected text.")
        return
    _write(run)
    if st.session_state[FLASH_KEY][0] == "success":
        st.session_state[PENDING_KEY] = None
        st.session_state[SPAN_CODES_KEY] = []


def _codes_changed(segment_id: int, coder: str, cb: str, round_id: str, before: list[str]) -> None:
    now = st.session_state.get(codes_key(segment_id, round_id, cb)) or []
    added, removed = [c for c in now if c not in before], [c for c in before if c not in now]

    def run(store: Store) -> str:
        n = sp.tag_segment(store, segment_id, coder, added, codebook=cb, round=round_id) if added else 0
        n += sp.tag_segment(store, segment_id, coder, removed, codebook=cb, round=round_id, remove=True) if removed else 0
        return f"Codes saved ({n} change{'s' if n != 1 else ''})."
    _write(run)


def _delete_span(span_id: int, coder: str, segment_id: int, cb: str, round_id: str) -> None:
    _write(lambda store: f"Quote {sp.delete_span(store, span_id, actor=coder)['id']} deleted (the turn keeps its codes).")


def _add_memo(coder: str, segment_id: int, text_key: str) -> None:
    text = st.session_state.get(text_key) or ""
    _write(lambda store: f"Memo {sp.add_segment_memo(store, segment_id, coder, text)} saved.")
    if st.session_state[FLASH_KEY][0] == "success":
        st.session_state[text_key] = ""


def _add_code_memo(coder: str, cb: str, code_key: str, text_key: str) -> None:
    text = st.session_state.get(text_key) or ""
    ref = st.session_state.get(code_key)
    _write(lambda store: f"Memo {sp.add_code_memo(store, cb, ref, coder, text)} saved on the code.")
    if st.session_state[FLASH_KEY][0] == "success":
        st.session_state[text_key] = ""


def segment_panel(store: Store, segments: list[dict], coder: str | None, cb: Codebook | None, round_id: str) -> None:
    by_id = {s["id"]: s for s in segments}
    labels = {s["id"]: f"{s['meta']} · {s['speaker'] or '—'}: {s['text'][:50]}" for s in segments}
    sid = st.selectbox("Turn", list(by_id), format_func=labels.get, key=SEGMENT_KEY,
                       on_change=lambda: st.session_state.update({PENDING_KEY: None}))
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        (st.success if flash[0] == "success" else st.error)(flash[1])
    if not coder:
        st.info("Add a coder to start coding.")
        return
    if cb is None:
        return
    choices = sp.code_choices(cb)
    refs = [c.ref for c in choices]
    label_of = {c.ref: c.label for c in choices}
    pending = st.session_state.get(PENDING_KEY)
    if pending and pending.get("segment") == sid:
        with st.container(border=True, key="interviews.selection"):
            st.markdown(f"**Selected text** (characters {pending['start']}–{pending['end']})")
            st.text(pending["text"])
            st.multiselect("Codes for this quote", refs, format_func=label_of.get, key=SPAN_CODES_KEY,
                           placeholder="Type to find a code…")
            b1, b2 = st.columns(2)
            b1.button("Tag selection", type="primary", key="interviews.tag_selection",
                      on_click=_tag_selection, args=(coder, cb.id, round_id))
            b2.button("Clear selection", key="interviews.clear_selection",
                      on_click=lambda: st.session_state.update({PENDING_KEY: None}))
    else:
        st.caption("Select text in a turn with the mouse to mark a quote; click a turn to code it.")
    own = sp.own_codes(store, sid, coder, cb.id, round_id)
    before = [f"{f}:{c}" for f, v in own.items() if cb.field(f) and cb.field(f).is_coded
              for c in (v if isinstance(v, list) else [v])]
    key = codes_key(sid, round_id, cb.id)
    if set(st.session_state.get(key) or ()) != set(before):
        # Changes made here are saved in the callback, so a difference means the study changed
        # elsewhere (the form, a quote, another tab): show the stored codes.
        st.session_state[key] = [r for r in before if r in label_of]
    st.multiselect(f"Your codes on turn {by_id[sid]['key'].rsplit(':', 1)[-1]}", refs, format_func=label_of.get,
                   key=key, placeholder="Type to find a code…", on_change=_codes_changed,
                   args=(sid, coder, cb.id, round_id, before),
                   help="Search the codebook tree by name; adding or removing a code saves it at once.")
    mine = [x for x in store.transcripts.spans(unit_ids=[sid], coders=[coder]) if x["round"] == round_id]
    if mine:
        st.markdown("**Your quotes in this turn**")
        for x in mine:
            c1, c2 = st.columns([5, 1])
            c1.markdown(f"“{x['snippet']}”  \n:gray[{x['start']}–{x['end']} · "
                        + ", ".join(label_of.get(f"{f}:{c}", c) for f, c in x["codes"]) + "]")
            c2.button("Delete", key=f"interviews.del_span.{x['id']}", on_click=_delete_span,
                      args=(x["id"], coder, sid, cb.id, round_id))
    _memos(store, sid, coder, cb, round_id, refs, label_of)
    with st.expander("All fields of this turn (form)"):
        coding_form(store, cb, sid, coder, round_id, own, "interviews")
    history_expander(store, sid, coder)


def _memos(store: Store, sid: int, coder: str, cb: Codebook, round_id: str, refs: list[str], label_of: dict) -> None:
    memos = sp.segment_memos(store, sid, coder, round_id)
    with st.expander(f"Memos on this turn ({len(memos)})"):
        for m in memos:
            st.markdown(f"**{m['coder'] or 'anonymous'}**, {m['created_at'][:10]}")
            st.text(m["text"])
        text_key = f"interviews.memo.{sid}"
        st.text_area("New memo", key=text_key, height=80)
        st.button("Add memo", key=f"interviews.add_memo.{sid}", on_click=_add_memo, args=(coder, sid, text_key))
    with st.expander("Memos on codes"):
        code_key = "interviews.memo_code"
        ref = st.selectbox("Code", refs, format_func=label_of.get, key=code_key)
        for m in sp.code_memos(store, cb.id, ref, coder, round_id):
            st.markdown(f"**{m['coder'] or 'anonymous'}**, {m['created_at'][:10]}")
            st.text(m["text"])
        st.text_area("New memo on this code", key="interviews.code_memo_text", height=80)
        st.button("Add code memo", key="interviews.add_code_memo", on_click=_add_code_memo,
                  args=(coder, cb.id, code_key, "interviews.code_memo_text"))
