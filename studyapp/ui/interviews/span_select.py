"""The transcript document with mouse span selection: a custom Streamlit component (plain JS/CSS).

Declared once here at import time (not inside a page script) from `span_select.js` and
`span_select.css`, shipped next to this module, with no build step. The component draws segments
as a readable document (speaker, chips, highlighted spans) and reports one event, `selection`:
`{segment, start, end, text}` where offsets count characters (code points) of the segment's stored
text, or `start = end = None` for a plain click on a segment. Study text is set as DOM text, never
as HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import streamlit as st

from studyapp.ui import state

HERE = Path(__file__).parent
NAME = "studyapp.span_document"

_mount = st.components.v2.component(
    NAME,
    js=(HERE / "span_select.js").read_text(encoding="utf-8"),
    css=(HERE / "span_select.css").read_text(encoding="utf-8"),
    isolate_styles=False,
)


def span_document(segments: list[dict], *, key: str, selected: int | None = None, pending: dict | None = None,
                  empty: str = "No segments.", on_select: Callable[[], None] | None = None) -> dict | None:
    """Draw `segments` and return this run's selection event (or None).

    Each segment: {id, key, speaker, interviewer, meta, text, memos, chips: [{label, color, title}],
    spans: [{id, start, end, color, label}]}. `pending` ({segment, start, end}) is drawn as a dashed
    highlight so a selection survives the rerun it causes. `on_select` runs before the rerun; read
    the event there with `selection_event(key)`."""
    result = _mount(key=key, data={"segments": segments, "selected": selected, "pending": pending, "empty": empty},
                    on_selection_change=on_select or (lambda: None))
    return getattr(result, "selection", None)


def selection_event(key: str) -> dict | None:
    """The latest selection event of the component mounted with `key` (inside its callback)."""
    held = state.get(key)
    if held is None:
        return None
    value = held.get("selection") if hasattr(held, "get") else getattr(held, "selection", None)
    return dict(value) if value else None
