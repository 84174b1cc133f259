"""Driving the app for the team tests: sign in through the real form, open any page and view, and
read back everything a page shows (every element of the tree, dataframes and charts decoded)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Iterator

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import element_tree as et

APP = str(Path(__file__).resolve().parents[2] / "studyapp" / "ui" / "app.py")

#: Widgets whose option lists hold the whole codebook: for them only the label and value are a page's
#: content (the options are the codebook, not anyone's coding).
CHOICE_WIDGETS = (et.Selectbox, et.Multiselect, et.Radio, et.ButtonGroup, et.SelectSlider)


def sign_in(name: str, password: str) -> AppTest:
    """A new session signed in through the sign-in form (STUDYAPP_AUTH=1 must be set)."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="app.sign_in.name").input(name)
    at.text_input(key="app.sign_in.password").input(password)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["app.user"] == name, "sign-in failed"
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    if page != "home":
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _arrow_tables(msg) -> Iterator[str]:
    """Every Arrow IPC payload inside a proto message (dataframes, chart datasets), as CSV text."""
    import pyarrow as pa

    for fd, value in msg.ListFields():
        repeated = fd.is_repeated if hasattr(fd, "is_repeated") else fd.label == fd.LABEL_REPEATED
        values = value if repeated else [value]
        for v in values:
            if isinstance(v, bytes) and v:
                try:
                    yield pa.ipc.open_stream(io.BytesIO(v)).read_all().to_pandas().to_csv()
                except Exception:  # noqa: BLE001 - not Arrow: its repr is in str(proto) already
                    continue
            elif hasattr(v, "ListFields"):
                yield from _arrow_tables(v)


def _plain_value(node):
    """A choice widget's current value when it is plain data (a code id, a list of ids, a number);
    None for objects (a Codebook picked in a selectbox would print every code of the codebook)."""
    try:
        value = node.value
    except Exception:  # noqa: BLE001 - AppTest cannot always map a value back without the app's format_func
        return None
    items = value if isinstance(value, (list, tuple)) else [value]
    return value if all(isinstance(v, (str, int, float, type(None))) for v in items) else None


def _element_text(node, everything: bool) -> str:
    proto = getattr(node, "proto", None)
    if proto is None:
        return ""
    if not everything and isinstance(node, CHOICE_WIDGETS):
        return f"{getattr(node, 'label', '')}\n{_plain_value(node)!r}"
    return "\n".join([str(proto), *_arrow_tables(proto)])


def page_text(at: AppTest, *, everything: bool = True, skip_expanders: tuple[str, ...] = ()) -> str:
    """All a page shows, as one text. With `everything=False`, option lists of choice widgets are left
    out, and so are expanders whose label starts with one of `skip_expanders` (a codebook's taxonomy)."""
    parts: list[str] = []

    def walk(node) -> None:
        if isinstance(node, et.Expander) and node.label.startswith(skip_expanders) and not everything:
            return
        if isinstance(node, et.Block):
            label = getattr(node, "label", None)
            if label:
                parts.append(str(label))
            for child in node.children.values():
                walk(child)
        else:
            parts.append(_element_text(node, everything))

    walk(at._tree)
    return "\n".join(parts)
