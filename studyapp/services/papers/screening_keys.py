"""One-key shortcuts of the Screen view, derived from the criteria's ids (not their position).

`I` includes, `M` is maybe (title and abstract only), `S` skips. Each exclusion reason gets the
number its id ends in (E4 -> "4", so a reviewer who learnt the criteria by id presses the same key
at every stage, whichever criteria the stage leaves out). Include criteria have no key of their own:
including is one decision (`I`) whichever inclusion criteria a paper meets. A reason whose number
is not 1-9 (E10, X-lang, "not-retrieved") or whose number another reason already took gets the
first free letter of its id, else the first free letter of `SPARE`; letters that mean something
else here (I, M, S) and the keys Streamlit reserves (C, R) are never given out. Every key is
unique on the page; a reason left without one (more than 30 reasons) is clicked instead.
"""

from __future__ import annotations

import re

FIXED = {"include": "I", "maybe": "M", "skip": "S"}
RESERVED = set(FIXED.values()) | {"C", "R"}
SPARE = "NXYZWVUTQPOLKJHGFEDBA"


def exclusion_keys(reason_ids: list[str]) -> dict[str, str | None]:
    """{reason id: its one key, or None}: the id's trailing number 1-9, else a free letter."""
    keys: dict[str, str | None] = {}
    taken = set(RESERVED)
    later: list[str] = []
    for rid in reason_ids:
        m = re.search(r"(\d+)$", rid)
        if m and 1 <= int(m.group(1)) <= 9 and m.group(1) not in taken:
            keys[rid] = m.group(1)
            taken.add(m.group(1))
        else:
            later.append(rid)
    for rid in later:
        letters = [ch for ch in rid.upper() if ch.isalpha()] + list(SPARE)
        key = next((ch for ch in letters if ch not in taken), None)
        keys[rid] = key
        if key:
            taken.add(key)
    return {rid: keys[rid] for rid in reason_ids}


def keys_legend(reason_ids: list[str], stage: str) -> str:
    """The keys line shown under the buttons, e.g. "Keys: I include, M maybe, S skip; exclude: 1 E1, 4 E4"."""
    keys = exclusion_keys(reason_ids)
    fixed = ["I include"] + (["M maybe"] if stage == "ta" else []) + ["S skip"]
    excl = [f"{k} {rid}" for rid, k in keys.items() if k]
    return "Keys: " + ", ".join(fixed) + ("; exclude: " + ", ".join(excl) if excl else "") + "."
