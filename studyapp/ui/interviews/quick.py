"""Coding speed in the Interviews coding view: keyboard shortcuts (a small custom component,
`shortcuts.js`), the row of the coder's recent codes (a click applies one: to the selected text as a
quote, else to the turn), and a memo on each of the coder's quotes. Services:
`services.interviews.quick`."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import streamlit as st

from studyapp.errors import StudyError
from studyapp.services.interviews import quick
from studyapp.ui import state

HERE = Path(__file__).parent
KEYS_KEY = "interviews.keys"
FLASH = "interviews"  # the coding panel's flash (ui/interviews/panel.py KEY)
LEGEND = ("Keys: j / k next / previous turn · / code picker · . last code · 1–6 a recent code · "
          "t tag the selection · Esc leaves a field")

_mount = st.components.v2.component("studyapp.coding_keys", js=(HERE / "shortcuts.js").read_text(encoding="utf-8"),
                                    css=".sa-keys{font-size:0.75rem;color:#6b6b6b;margin:-0.25rem 0 0.5rem}",
                                    isolate_styles=False)


def _write(fn) -> None:
    try:
        with state.open_store() as store:
            state.flash(FLASH, fn(store))
    except StudyError as e:
        state.flash(FLASH, f"Nothing saved: {e}", error=True)


def _apply(coder: str, ref: str, cb: str, round_id: str, segment_key: str, pending_key: str) -> None:
    sid, pending = state.get(segment_key), state.get(pending_key)
    if sid is None:
        return
    _write(lambda store: quick.apply_code(store, coder, ref, codebook=cb, round=round_id, segment_id=int(sid),
                                          pending=pending))
    if pending and pending.get("segment") == sid:
        state.put(pending_key, None)


def shortcuts(segment_ids: Sequence[int], recent: Sequence[str], coder: str | None, cb: str | None,
              round_id: str | None, segment_key: str, pending_key: str) -> None:
    """Mount the key handler; `recent` are the recent codes' refs (for `.` and 1-6)."""
    def on_key() -> None:
        held = state.get(KEYS_KEY)
        ev = (held.get("shortcut") if hasattr(held, "get") else getattr(held, "shortcut", None)) if held else None
        if not ev:
            return
        if ev["action"] in ("next", "previous"):
            state.put(segment_key, quick.neighbour(segment_ids, state.get(segment_key),
                                                   1 if ev["action"] == "next" else -1))
            state.put(pending_key, None)
        elif ev["action"] == "recent" and coder and cb and 0 < int(ev["n"]) <= len(recent):
            _apply(coder, recent[int(ev["n"]) - 1], cb, round_id, segment_key, pending_key)

    _mount(key=KEYS_KEY, data={"legend": LEGEND}, on_shortcut_change=on_key)


def recent_row(store, coder: str | None, cb: str, round_id: str, segment_key: str, pending_key: str) -> list[str]:
    """The recent codes as buttons; returns their refs (for the shortcuts)."""
    codes = quick.recent_codes(store, coder, cb)
    if not codes:
        return []
    st.caption("Recent codes (a click, or 1–6, applies one: to the selected text, else to the turn)")
    cols = st.columns(len(codes))
    for i, (col, c) in enumerate(zip(cols, codes), 1):
        col.button(f"{i} {c.label.rsplit(' › ', 1)[-1]}", key=f"interviews.recent.{c.ref}", help=c.path or c.label,
                   on_click=_apply, args=(coder, c.ref, cb, round_id, segment_key, pending_key),
                   width="stretch")
    return [c.ref for c in codes]


def span_memo(span: dict, coder: str) -> None:
    """A memo box under one of the coder's quotes; saved when the text changes."""
    key = f"interviews.span_memo.{span['id']}"
    state.init(key, span.get("note") or "")

    def save() -> None:
        text = state.get(key) or ""
        _write(lambda store: (quick.set_span_memo(store, span["id"], text, actor=coder)
                              or f"Memo on quote {span['id']} saved."))
    st.text_input("Memo on this quote", key=key, on_change=save, label_visibility="collapsed",
                  placeholder="Memo on this quote…")
