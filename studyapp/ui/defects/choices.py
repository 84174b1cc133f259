"""A question answered by one button per choice, each with its one-key shortcut shown on it.

The chosen answer is the primary button; pressing its key (or clicking it) again clears the answer.
The draft answer lives in the session under the field's widget key and the coder's name (buttons
hold no value of their own, and a draft must never be shown to the next coder who signs in or is
picked in the same browser). Keys: `services.defects.shortcuts.choice_keys`.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from studyapp.domain.codebook import Field
from studyapp.render.safe_text import plain_line, safe_markdown
from studyapp.ui import state


def _pick(wkey: str, code_id: str) -> None:
    state.put(wkey, None if state.get(wkey) == code_id else code_id)


def choice_buttons(f: Field, wkey: str, current: Any, keys: dict[str, str], *, coder: str,
                   label: str | None = None) -> Any:
    """Draw the question and return the chosen code id (or None); `current` is the coder's stored value."""
    opts = [c.id for c in f.codes]
    vkey = f"{wkey}.draft.{coder}"
    state.init(vkey, current if current in opts else None)
    value = state.get(vkey)
    if value not in opts:
        state.put(vkey, value := None)
    st.markdown(f"**{label or plain_line(f.label)}**", help=safe_markdown(f.definition) or None)
    with st.container(horizontal=True, gap="small", key=f"{wkey}.choices"):
        for c in f.codes:
            st.button(plain_line(c.label), key=f"{wkey}.{c.id}", type="primary" if value == c.id else "secondary",
                      shortcut=keys.get(c.id), on_click=_pick, args=(vkey, c.id))
    return value
