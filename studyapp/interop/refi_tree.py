"""A study's interview codebooks as a REFI-QDA code tree, for `.qdpx` and `.qdc` exports.

Why its own module: the tree decides whether a project can go back to the tool it came from, so
its rules are in one place:
- each coded field (nominal, multi, ordinal) is a category: a `Code` that is not codable, holding
  the field's codes as nested `Code`s. A codebook whose only coded field is `codes` (what the
  import makes of a project whose codes were a plain tree) has its codes at the top instead, so
  the tree goes back as it came, without a root code "Codes";
- with several codebooks, one more level (not codable) names each codebook;
- a code keeps the GUID it was imported under (`GuidBook`), else gets the one derived from
  (codebook, field, code id); an imported code keeps `isCodable="false"` when the tool said so, and
  has no colour when it came without one (a code made in studyapp gets the colour studyapp shows);
- a code's definition is its `Description`, with include, exclude and examples as lines after it.
Free-text and number fields are not codes and are left out.
"""

from __future__ import annotations

from typing import Sequence

from studyapp.domain.codebook import Code as CbCode
from studyapp.domain.codebook import Codebook
from studyapp.interop import refi_model as m
from studyapp.interop.refi_identity import GuidBook
from studyapp.services.interviews.spans import code_color

#: The field the import makes of a project's plain code tree (`refi_codebook`).
PLAIN_FIELD = "codes"


def describe(c: CbCode) -> str:
    parts = [c.definition]
    parts += [f"Include: {c.include}"] if c.include else []
    parts += [f"Exclude: {c.exclude}"] if c.exclude else []
    parts += [f"Example: {e}" for e in c.examples]
    return "\n".join(p for p in parts if p)


def is_plain(cb: Codebook) -> bool:
    """Whether the codebook's codes are written at the top of the tree (see the module docstring)."""
    coded = [f for f in cb.fields if f.is_coded]
    return len(coded) == 1 and coded[0].id == PLAIN_FIELD


def code_tree(books: Sequence[Codebook], guids: GuidBook) -> tuple[list[m.Code], dict]:
    """REFI codes of `books` and the metadata naming each GUID (`codebooks`, `fields`: GUID ->
    [codebook, field, type], `codes`: GUID -> [codebook, field, code])."""
    meta: dict = {"codebooks": [], "fields": {}, "codes": {}}
    tops: list[m.Code] = []

    def convert(cb: Codebook, fid: str, c: CbCode) -> m.Code:
        key = (cb.id, fid, c.id)
        g = guids.get("code", key, "code", *key)
        meta["codes"][g] = list(key)
        attrs = guids.attrs("code", key)
        color = None if attrs.get("colorless") and not c.color else code_color(cb, fid, c.id)
        codable = attrs.get("codable", True)
        return m.Code(g, c.label, codable, color, describe(c), [convert(cb, fid, ch) for ch in c.children])

    for cb in books:
        fields: list[m.Code] = []
        for f in cb.fields:
            if not f.is_coded:
                continue
            codes = [convert(cb, f.id, c) for c in f.codes]
            if is_plain(cb):
                fields += codes
                continue
            g = guids.get("field", (cb.id, f.id), "field", cb.id, f.id)
            meta["fields"][g] = [cb.id, f.id, f.type]
            fields.append(m.Code(g, f.label, False, None, f.definition, codes))
        group = guids.get("codebook", (cb.id,), "codebook", cb.id) if len(books) > 1 else None
        meta["codebooks"].append({"id": cb.id, "yaml": cb.text, "guid": group})
        tops += [m.Code(group, cb.title, False, None, cb.description, fields)] if group else fields
    return tops, meta
