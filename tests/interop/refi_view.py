"""A REFI-QDA project file read independently of studyapp's reader, to compare two projects.

Why: a round trip judged by the code under test proves little. This view reads the archive with
lxml and zipfile alone and keeps what must survive a trip through studyapp: the code tree (GUID,
name, isCodable, colour, description), sets and their members, users, sources, each selection's
GUID, creating user, the text it selects and its codings (GUID, code, user), and notes. GUIDs are
compared in lower case (RFC 4122: upper and lower case are the same GUID). A selection's text is
cut out in UTF-16 code units, the unit NVivo writes (a byte-order mark is not counted), and
compared with CRLF line ends as LF, since studyapp stores text with LF.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from lxml import etree

NS = "urn:QDA-XML:project:1.0"
XSD = Path(__file__).resolve().parents[1] / "data" / "real" / "refi" / "Project-mrt2019.xsd"


def q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def g(v: str | None) -> str | None:
    return v.strip("{}").lower() if v else v


def qde_bytes(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        [name] = [n for n in zf.namelist() if PurePosixPath(n).name.lower() == "project.qde"]
        return zf.read(name)


def source_text(zf: zipfile.ZipFile, plain_path: str) -> str:
    want = plain_path[len("internal://"):].lower()
    [name] = [n for n in zf.namelist() if PurePosixPath(n).name.lower() == want]
    return zf.read(name).decode("utf-8").removeprefix("\ufeff")


def selected(text: str, start: int, end: int) -> str:
    units = text.encode("utf-16-le")
    return units[2 * start:2 * end].decode("utf-16-le").replace("\r\n", "\n")


def _desc(el) -> str:
    d = el.find(q("Description"))
    return (d.text or "").strip() if d is not None else ""


def _code(el) -> tuple:
    return (g(el.get("guid")), el.get("name"), el.get("isCodable", "true"), (el.get("color") or "").lower() or None,
            _desc(el), tuple(_code(c) for c in el.findall(q("Code"))))


def view(path: Path) -> dict:
    """What of the project must survive a round trip (see the module docstring)."""
    root = etree.fromstring(qde_bytes(path))
    out: dict = {"users": {g(u.get("guid")): u.get("name") for u in root.iter(q("User"))}}
    book = root.find(f"{q('CodeBook')}/{q('Codes')}")
    out["codes"] = tuple(_code(c) for c in book.findall(q("Code"))) if book is not None else ()
    def members(s, tag: str) -> tuple:
        return tuple(g(m.get("targetGUID") or m.get("guid")) for m in s.findall(q(tag)))

    out["sets"] = {g(s.get("guid")): (s.get("name"), _desc(s), members(s, "MemberCode"), members(s, "MemberSource"),
                                      members(s, "MemberNote")) for s in root.iter(q("Set"))}
    out["sources"], out["selections"] = {}, {}
    with zipfile.ZipFile(path) as zf:
        for src in root.iter(q("TextSource")):
            content = src.find(q("PlainTextContent"))
            text = content.text or "" if content is not None else source_text(zf, src.get("plainTextPath"))
            out["sources"][g(src.get("guid"))] = (src.get("name"), text.replace("\r\n", "\n"))
            for sel in src.findall(q("PlainTextSelection")):
                codings = tuple(sorted((g(c.get("guid")), g(c.find(q("CodeRef")).get("targetGUID")),
                                        g(c.get("creatingUser"))) for c in sel.findall(q("Coding"))))
                out["selections"][g(sel.get("guid"))] = (
                    g(src.get("guid")), g(sel.get("creatingUser")),
                    selected(text, int(sel.get("startPosition")), int(sel.get("endPosition"))), _desc(sel), codings,
                    tuple(g(n.get("targetGUID")) for n in sel.findall(q("NoteRef"))))
    notes = root.find(q("Notes"))
    out["notes"] = {g(n.get("guid")): (n.get("name"), (n.findtext(q("PlainTextContent")) or "").strip(),
                                       g(n.get("creatingUser")))
                    for n in (notes if notes is not None else [])}
    refs = {}
    for el in root.iter(q("NoteRef")):
        holder = el.getparent()
        refs.setdefault(g(el.get("targetGUID")), set()).add((etree.QName(holder).localname, g(holder.get("guid"))))
    out["note_refs"] = refs
    return out


def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def validates(path: Path) -> tuple[bool, str]:
    s = schema()
    ok = s.validate(etree.fromstring(qde_bytes(path)))
    return ok, str(s.error_log)
