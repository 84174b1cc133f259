"""Writing REFI-QDA 1.0 XML: `project.qde` of a `Project`, and a `.qdc` codebook of codes.

Why a writer of our own: the exchange format is small, and writing it with lxml keeps every rule
of the Project schema in one place. The contract: elements in the order the schema's sequences give
(Users, CodeBook, Sources, Notes, Sets, then project NoteRefs; in a Code: Description, NoteRef, Code;
in a TextSource: Description, PlainTextContent, PlainTextSelection, NoteRef; in a selection:
Description, Coding, NoteRef; in a Set: Description, MemberCode, MemberSource, MemberNote; in a
codebook file: Codes, Sets), every required attribute present (a project always has a `name`),
GUIDs as given (the model keeps them 8-4-4-4-12), and no character XML 1.0 cannot hold, in text or
in attributes. A source with a `path` refers to `internal://<path>` (the archive's `sources/`
folder); one without carries its text inline as `PlainTextContent`. Positions are written in UTF-16
code units, the unit NVivo, MAXQDA and ATLAS.ti count in (`refi_model.Utf16`; the same numbers as
code points unless the text holds emoji or other characters beyond the Basic Multilingual Plane).
"""

from __future__ import annotations

import re

from lxml import etree

from studyapp.interop.refi_model import (
    NS_CODEBOOK,
    NS_PROJECT,
    SCHEMA_CODEBOOK,
    SCHEMA_PROJECT,
    XSI,
    Code,
    Project,
    Set,
    Utf16,
)

_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """Drop the characters XML 1.0 cannot hold (control characters other than tab, CR and LF)."""
    return _NOT_XML.sub("", text)


def _el(parent, ns: str, tag: str, attrs: dict | None = None, text: str | None = None):
    e = etree.SubElement(parent, f"{{{ns}}}{tag}")
    for k, v in (attrs or {}).items():
        if v is not None:
            e.set(k, xml_text(str(v)))
    if text is not None:
        e.text = xml_text(text)
    return e


def _bool(b: bool) -> str:
    return "true" if b else "false"


def _code_el(parent, ns: str, c: Code, notes: bool) -> None:
    e = _el(parent, ns, "Code", {"guid": c.guid, "name": c.name, "isCodable": _bool(c.codable), "color": c.color})
    if c.description:
        _el(e, ns, "Description", text=c.description)
    for ref in c.note_refs if notes else ():
        _el(e, ns, "NoteRef", {"targetGUID": ref})
    for child in c.children:
        _code_el(e, ns, child, notes)


def _serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _root(ns: str, tag: str, location: str):
    root = etree.Element(f"{{{ns}}}{tag}", nsmap={None: ns, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", location)
    return root


def _sources(root, ns: str, p: Project) -> None:
    sources = _el(root, ns, "Sources")
    for s in p.sources:
        e = _el(sources, ns, "TextSource", {"guid": s.guid, "name": s.name, "creatingUser": s.user,
                                            "plainTextPath": f"internal://{s.path}" if s.path else None})
        if s.description:
            _el(e, ns, "Description", text=s.description)
        if not s.path:
            _el(e, ns, "PlainTextContent", text=s.text)
        units = Utf16(s.text)
        for sel in s.selections:
            se = _el(e, ns, "PlainTextSelection", {
                "guid": sel.guid, "name": sel.name, "startPosition": units.units(sel.start),
                "endPosition": units.units(sel.end),
                "creatingUser": sel.user, "creationDateTime": sel.created})
            if sel.description:
                _el(se, ns, "Description", text=sel.description)
            for cd in sel.codings:
                ce = _el(se, ns, "Coding", {"guid": cd.guid, "creatingUser": cd.user})
                _el(ce, ns, "CodeRef", {"targetGUID": cd.code})
            for ref in sel.note_refs:
                _el(se, ns, "NoteRef", {"targetGUID": ref})
        for ref in s.note_refs:
            _el(e, ns, "NoteRef", {"targetGUID": ref})


def _sets(root, ns: str, sets: list[Set]) -> None:
    holder = _el(root, ns, "Sets")
    for st in sets:
        e = _el(holder, ns, "Set", {"guid": st.guid, "name": st.name or "set"})
        if st.description:
            _el(e, ns, "Description", text=st.description)
        for tag, members in (("MemberCode", st.codes), ("MemberSource", st.sources), ("MemberNote", st.notes)):
            for g in members:
                _el(e, ns, tag, {"targetGUID": g})


def write_project(p: Project) -> bytes:
    """`project.qde` bytes (UTF-8, with an XML declaration) of `p`."""
    ns = NS_PROJECT
    root = _root(ns, "Project", SCHEMA_PROJECT)
    root.set("name", xml_text(p.name) or "project")
    for k, v in (("origin", p.origin), ("creatingUserGUID", p.user), ("creationDateTime", p.created)):
        if v:
            root.set(k, xml_text(v))
    if p.users:
        users = _el(root, ns, "Users")
        for u in p.users:
            _el(users, ns, "User", {"guid": u.guid, "name": u.name})
    if p.codes:
        codes = _el(_el(root, ns, "CodeBook"), ns, "Codes")
        for c in p.codes:
            _code_el(codes, ns, c, notes=True)
    if p.sources:
        _sources(root, ns, p)
    if p.notes:
        notes = _el(root, ns, "Notes")
        for n in p.notes:
            ne = _el(notes, ns, "Note", {"guid": n.guid, "name": n.name, "creatingUser": n.user,
                                         "creationDateTime": n.created})
            _el(ne, ns, "PlainTextContent", text=n.text)
    if p.sets:
        _sets(root, ns, p.sets)
    for ref in p.note_refs:
        _el(root, ns, "NoteRef", {"targetGUID": ref})
    return _serialise(root)


def write_codebook(codes: list[Code], origin: str = "studyapp", sets: list[Set] | None = None) -> bytes:
    """A `.qdc` codebook file (`urn:QDA-XML:codebook:1.0`) holding `codes` (at least one: the
    schema's Codes element may not be empty) and the code `sets` (ATLAS.ti's code groups). Codebook
    files have no notes or sources, so NoteRefs and those members are left out."""
    ns = NS_CODEBOOK
    root = _root(ns, "CodeBook", SCHEMA_CODEBOOK)
    root.set("origin", origin)
    holder = _el(root, ns, "Codes")
    for c in codes:
        _code_el(holder, ns, c, notes=False)
    code_sets = [Set(s.guid, s.name, s.description, codes=s.codes) for s in sets or () if s.codes]
    if code_sets:
        _sets(root, ns, code_sets)
    return _serialise(root)
