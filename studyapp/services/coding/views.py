"""Read-model of the Codebooks page: every codebook's newest version as a tree, and its stored versions.

The page asks `codebooks_view` once and draws the result; the code trees come as Markdown (label,
id, definition, when to use it, when not, examples), the same text `studyapp codebook show` prints.
"""

from __future__ import annotations

from dataclasses import dataclass

from studyapp.domain.codebook import Codebook
from studyapp.services.coding.codebooks import code_markdown, list_codebooks
from studyapp.store import Store


@dataclass(frozen=True)
class CodebooksView:
    """`books` in id order (newest version each); `versions[codebook id]` every stored version, oldest
    first; `codes[(codebook id, field id)]` the field's code tree as Markdown ('' for a field without codes)."""

    books: list[Codebook]
    versions: dict[str, list[dict]]
    codes: dict[tuple[str, str], str]


def codebooks_view(store: Store) -> CodebooksView:
    books = list_codebooks(store)
    return CodebooksView(
        books=books,
        versions={cb.id: store.codebooks.versions(cb.id) for cb in books},
        codes={(cb.id, f.id): "\n".join(code_markdown(c) for c in f.codes) for cb in books for f in cb.fields},
    )
