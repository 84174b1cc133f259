"""A REFI-QDA code tree as a studyapp codebook (kind `interview`), for projects made in other tools.

Why: studyapp codes units against a YAML codebook (docs/codebooks.md); a REFI project only has a
tree of codes. The mapping keeps the tree whole and makes every code a code of a `multi` field, so
a segment can carry several codes per coder, as highlights in a QDA tool do:
- when every top-level code is a category (not codable, with sub-codes), as studyapp itself exports
  fields, each top-level code becomes a field and its sub-codes that field's code tree;
- otherwise the whole tree is the code tree of one field, `codes`.
Code ids are the dotted path of slugs of the names (`attitude.covid`), unique in their field;
labels, descriptions (as definitions) and colours are kept. The YAML is a function of the codes
and the project's name only (not of the tool's version or the date), so importing the same project
again finds the same codebook version, and a changed code tree makes a new version.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from studyapp.domain.codebook import Code as CodebookCode
from studyapp.domain.codebook import Codebook, Field
from studyapp.domain.codebook_yaml import parse_codebook
from studyapp.interop.refi_model import Code

SLUG_MAX = 40


def slug(text: str, fallback: str = "code") -> str:
    """An id from a name: ASCII letters and digits joined by '-', at most 40 characters."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")[:SLUG_MAX].strip("-")
    return s or fallback


@dataclass(frozen=True)
class MappedCodebook:
    """The parsed codebook, and where each REFI code GUID went: (field id, code id), or
    (field id, None) for a category that became a field."""
    codebook: Codebook
    codes: dict[str, tuple[str, str | None]]


def _unique(base: str, taken: set[str]) -> str:
    out, n = base, 2
    while out in taken:
        out, n = f"{base}-{n}", n + 1
    taken.add(out)
    return out


def _code(c: Code, parent: str | None, field_id: str, taken: set[str], where: dict) -> CodebookCode:
    own = slug(c.name, "c" + c.guid[:8])
    cid = _unique(f"{parent}.{own}" if parent else own, taken)
    where[c.guid] = (field_id, cid)
    return CodebookCode(cid, c.name, definition=c.description or "", color=c.color.lower() if c.color else None,
                        children=tuple(_code(ch, cid, field_id, taken, where) for ch in c.children))


def codebook_for(codes: list[Code], *, codebook_id: str, title: str) -> MappedCodebook:
    """The interview codebook for a REFI code tree (see the module docstring)."""
    where: dict[str, tuple[str, str | None]] = {}
    fields = []
    categories = bool(codes) and all(not c.codable and c.children for c in codes)
    if categories:
        field_ids: set[str] = set()
        for c in codes:
            fid = _unique(slug(c.name, "f" + c.guid[:8]).replace("-", "_"), field_ids)
            where[c.guid] = (fid, None)
            taken: set[str] = set()
            fields.append(Field(fid, c.name, "multi", definition=c.description or "",
                                codes=tuple(_code(ch, None, fid, taken, where) for ch in c.children)))
    else:
        taken = set()
        fields.append(Field("codes", "Codes", "multi", codes=tuple(_code(c, None, "codes", taken, where) for c in codes)))
    cb = Codebook(id=codebook_id, title=title, version="1", kind="interview", fields=tuple(fields),
                  description=f"The code tree of the REFI-QDA file {title!r}.", source="REFI-QDA").written()
    # Parsed back from its own text: the same checks (and file:line messages) as a codebook file.
    return MappedCodebook(parse_codebook(cb.text, f"codebook {codebook_id!r} made from the project"), where)
