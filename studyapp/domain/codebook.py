"""Codebook model: fields and (hierarchical) codes, with no I/O.

A codebook is what coders apply to units. Every coding workflow (papers, transcript segments,
defects) shares this model, so agreement, adjudication and exports work the same everywhere.
Codes are identified by `id`, unique within a field across the whole tree, so a stored value is
always just a code id (or a set of them for `multi` fields).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Iterator

FIELD_TYPES = ("nominal", "multi", "ordinal", "interval", "number", "text")
CODED_TYPES = ("nominal", "multi", "ordinal")
KINDS = ("slr", "interview", "defect", "any")
CRITERION_KINDS = ("include", "exclude")
SCREENING_STAGES = ("title_abstract", "full_text", "both")

#: The agreement level each field type is measured at (Krippendorff's metric).
LEVEL_OF_TYPE = {"nominal": "nominal", "multi": "nominal", "ordinal": "ordinal",
                 "interval": "interval", "number": "ratio", "text": None}


@dataclass(frozen=True)
class Code:
    id: str
    label: str
    definition: str = ""
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    color: str | None = None
    value: float | None = None
    children: tuple["Code", ...] = ()
    aliases: tuple[str, ...] = ()

    def walk(self, depth: int = 1, path: tuple[str, ...] = ()) -> Iterator[tuple["Code", int, tuple[str, ...]]]:
        """Yield (code, depth, path of ancestor ids including itself), depth-first."""
        here = path + (self.id,)
        yield self, depth, here
        for child in self.children:
            yield from child.walk(depth + 1, here)


@dataclass(frozen=True)
class Field:
    id: str
    label: str
    type: str
    definition: str = ""
    required: bool = False
    codes: tuple[Code, ...] = ()
    parent_field: str | None = None
    parent_strict: bool = True
    minimum: float | None = None
    maximum: float | None = None

    @property
    def is_coded(self) -> bool:
        return self.type in CODED_TYPES

    @property
    def is_multi(self) -> bool:
        return self.type == "multi"

    @property
    def level(self) -> str | None:
        return LEVEL_OF_TYPE[self.type]

    def walk(self) -> Iterator[tuple[Code, int, tuple[str, ...]]]:
        for code in self.codes:
            yield from code.walk()

    def all_codes(self) -> list[Code]:
        return [c for c, _, _ in self.walk()]

    def code(self, code_id: str) -> Code | None:
        return self._index().get(code_id)

    def path(self, code_id: str) -> tuple[str, ...]:
        """Ancestor ids from the top level down to `code_id` (inclusive); () if unknown."""
        return self._paths().get(code_id, ())

    def depth(self) -> int:
        return max((d for _, d, _ in self.walk()), default=0)

    def at_level(self, code_id: str, level: int) -> str | None:
        """The ancestor of `code_id` at tree level `level` (1 = top), or None if shallower."""
        p = self.path(code_id)
        return p[level - 1] if len(p) >= level else None

    def leaves(self) -> list[Code]:
        return [c for c in self.all_codes() if not c.children]

    def children_of(self, code_id: str | None) -> tuple[Code, ...]:
        if code_id is None:
            return self.codes
        c = self.code(code_id)
        return c.children if c else ()

    def position(self, code_id: str) -> float | None:
        """Numeric position of a code for ordinal/interval agreement: its `value`, else its order."""
        for i, c in enumerate(self.all_codes()):
            if c.id == code_id:
                return c.value if c.value is not None else float(i + 1)
        return None

    def _index(self) -> dict[str, Code]:
        idx = self.__dict__.get("_idx")
        if idx is None:
            idx = {c.id: c for c in self.all_codes()}
            object.__setattr__(self, "_idx", idx)
        return idx

    def _paths(self) -> dict[str, tuple[str, ...]]:
        paths = self.__dict__.get("_pth")
        if paths is None:
            paths = {c.id: p for c, _, p in self.walk()}
            object.__setattr__(self, "_pth", paths)
        return paths


@dataclass(frozen=True)
class Criterion:
    id: str
    kind: str
    label: str
    definition: str = ""
    stage: str = "both"


@dataclass(frozen=True)
class Codebook:
    id: str
    title: str
    version: str
    kind: str
    fields: tuple[Field, ...]
    description: str = ""
    source: str = ""
    criteria: tuple[Criterion, ...] = ()
    hash: str = ""
    text: str = dc_field(default="", repr=False, compare=False)
    path: str | None = dc_field(default=None, compare=False)

    def field(self, field_id: str) -> Field | None:
        for f in self.fields:
            if f.id == field_id:
                return f
        return None

    def require_field(self, field_id: str) -> Field:
        f = self.field(field_id)
        if f is None:
            from studyapp.errors import NotFound
            raise NotFound(f"codebook {self.id!r} has no field {field_id!r}")
        return f

    def criteria_for(self, stage: str) -> list[Criterion]:
        return [c for c in self.criteria if c.stage in (stage, "both")]
