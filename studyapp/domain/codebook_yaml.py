"""YAML codebooks: load, validate with file:line messages, and hash.

The format is documented in docs/codebooks.md. Loading never returns a half-valid codebook: the
first problem raises `InvalidCodebook` with the file, the line of the offending YAML node and the
reason, so `studyapp codebook validate` and the Codebooks page can point at it.
The hash is taken over the file's text, so any edit makes a new version in a study.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any


from studyapp.domain.codebook import (
    CODED_TYPES,
    CRITERION_KINDS,
    FIELD_TYPES,
    KINDS,
    SCREENING_STAGES,
    Code,
    Codebook,
    Criterion,
    Field,
    Keywords,
)
from studyapp.errors import InvalidCodebook
from studyapp.readers.yaml_lines import LineMap, LineSeq, line_of, load_yaml_lines

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
TOP_KEYS = {"id", "title", "version", "kind", "description", "source", "screening", "keywords", "fields"}
FIELD_KEYS = {"id", "label", "type", "definition", "required", "codes", "parent_field", "parent_strict", "min", "max"}
CODE_KEYS = {"id", "label", "definition", "include", "exclude", "examples", "color", "value", "children", "aliases"}
CRITERION_KEYS = {"id", "kind", "label", "definition", "stage"}


_Map, _Seq = LineMap, LineSeq
MAX_ALIASES = 200  # a field may reuse another's code list (`codes: *yes_no`); no alias bombs


def _kind(obj: Any) -> str:
    """What a YAML value is, as a reader of the file would say it."""
    if obj is None:
        return "nothing (an empty entry)"
    if isinstance(obj, dict):
        return "a mapping"
    if isinstance(obj, list):
        return "a list"
    if isinstance(obj, bool):
        return f"true/false ({obj})"
    if isinstance(obj, (int, float)):
        return f"a number ({obj!r})"
    return f"text ({str(obj)!r})"


class _Ctx:
    def __init__(self, path: str):
        self.path = path

    def fail(self, msg: str, line: int | None) -> None:
        raise InvalidCodebook(msg, path=self.path, line=line)

    def line(self, obj: Any, key: str | int | None = None) -> int | None:
        return line_of(obj, key)

    def mapping(self, obj: Any, what: str, parent: Any, key: Any = None) -> _Map:
        if not isinstance(obj, dict):
            self.fail(f"{what} must be a mapping (key: value), got {_kind(obj)}", self.line(parent, key))
        return obj

    def seq(self, obj: Any, what: str, parent: _Map, key: str) -> list:
        if not isinstance(obj, list):
            self.fail(f"{what} must be a list, got {_kind(obj)}", self.line(parent, key))
        return obj

    def text(self, m: _Map, key: str, what: str, required: bool = False) -> str:
        v = m.get(key)
        if v is None:
            if required:
                self.fail(f"{what} has no {key!r}", self.line(m))
            return ""
        if isinstance(v, (dict, list)):
            self.fail(f"{what}: {key!r} must be text, got {_kind(v)}", self.line(m, key))
        v = str(v).strip()
        if required and not v:
            self.fail(f"{what}: {key!r} is empty", self.line(m, key))
        return v

    def ident(self, m: _Map, what: str) -> str:
        v = self.text(m, "id", what, required=True)
        if not ID_RE.match(v):
            self.fail(f"{what}: id {v!r} must start with a letter or digit and use only "
                      "letters, digits, '_', '.', '-'", self.line(m, "id"))
        return v

    def unknown_keys(self, m: _Map, allowed: set[str], what: str) -> None:
        for k in m:
            if k not in allowed:
                self.fail(f"{what}: unknown key {k!r} (allowed: {', '.join(sorted(allowed))})",
                          self.line(m, k))

    def number(self, m: _Map, key: str, what: str) -> float | None:
        v = m.get(key)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.fail(f"{what}: {key!r} must be a number, got {v!r}", self.line(m, key))
        return float(v)


def parse_codebook(text: str, path: str = "<codebook>") -> Codebook:
    """Parse and validate codebook YAML text; `path` is only used in messages."""
    ctx = _Ctx(str(path))
    doc = load_yaml_lines(text, path=str(path), error=InvalidCodebook, max_aliases=MAX_ALIASES)
    if doc is None:
        ctx.fail("the file is empty", 1)
    if not isinstance(doc, dict):
        ctx.fail("a codebook must be a mapping with id, title, version, kind and fields", 1)
    ctx.unknown_keys(doc, TOP_KEYS, "codebook")
    cb_id = ctx.ident(doc, "codebook")
    title = ctx.text(doc, "title", "codebook", required=True)
    if isinstance(doc.get("version"), (int, float)) and not isinstance(doc.get("version"), bool):
        line = ctx.line(doc, "version")
        written = text.splitlines()[line - 1].partition(":")[2].split("#")[0].strip() if line else doc["version"]
        ctx.fail(f"codebook: 'version' must be text, not a number (YAML reads {written} as {doc['version']!r}):"
                 f" quote it, version: \"{written}\"", line)
    version = ctx.text(doc, "version", "codebook", required=True)
    kind = ctx.text(doc, "kind", "codebook", required=True)
    if kind not in KINDS:
        ctx.fail(f"codebook: kind {kind!r} is not one of {', '.join(KINDS)}", ctx.line(doc, "kind"))
    criteria = _criteria(ctx, doc, kind)
    raw_fields = doc.get("fields")
    if raw_fields is None:
        ctx.fail("codebook has no 'fields'", doc.line)
    raw_fields = ctx.seq(raw_fields, "fields", doc, "fields")
    if not raw_fields:
        ctx.fail("codebook: 'fields' is empty", ctx.line(doc, "fields"))
    fields: list[Field] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_fields):
        f = _field(ctx, ctx.mapping(raw, "a field", raw_fields, i))
        if f.id in seen:
            ctx.fail(f"duplicate field id {f.id!r} (first defined at line {seen[f.id]})",
                     ctx.line(raw, "id"))
        seen[f.id] = ctx.line(raw, "id")
        fields.append(f)
    by_id = {f.id: f for f in fields}
    for raw, f in zip(raw_fields, fields):
        if f.parent_field is None:
            continue
        parent = by_id.get(f.parent_field)
        if parent is None:
            ctx.fail(f"field {f.id!r}: unknown parent_field {f.parent_field!r}",
                     ctx.line(raw, "parent_field"))
        if parent.id == f.id:
            ctx.fail(f"field {f.id!r} cannot be its own parent_field", ctx.line(raw, "parent_field"))
        parent_ids = {c.id for c in parent.all_codes()}
        for c in f.codes:
            if c.id not in parent_ids:
                ctx.fail(f"field {f.id!r}: top-level code {c.id!r} is not a code of its "
                         f"parent_field {parent.id!r}", ctx.line(raw, "codes"))
    return Codebook(
        id=cb_id, title=title, version=version, kind=kind, fields=tuple(fields),
        description=ctx.text(doc, "description", "codebook"),
        source=ctx.text(doc, "source", "codebook"), criteria=tuple(criteria), keywords=_keywords(ctx, doc),
        hash=hashlib.sha256(text.encode("utf-8")).hexdigest(), text=text, path=str(path),
    )


def _keywords(ctx: _Ctx, doc: _Map) -> Keywords:
    """`keywords: {include: [...], exclude: [...]}`: terms the screening view highlights."""
    if doc.get("keywords") is None:
        return Keywords()
    m = ctx.mapping(doc["keywords"], "keywords", doc, "keywords")
    ctx.unknown_keys(m, {"include", "exclude"}, "keywords")
    lists = {}
    for key in ("include", "exclude"):
        raw = m.get(key)
        if raw is None:
            lists[key] = ()
            continue
        raw = ctx.seq(raw, f"keywords: {key}", m, key)
        terms = []
        for i, t in enumerate(raw):
            if isinstance(t, (dict, list)) or t is None or not str(t).strip():
                ctx.fail(f"keywords: {key}: entry {i + 1} must be a word or phrase, got {_kind(t)}",
                         ctx.line(raw, i) or ctx.line(m, key))
            terms.append(" ".join(str(t).split()))
        lists[key] = tuple(terms)
    return Keywords(lists["include"], lists["exclude"])


def _criteria(ctx: _Ctx, doc: _Map, kind: str) -> list[Criterion]:
    if "screening" not in doc:
        return []
    scr = ctx.mapping(doc["screening"], "screening", doc, "screening")
    ctx.unknown_keys(scr, {"criteria"}, "screening")
    raw = ctx.seq(scr.get("criteria", _Seq()), "screening criteria", scr, "criteria")
    out: list[Criterion] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        m = ctx.mapping(item, "a screening criterion", raw, i)
        ctx.unknown_keys(m, CRITERION_KEYS, "screening criterion")
        cid = ctx.ident(m, "screening criterion")
        if cid in seen:
            ctx.fail(f"duplicate screening criterion id {cid!r}", ctx.line(m, "id"))
        seen.add(cid)
        ck = ctx.text(m, "kind", f"criterion {cid!r}", required=True)
        if ck not in CRITERION_KINDS:
            ctx.fail(f"criterion {cid!r}: kind {ck!r} is not include or exclude", ctx.line(m, "kind"))
        stage = ctx.text(m, "stage", f"criterion {cid!r}") or "both"
        if stage not in SCREENING_STAGES:
            ctx.fail(f"criterion {cid!r}: stage {stage!r} is not one of {', '.join(SCREENING_STAGES)}",
                     ctx.line(m, "stage"))
        out.append(Criterion(id=cid, kind=ck, label=ctx.text(m, "label", f"criterion {cid!r}", True),
                             definition=ctx.text(m, "definition", f"criterion {cid!r}"), stage=stage))
    return out


def _field(ctx: _Ctx, m: _Map) -> Field:
    ctx.unknown_keys(m, FIELD_KEYS, "field")
    fid = ctx.ident(m, "field")
    what = f"field {fid!r}"
    ftype = ctx.text(m, "type", what, required=True)
    if ftype not in FIELD_TYPES:
        ctx.fail(f"{what}: type {ftype!r} is not one of {', '.join(FIELD_TYPES)}", ctx.line(m, "type"))
    required = m.get("required", False)
    if not isinstance(required, bool):
        ctx.fail(f"{what}: 'required' must be true or false", ctx.line(m, "required"))
    codes: tuple[Code, ...] = ()
    if "codes" in m and m["codes"] is not None:
        raw_codes = ctx.seq(m["codes"], f"{what}: codes", m, "codes")
        if ftype in ("number", "text"):
            ctx.fail(f"{what}: a {ftype} field takes no codes", ctx.line(m, "codes"))
        seen: dict[str, int] = {}
        codes = tuple(_code(ctx, ctx.mapping(c, f"{what}: a code", raw_codes, i), what, seen)
                      for i, c in enumerate(raw_codes))
    if ftype in CODED_TYPES and not codes:
        ctx.fail(f"{what}: a {ftype} field needs at least one code", ctx.line(m, "codes"))
    parent = ctx.text(m, "parent_field", what) or None
    strict = m.get("parent_strict", True)
    if not isinstance(strict, bool):
        ctx.fail(f"{what}: 'parent_strict' must be true or false", ctx.line(m, "parent_strict"))
    lo, hi = ctx.number(m, "min", what), ctx.number(m, "max", what)
    if lo is not None and hi is not None and lo > hi:
        ctx.fail(f"{what}: min {lo} is greater than max {hi}", ctx.line(m, "min"))
    return Field(id=fid, label=ctx.text(m, "label", what) or fid, type=ftype,
                 definition=ctx.text(m, "definition", what), required=required, codes=codes,
                 parent_field=parent, parent_strict=strict, minimum=lo, maximum=hi)


def _code(ctx: _Ctx, m: _Map, what: str, seen: dict[str, int]) -> Code:
    ctx.unknown_keys(m, CODE_KEYS, f"{what}: code")
    cid = ctx.ident(m, f"{what}: code")
    if cid in seen:
        ctx.fail(f"{what}: duplicate code id {cid!r} (first defined at line {seen[cid]})",
                 ctx.line(m, "id"))
    seen[cid] = ctx.line(m, "id")
    cwhat = f"{what}: code {cid!r}"
    examples = m.get("examples") or []
    if isinstance(examples, str):
        examples = [examples]
    if not isinstance(examples, list):
        ctx.fail(f"{cwhat}: 'examples' must be a list of text", ctx.line(m, "examples"))
    aliases = m.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, list):
        ctx.fail(f"{cwhat}: 'aliases' must be a list of text", ctx.line(m, "aliases"))
    color = ctx.text(m, "color", cwhat) or None
    if color and not re.match(r"^#[0-9A-Fa-f]{6}$", color):
        ctx.fail(f"{cwhat}: color {color!r} must look like #1f77b4", ctx.line(m, "color"))
    children: tuple[Code, ...] = ()
    if m.get("children") is not None:
        raw = ctx.seq(m["children"], f"{cwhat}: children", m, "children")
        children = tuple(_code(ctx, ctx.mapping(c, f"{cwhat}: a child code", raw, i), what, seen)
                         for i, c in enumerate(raw))
    return Code(id=cid, label=ctx.text(m, "label", cwhat) or cid,
                definition=ctx.text(m, "definition", cwhat), include=ctx.text(m, "include", cwhat),
                exclude=ctx.text(m, "exclude", cwhat), examples=tuple(str(e) for e in examples),
                color=color, value=ctx.number(m, "value", cwhat), children=children,
                aliases=tuple(str(a) for a in aliases))


def load_codebook(path: str | Path) -> Codebook:
    """Read a codebook file; wrong encoding or a missing file is an `InvalidCodebook` too."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise InvalidCodebook(f"cannot read the file: {e.strerror}", path=str(p)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise InvalidCodebook(f"not UTF-8 text (byte {e.start})", path=str(p), line=line) from None
    return parse_codebook(text, str(p))


def validate_files(paths: list[str | Path]) -> list[tuple[str, Codebook | None, InvalidCodebook | None]]:
    """Validate several files; returns (path, codebook or None, error or None) for each."""
    out = []
    for p in paths:
        try:
            out.append((str(p), load_codebook(p), None))
        except InvalidCodebook as e:
            out.append((str(p), None, e))
    return out
