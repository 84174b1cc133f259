"""The code picker: a type-ahead multiselect over a codebook's codes, as coders of ATLAS.ti, MAXQDA and
Taguette expect it. Typing matches the name shown (the code's own label; its parent only where labels
repeat, `services.interviews.spans.code_names`) as a plain substring, never a scattered subsequence
of the whole path; each pick adds one code; there is no "Select all" / "Select N matches" entry, so
nothing is added in bulk and a quote's codes are saved only by its own button.
"""

from __future__ import annotations

from typing import Callable, Sequence

import streamlit as st

FILTER_MODE = "contains"


def code_picker(label: str, options: Sequence[str], names: Callable[[str], str], *, key: str,
                container=None, **kwargs) -> list[str]:
    """`names` maps an option to the name shown (and matched); `kwargs` go to `st.multiselect`."""
    kwargs.setdefault("placeholder", "Type part of a code's name…")
    return (container or st).multiselect(label, list(options), format_func=names, key=key, filter_mode=FILTER_MODE,
                                         select_all=False, **kwargs)
