"""Read-model of the Codebooks page: every codebook's newest version as a tree, and its stored versions.

The page asks `codebooks_view` once and draws the result; the code trees come as Markdown (label,
id, definition, when to use it, when not, examples), the same text `studyapp codebook show` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from studyapp.domain.codebook import Codebook
from studyapp.domain.roles import Role
from studyapp.services.coding.codebooks import code_markdown, list_codebooks
from studyapp.services.coding.rounds import active_round, rounds_of
from studyapp.store import Store


@dataclass(frozen=True)
class CodebooksView:
    """`books` in id order (newest version each); `versions[codebook id]` every stored version, oldest
    first; `codes[(codebook id, field id)]` the field's code tree as Markdown ('' for a field without codes)."""

    books: list[Codebook]
    versions: dict[str, list[dict]]
    codes: dict[tuple[str, str], str]
    rounds: dict[str, list[str]] = field(default_factory=dict)
    active: dict[str, str | None] = field(default_factory=dict)
    can_set_active: bool = False


def codebooks_view(store: Store, viewer: str | None = None) -> CodebooksView:
    """`rounds[codebook id]` the rounds it is coded in, `active[codebook id]` the one its coding views
    open on; `can_set_active` whether `viewer` (a lead) may change it."""
    books = list_codebooks(store)
    return CodebooksView(
        books=books,
        versions={cb.id: store.codebooks.versions(cb.id) for cb in books},
        codes={(cb.id, f.id): "\n".join(code_markdown(c) for c in f.codes) for cb in books for f in cb.fields},
        rounds={cb.id: rounds_of(store, cb.id) for cb in books},
        active={cb.id: active_round(store, cb.id) for cb in books},
        can_set_active=bool(viewer) and Role.of(store, viewer).is_lead,
    )
