"""The panel that codes one transcript turn: the pending quote span with its codes, the coder's codes on
the turn (type-ahead over the codebook tree; adding or removing a code saves it), their quotes in the
turn, memos on the turn and on codes, and the full coding form. Writes run in button callbacks, so
the page redraws with the new state, and go through the span and coding services.
"""

from __future__ import annotations

from typing import Callable

import streamlit as st

from studyapp.errors import StudyError
from studyapp.render.safe_text import plain, plain_line
from studyapp.services.interviews import spans as sp
from studyapp.services.interviews.views import CodingView, SegmentPanel
from studyapp.ui import state
from studyapp.ui.state import Store
from studyapp.ui.interviews.quick import recent_row, shortcuts, span_memo
from studyapp.ui.widgets.code_picker import code_picker
from studyapp.ui.widgets.coding_form import coding_form
from studyapp.ui.widgets.history import history_expander

KEY = "interviews"
SEGMENT_KEY = "interviews.segment"
PENDING_KEY = "interviews.pending"
SPAN_CODES_KEY = "interviews.span_codes"
MEMO_CODE_KEY = "interviews.memo_code"
CODE_MEMO_TEXT_KEY = "interviews.code_memo_text"


def codes_key(segment_id: int, round_id: str, codebook: str) -> str:
    return f"interviews.codes.{codebook}.{segment_id}.{round_id}"


def _write(fn: Callable[[Store], str]) -> bool:
    """Run a write in a callback with its own store; the outcome shows at the top of the panel."""
    try:
        with state.open_store() as store:
            state.flash(KEY, fn(store))
        return True
    except StudyError as e:
        state.flash(KEY, f"Nothing saved: {e}", error=True)
        return False


def _tag_selection(coder: str, cb: str, round_id: str) -> None:
    pending = state.get(PENDING_KEY) or {}
    codes = state.get(SPAN_CODES_KEY) or []

    def run(store: Store) -> str:
        sid = sp.add_span(store, int(pending["segment"]), coder, int(pending["start"]), int(pending["end"]), codes,
                          codebook=cb, round=round_id, expected_text=pending.get("text"))
        return f"Quote {sid} saved with {len(codes)} code(s); the turn carries them too."
    if not codes:
        state.flash(KEY, "Pick at least one code for the selected text.", error=True)
        return
    if _write(run):
        state.put(PENDING_KEY, None)
        state.put(SPAN_CODES_KEY, [])


def _codes_changed(segment_id: int, coder: str, cb: str, round_id: str, before: list[str]) -> None:
    now = state.get(codes_key(segment_id, round_id, cb)) or []
    added, removed = [c for c in now if c not in before], [c for c in before if c not in now]

    def run(store: Store) -> str:
        n = sp.tag_segment(store, segment_id, coder, added, codebook=cb, round=round_id) if added else 0
        n += sp.tag_segment(store, segment_id, coder, removed, codebook=cb, round=round_id, remove=True) if removed else 0
        return f"Codes saved ({n} change{'s' if n != 1 else ''})."
    _write(run)


def _delete_span(span_id: int, coder: str) -> None:
    _write(lambda store: f"Quote {sp.delete_span(store, span_id, actor=coder)['id']} deleted (the turn keeps its codes).")


def _add_memo(coder: str, segment_id: int, text_key: str, cb: str, round_id: str) -> None:
    text = state.get(text_key) or ""
    if _write(lambda store: f"Memo {sp.add_segment_memo(store, segment_id, coder, text, codebook=cb, round=round_id)} saved."):
        state.put(text_key, "")


def _add_code_memo(coder: str, cb: str, code_key: str, text_key: str, round_id: str | None = None) -> None:
    text = state.get(text_key) or ""
    ref = state.get(code_key)
    if _write(lambda store: f"Memo {sp.add_code_memo(store, cb, ref, coder, text, round=round_id)} saved on the code."):
        state.put(text_key, "")


def segment_panel(store: Store, v: CodingView, coder: str | None) -> None:
    by_id = {s["id"]: s for s in v.segments}
    labels = {s["id"]: f"{s['meta']} · {s['speaker'] or '—'}: {s['text'][:50]}" for s in v.segments}
    sid = st.selectbox("Turn", list(by_id), format_func=labels.get, key=SEGMENT_KEY,
                       on_change=lambda: state.put(PENDING_KEY, None))
    state.show_flash(KEY)
    if not coder:
        st.info("Add a coder to start coding.")
        return
    cb, round_id, p = v.codebook, v.round, v.panel
    if cb is None or p is None:
        return
    refs, label_of = p.refs, p.label_of
    pending = state.get(PENDING_KEY)
    if pending and pending.get("segment") == sid:
        with st.container(border=True, key="interviews.selection"):
            h1, h2 = st.columns([3, 2], vertical_alignment="center")
            h1.markdown(f"**Selected text** (characters {pending['start']}–{pending['end']})")
            h2.button("Clear selection", key="interviews.clear_selection",
                      on_click=lambda: state.put(PENDING_KEY, None))
            st.text(pending["text"])
            # The button sits beside the picker, not under it: the picker's open list drops below
            # the picker and never covers the button that saves the quote.
            b1, b2 = st.columns([3, 2], vertical_alignment="bottom")
            code_picker("Codes for this quote", refs, label_of.get, key=SPAN_CODES_KEY, container=b1,
                        help="Pick one code at a time; the quote is saved with them by **Tag selection**.")
            b2.button("Tag selection", type="primary", key="interviews.tag_selection",
                      on_click=_tag_selection, args=(coder, cb.id, round_id))
    else:
        st.caption("Select text in a turn with the mouse to mark a quote; click a turn to code it.")
    before = p.own_refs
    key = codes_key(sid, round_id, cb.id)
    if set(state.get(key) or ()) != set(before):
        # Changes made here are saved in the callback, so a difference means the study changed
        # elsewhere (the form, a quote, another tab): show the stored codes.
        state.put(key, [r for r in before if r in label_of])
    code_picker(f"Your codes on turn {by_id[sid]['key'].rsplit(':', 1)[-1]}", refs, label_of.get, key=key,
                on_change=_codes_changed, args=(sid, coder, cb.id, round_id, before),
                help="Type part of a code's name; each code picked (or removed) is saved at once, one at a time.")
    recent = recent_row(store, coder, cb.id, round_id, SEGMENT_KEY, PENDING_KEY)
    shortcuts([s["id"] for s in v.segments], recent, coder, cb.id, round_id, SEGMENT_KEY, PENDING_KEY)
    if p.quotes:
        st.markdown("**Your quotes in this turn**")
        for x in p.quotes:
            c1, c2 = st.columns([5, 1])
            c1.markdown(f"“{plain(x['snippet'])}”  \n:gray[{x['start']}–{x['end']} · "
                        + ", ".join(plain_line(label_of.get(f"{f}:{c}", c)) for f, c in x["codes"]) + "]")
            c2.button("Delete", key=f"interviews.del_span.{x['id']}", on_click=_delete_span, args=(x["id"], coder))
            span_memo(x, coder)
    _memos(store, p, sid, coder, cb.id, round_id)
    with st.expander("All fields of this turn (form)"):
        coding_form(store, cb, sid, coder, round_id, p.own, "interviews")
    history_expander(store, sid, coder)


def _memos(store: Store, p: SegmentPanel, sid: int, coder: str, cb_id: str, round_id: str) -> None:
    with st.expander(f"Memos on this turn ({len(p.memos)})"):
        for m in p.memos:
            st.markdown(f"**{m['coder'] or 'anonymous'}**, {m['created_at'][:10]}")
            st.text(m["text"])
        text_key = f"interviews.memo.{sid}"
        st.text_area("New memo", key=text_key, height=80)
        st.button("Add memo", key=f"interviews.add_memo.{sid}", on_click=_add_memo,
                  args=(coder, sid, text_key, cb_id, round_id))
    with st.expander("Memos on codes"):
        ref = st.selectbox("Code", p.refs, format_func=p.label_of.get, key=MEMO_CODE_KEY)
        memos = p.code_memos if ref == p.memo_code else sp.code_memos(store, cb_id, ref, coder)
        for m in memos:
            st.markdown(f"**{m['coder'] or 'anonymous'}**, {m['created_at'][:10]}")
            st.text(m["text"])
        st.text_area("New memo on this code", key=CODE_MEMO_TEXT_KEY, height=80)
        st.button("Add code memo", key="interviews.add_code_memo", on_click=_add_code_memo,
                  args=(coder, cb_id, MEMO_CODE_KEY, CODE_MEMO_TEXT_KEY, round_id))
