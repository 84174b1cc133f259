"""Codebook model: fields and (hierarchical) codes, with no I/O.

A codebook is what coders apply to units. Every coding workflow (papers, transcript segments,
defects) shares this model, so agreement, adjudication and exports work the same everywhere.
Codes are identified by `id`, unique within a field across the whole tree, so a stored value is
always just a code id (or a set of them for `multi` fields).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
class Keywords:
    """Terms the screening view marks in titles and abstracts: `include` green, `exclude` red (a
    trailing `*` matches words that start with the term). Highlighting only: nothing is decided by them."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.include or self.exclude)


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
    keywords: "Keywords" = dc_field(default_factory=lambda: Keywords())
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

    def with_keywords(self, *, include: "list[str] | None" = None, exclude: "list[str] | None" = None,
                      version: str | None = None, header: str | None = None) -> "Codebook":
        """A new codebook whose keywords are `include` / `exclude` (None keeps a list as it is), as the
        next `version`, written. Terms are stripped, blanks dropped and repeats (ignoring case) kept once."""
        def clean(terms: "list[str] | None", old: tuple[str, ...]) -> tuple[str, ...]:
            if terms is None:
                return old
            out: dict[str, str] = {}
            for t in terms:
                t = " ".join(str(t).split())
                if t and t.casefold() not in out:
                    out[t.casefold()] = t
            return tuple(out.values())

        kw = Keywords(clean(include, self.keywords.include), clean(exclude, self.keywords.exclude))
        return replace(self, keywords=kw, version=version or next_version(self.version)).written(header)

    # -- writing ------------------------------------------------------------------------------
    def to_yaml(self, header: str | None = None) -> str:
        """The codebook as YAML text; `codebook_yaml.parse_codebook` of it equals this codebook."""
        return codebook_to_yaml(self, header)

    def written(self, header: str | None = None) -> "Codebook":
        """This codebook with `text` and `hash` of its own YAML (a codebook built in code, ready to store)."""
        return _written(self, header)

    def with_codes(self, field_id: str, codes: "list[tuple[Code, str | None]]", *, version: str | None = None,
                   header: str | None = None) -> "Codebook":
        """A new codebook with `codes` added to field `field_id`, each `(code, parent id or None for the
        top level)`, as the next `version` (default: this version with `+1`, `+2`, ...), written.

        Refuses a code id the field already has, or a parent it does not have (the ids of a field are
        unique across its whole tree)."""
        from studyapp.errors import InvalidInput

        f = self.require_field(field_id)
        taken = {c.id for c in f.all_codes()}
        top: list[Code] = list(f.codes)
        under: dict[str, list[Code]] = {}
        for code, parent in codes:
            if code.id in taken:
                raise InvalidInput(f"field {f.id!r} already has a code {code.id!r}")
            if parent is not None and parent not in taken:
                raise InvalidInput(f"field {f.id!r} has no code {parent!r} to put {code.id!r} under")
            if parent is None and f.parent_field:
                parent_codes = {c.id for c in self.require_field(f.parent_field).all_codes()}
                if code.id not in parent_codes:
                    raise InvalidInput(f"field {f.id!r} takes top-level codes of {f.parent_field!r} only:"
                                       f" put {code.id!r} under one of them")
            taken.add(code.id)
            (under.setdefault(parent, []) if parent else top).append(code)
        new_codes = tuple(top)
        for parent, kids in under.items():
            new_codes = tuple(_with_children(c, parent, tuple(kids)) for c in new_codes)
        fields = tuple(replace(x, codes=new_codes) if x.id == f.id else x for x in self.fields)
        return replace(self, fields=fields, version=version or next_version(self.version)).written(header)


# --- the writer: model -> codebook YAML (the format `codebook_yaml.parse_codebook` reads) ---------

def _code_doc(c: Code) -> dict:
    d: dict = {"id": c.id, "label": c.label}
    for key in ("definition", "include", "exclude"):
        if getattr(c, key):
            d[key] = getattr(c, key)
    if c.examples:
        d["examples"] = list(c.examples)
    if c.aliases:
        d["aliases"] = list(c.aliases)
    if c.color:
        d["color"] = c.color
    if c.value is not None:
        d["value"] = c.value
    if c.children:
        d["children"] = [_code_doc(ch) for ch in c.children]
    return d


def _field_doc(f: Field) -> dict:
    d: dict = {"id": f.id, "label": f.label, "type": f.type}
    if f.definition:
        d["definition"] = f.definition
    if f.required:
        d["required"] = True
    if f.parent_field:
        d["parent_field"] = f.parent_field
        if not f.parent_strict:
            d["parent_strict"] = False
    if f.minimum is not None:
        d["min"] = f.minimum
    if f.maximum is not None:
        d["max"] = f.maximum
    if f.codes:
        d["codes"] = [_code_doc(c) for c in f.codes]
    return d


def codebook_doc(cb: "Codebook") -> dict:
    """The codebook as the mapping its YAML file holds (keys in the documented order)."""
    d: dict = {"id": cb.id, "title": cb.title, "version": cb.version, "kind": cb.kind}
    if cb.description:
        d["description"] = cb.description
    if cb.source:
        d["source"] = cb.source
    if cb.criteria:
        d["screening"] = {"criteria": [
            {"id": c.id, "kind": c.kind, "label": c.label, **({"definition": c.definition} if c.definition else {}),
             "stage": c.stage} for c in cb.criteria]}
    if cb.keywords:
        d["keywords"] = {k: list(getattr(cb.keywords, k)) for k in ("include", "exclude") if getattr(cb.keywords, k)}
    d["fields"] = [_field_doc(f) for f in cb.fields]
    return d


def codebook_to_yaml(cb: "Codebook", header: str | None = None) -> str:
    """Codebook YAML text for `cb` (with `header` as leading comment lines); parsing it gives `cb` back."""
    import yaml

    class _NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data):  # a repeated definition is written out, never as &anchor/*alias
            return True

    body = yaml.dump(codebook_doc(cb), Dumper=_NoAliases, sort_keys=False, allow_unicode=True)
    head = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) if header else ""
    return head + body


def _with_children(code: Code, under: str, new: tuple[Code, ...]) -> Code:
    if code.id == under:
        return replace(code, children=code.children + new)
    return replace(code, children=tuple(_with_children(ch, under, new) for ch in code.children))


def _written(cb: "Codebook", header: str | None) -> "Codebook":
    import hashlib

    text = codebook_to_yaml(cb, header)
    return replace(cb, text=text, hash=hashlib.sha256(text.encode("utf-8")).hexdigest(), path=None)


def next_version(version: str) -> str:
    """The version after `version` for a codebook changed by the tool: `2` -> `2+1`, `2+1` -> `2+2`."""
    import re

    m = re.match(r"^(.*)\+(\d+)$", version)
    return f"{m.group(1)}+{int(m.group(2)) + 1}" if m else f"{version}+1"
