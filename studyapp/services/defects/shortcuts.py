"""One-key shortcuts for the defect labelling form, one per choice (as Label Studio's hotkeys).

A question whose choices fit in a row (a nominal or ordinal field with at most `MAX_CHOICES` flat
codes and no parent field: "Reengineering defect?", framework, DL stage, ...) is answered with a
button per choice, and each choice gets the next key of `POOL` in form order (the decision first,
then the codebook's order), so the keys never change while a coder labels and never repeat on the
page. Longer lists and trees (root causes) stay searchable lists: type to filter. `C` and `R` are
Streamlit's own keys and are never given out; keys run out after 34 choices (the rest are clicked).
"""

from __future__ import annotations

from studyapp.domain.codebook import Codebook, Field

POOL = "1234567890QWETYUIOPASDFGHJKLZXVBNM"
MAX_CHOICES = 8
DECISION = "is_defect"


def keyed(f: Field) -> bool:
    """Whether `f` is answered with one button (and key) per choice."""
    return (f.type in ("nominal", "ordinal") and not f.parent_field and 0 < len(f.codes) <= MAX_CHOICES
            and not any(c.children for c in f.codes))


def form_order(cb: Codebook) -> list[Field]:
    """The form's questions in the order they are drawn: the decision first, then the codebook's order."""
    first = [f for f in cb.fields if f.id == DECISION]
    return first + [f for f in cb.fields if f.id != DECISION]


def first_question(cb: Codebook) -> Field | None:
    """The question a label cannot be saved without (the decision, else the first coded field)."""
    return next((f for f in form_order(cb) if f.is_coded), None)


def choice_keys(cb: Codebook) -> dict[str, dict[str, str]]:
    """{field id: {code id: key}} for every keyed question, in form order."""
    out: dict[str, dict[str, str]] = {}
    pool = iter(POOL)
    for f in form_order(cb):
        if keyed(f):
            out[f.id] = {c.id: k for c, k in zip(f.codes, pool)}
    return out
