"""Reading REFI-QDA 1.0 XML (`project.qde`, `.qdc`) into the `refi_model` dataclasses.

Why strict: an import writes what it read into a study in one go, so everything a project cannot
be imported without is checked here first and refused with `InvalidInput` naming the file, the line
and the element: the root element and its namespace, GUIDs present, well formed and unique, every
CodeRef, NoteRef and creatingUser resolving to something in the project, positions that are whole
numbers inside the source's text (start <= end), and the text of every TextSource. What other tools
leave out and we can do without is tolerated: a missing `isCodable` counts as codable, a colour that
is not #RRGGBB is dropped with a warning, a Note without text is kept empty (the import skips it),
PDF, picture, audio and video sources are skipped with a warning. `Sets` (MAXQDA's document sets,
ATLAS.ti's code groups, NVivo's sets) are read with their members; ATLAS.ti's `.qdc` files name a
member by `guid` where the schema says `targetGUID`, and both are read. A member that names nothing
of the project (or a source that is skipped) is dropped with a warning: a set is not needed to
import the rest, and the tools that wrote such sets still open them.

Untrusted XML: the parser (lxml) resolves no entities, loads no DTD, fetches nothing from the
network and keeps its size limits; a document with a DOCTYPE is refused outright, since REFI-QDA
never needs one (which also rules out entity-expansion bombs). Line endings of a source are
normalised to `\\n` and its positions moved with them, so offsets count the text as studyapp stores it;
positions of NVivo, MAXQDA, ATLAS.ti and studyapp count UTF-16 code units and are turned into
code points (`refi_model.counts_utf16`), with a warning naming each source that holds characters
where the two differ.
"""

from __future__ import annotations

import re
from typing import Callable

from lxml import etree

from studyapp.errors import InvalidInput
from studyapp.interop.refi_model import (
    GUID_RE,
    NS_CODEBOOK,
    NS_PROJECT,
    RGB_RE,
    SKIPPED_SOURCES,
    Code,
    Coding,
    Note,
    Project,
    Selection,
    Set,
    Source,
    User,
    Utf16,
    astral_count,
    counts_utf16,
    normalise_text,
    unit_is_checked,
)


class _Reader:
    def __init__(self, where: str, read_file: Callable[[str], str | None]):
        self.where = where
        self.read_file = read_file
        self.guids: dict[str, int | None] = {}
        self.refs: list[tuple[str, str, object]] = []  # (kind, guid, element)
        self.utf16 = False  # whether positions count UTF-16 code units (set from the project's origin)

    def fail(self, el, msg: str):
        raise InvalidInput(f"<{_local(el)}>{_guid_hint(el)}: {msg}", path=self.where, line=el.sourceline)

    def attr(self, el, name: str, required: bool = True) -> str | None:
        v = el.get(name)
        if v is None and required:
            self.fail(el, f"the required attribute {name!r} is missing")
        return v

    def guid(self, el, name: str = "guid", required: bool = True, own: bool = True) -> str | None:
        v = self.attr(el, name, required)
        if v is None:
            return None
        m = GUID_RE.match(v.strip())
        if not m:
            self.fail(el, f"{name} {v!r} is not a GUID (8-4-4-4-12 hexadecimal digits)")
        g = m.group(1).lower()
        if own:
            if g in self.guids:
                self.fail(el, f"GUID {g} is used twice (first at line {self.guids[g]})")
            self.guids[g] = el.sourceline
        return g

    def ref(self, kind: str, el, name: str, required: bool = True) -> str | None:
        g = self.guid(el, name, required, own=False)
        if g is not None:
            self.refs.append((kind, g, el))
        return g

    def integer(self, el, name: str) -> int:
        v = self.attr(el, name)
        try:
            return int(v.strip())
        except ValueError:
            self.fail(el, f"{name} {v!r} is not a whole number")

    def text_of(self, el, required: bool = True) -> str:
        content = _child(el, "PlainTextContent")
        path = el.get("plainTextPath")
        if content is not None:
            return content.text or ""
        if not path:
            if not required:
                return ""
            self.fail(el, "has no text: neither PlainTextContent nor plainTextPath")
        name = path.strip()
        if name.lower().startswith("internal://"):
            name = name[len("internal://"):]
        elif re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", name) or name.startswith(("/", "\\")):
            self.fail(el, f"plainTextPath {path!r} points outside the project file; only internal:// sources"
                          " can be imported")
        text = self.read_file(name)
        if text is None:
            self.fail(el, f"plainTextPath {path!r}: no such file in the project's sources")
        return text


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _guid_hint(el) -> str:
    g = el.get("guid")
    return f" guid={g}" if g else ""


def _children(el, name: str | None = None) -> list:
    return [c for c in el if isinstance(c.tag, str) and (name is None or _local(c) == name)]


def _child(el, name: str):
    found = _children(el, name)
    return found[0] if found else None


def _desc(el) -> str:
    d = _child(el, "Description")
    return (d.text or "").strip() if d is not None else ""


def _parse_xml(data: bytes, where: str):
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, remove_comments=True,
                             remove_pis=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        raise InvalidInput(f"not well-formed XML: {e.msg}", path=where, line=e.lineno) from None
    if root.getroottree().docinfo.doctype:
        raise InvalidInput("a DOCTYPE is not allowed in a REFI-QDA file (the standard needs none, and its entities"
                           " could expand without bound)", path=where, line=1)
    return root


def _code(r: _Reader, el, warnings: list[str]) -> Code:
    color = el.get("color")
    if color and not RGB_RE.match(color.strip()):
        warnings.append(f"line {el.sourceline}: code {el.get('name')!r}: colour {color!r} ignored")
        color = None
    elif color:
        color = color.strip()
        color = "#" + "".join(ch * 2 for ch in color[1:]) if len(color) == 4 else color
    codable = (el.get("isCodable") or "true").strip().lower()
    if codable not in ("true", "false", "1", "0"):
        r.fail(el, f"isCodable {codable!r} is not true or false")
    name = r.attr(el, "name")
    code = Code(r.guid(el), name.strip() or "unnamed", codable in ("true", "1"), color, _desc(el), line=el.sourceline)
    code.note_refs = [r.ref("note", n, "targetGUID") for n in _children(el, "NoteRef")]
    code.children = [_code(r, c, warnings) for c in _children(el, "Code")]
    return code


def _codes(r: _Reader, holder, warnings: list[str]) -> list[Code]:
    codes_el = _child(holder, "Codes")
    return [_code(r, c, warnings) for c in _children(codes_el, "Code")] if codes_el is not None else []


def _set(r: _Reader, el) -> Set:
    st = Set(r.guid(el), (r.attr(el, "name") or "").strip() or "set", _desc(el), line=el.sourceline)
    for kind, tag in (("codes", "MemberCode"), ("sources", "MemberSource"), ("notes", "MemberNote")):
        for m in _children(el, tag):
            name = "targetGUID" if m.get("targetGUID") is not None or m.get("guid") is None else "guid"
            getattr(st, kind).append(r.guid(m, name, own=False))
    return st


def _sets(r: _Reader, holder) -> list[Set]:
    sets_el = _child(holder, "Sets")
    return [_set(r, s) for s in _children(sets_el, "Set")] if sets_el is not None else []


def _resolve_members(sets: list[Set], known: dict[str, set[str]], skipped: set[str], warnings: list[str]) -> None:
    """Drop the members that name nothing the project holds (counted in `warnings`)."""
    lost = not_imported = 0
    for st in sets:
        for kind in ("codes", "sources", "notes"):
            keep = [g for g in dict.fromkeys(getattr(st, kind)) if g in known[kind]]
            gone = [g for g in getattr(st, kind) if g not in known[kind]]
            not_imported += sum(1 for g in gone if g in skipped)
            lost += sum(1 for g in gone if g not in skipped)
            setattr(st, kind, keep)
    if not_imported:
        warnings.append(f"{not_imported} set member(s) are sources that are not imported (PDF, picture, audio,"
                        " video); the sets keep their other members")
    if lost:
        warnings.append(f"{lost} set member(s) name no code, source or note of the project and are dropped")


def _coding(r: _Reader, el) -> Coding:
    ref = _child(el, "CodeRef")
    if ref is None:
        r.fail(el, "has no CodeRef")
    return Coding(r.guid(el), r.ref("code", ref, "targetGUID"), r.ref("user", el, "creatingUser", False),
                  el.sourceline)


def _source(r: _Reader, el) -> Source:
    raw = r.text_of(el).removeprefix("\ufeff")
    text, move = normalise_text(raw)
    units = Utf16(raw) if r.utf16 else None
    limit = units.length if units else len(raw)
    src = Source(r.guid(el), (el.get("name") or "").strip(), text, el.get("plainTextPath"), _desc(el),
                 user=r.ref("user", el, "creatingUser", False), line=el.sourceline)
    for s in _children(el, "PlainTextSelection"):
        start, end = r.integer(s, "startPosition"), r.integer(s, "endPosition")
        if start > end:
            r.fail(s, f"startPosition {start} is after endPosition {end}")
        if not 0 <= start <= end <= limit:
            r.fail(s, f"positions {start}-{end} are outside the text of source {src.name!r} (0-{limit})")
        if units:
            start, end = units.index(start), units.index(end)
        sel = Selection(r.guid(s), move(start), move(end), r.ref("user", s, "creatingUser", False), s.get("name"),
                        _desc(s), created=s.get("creationDateTime"), line=s.sourceline)
        sel.codings = [_coding(r, c) for c in _children(s, "Coding")]
        sel.note_refs = [r.ref("note", n, "targetGUID") for n in _children(s, "NoteRef")]
        src.selections.append(sel)
    src.codings = [_coding(r, c) for c in _children(el, "Coding")]
    src.note_refs = [r.ref("note", n, "targetGUID") for n in _children(el, "NoteRef")]
    return src


def parse_project(data: bytes, where: str, read_file: Callable[[str], str | None]) -> Project:
    """Read `project.qde` bytes; `read_file(name)` gives the text of `internal://name` (or None)."""
    root = _parse_xml(data, where)
    r = _Reader(where, read_file)
    if _local(root) != "Project":
        r.fail(root, f"the root element must be <Project> (namespace {NS_PROJECT})")
    if etree.QName(root).namespace not in (NS_PROJECT, None):
        r.fail(root, f"namespace {etree.QName(root).namespace!r} is not {NS_PROJECT}")
    p = Project(name=(r.attr(root, "name") or "").strip() or "project", origin=root.get("origin") or "",
                created=root.get("creationDateTime"))
    p.user = r.ref("user", root, "creatingUserGUID", False)
    r.utf16 = counts_utf16(p.origin)
    users = _child(root, "Users")
    for u in _children(users, "User") if users is not None else []:
        p.users.append(User(r.guid(u), (u.get("name") or u.get("id") or "").strip(), u.sourceline))
    book = _child(root, "CodeBook")
    p.codes = _codes(r, book, p.warnings) if book is not None else []
    sources = _child(root, "Sources")
    skipped: set[str] = set()
    for s in _children(sources) if sources is not None else []:
        if _local(s) == "TextSource":
            p.sources.append(_source(r, s))
        elif _local(s) in SKIPPED_SOURCES:
            m = GUID_RE.match((s.get("guid") or "").strip())
            skipped |= {m.group(1).lower()} if m else set()
            p.warnings.append(f"line {s.sourceline}: {_local(s)} {s.get('name')!r} skipped (only text sources"
                              " are imported)")
    notes = _child(root, "Notes")
    for n in _children(notes, "Note") if notes is not None else []:
        text = normalise_text(r.text_of(n, required=False))[0].strip()
        p.notes.append(Note(r.guid(n), (n.get("name") or "").strip(), text, r.ref("user", n, "creatingUser", False),
                            n.get("creationDateTime"), n.sourceline))
    p.sets = _sets(r, root)
    for src in p.sources if not unit_is_checked(p.origin) else ():
        n = astral_count(src.text)
        if n and src.selections:
            how = "UTF-16 code units, as NVivo counts them" if r.utf16 else "characters (code points)"
            p.warnings.append(f"line {src.line}: source {src.name!r} holds {n} character(s) outside Unicode's Basic"
                              f" Multilingual Plane (emoji...), where tools count positions differently; they were"
                              f" read as {how}: check the selections of this source")
    p.note_refs = [r.ref("note", n, "targetGUID") for n in _children(root, "NoteRef")]
    known = {"code": {c.guid for c in p.all_codes()}, "note": {n.guid for n in p.notes},
             "user": {u.guid for u in p.users}}
    what = {"code": "code in the CodeBook", "note": "Note", "user": "User"}
    for kind, g, el in r.refs:
        if g not in known[kind]:
            r.fail(el, f"{g} refers to no {what[kind]} of the project")
    _resolve_members(p.sets, {"codes": known["code"], "sources": {s.guid for s in p.sources},
                              "notes": known["note"]}, skipped, p.warnings)
    return p


def read_codebook_file(data: bytes, where: str) -> tuple[list[Code], list[Set], list[str]]:
    """(codes, code sets, warnings) of a `.qdc` file (or of a project's CodeBook and Sets, for
    convenience). A codebook file's sets can only hold codes; other members are dropped."""
    root = _parse_xml(data, where)
    r = _Reader(where, lambda name: None)
    if _local(root) not in ("CodeBook", "Project"):
        r.fail(root, f"the root element must be <CodeBook> (namespace {NS_CODEBOOK})")
    holder = root if _local(root) == "CodeBook" else _child(root, "CodeBook")
    warnings: list[str] = []
    codes = _codes(r, holder, warnings) if holder is not None else []
    sets = _sets(r, root)
    _resolve_members(sets, {"codes": {c.guid for top in codes for c, _ in top.walk()}, "sources": set(),
                            "notes": set()}, set(), warnings)
    return codes, sets, warnings


def parse_codebook_file(data: bytes, where: str) -> list[Code]:
    """The codes of a `.qdc` file (or of a project's CodeBook, for convenience)."""
    return read_codebook_file(data, where)[0]
