"""The REFI-QDA 1.0 model shared by the reader and the writer: what a project holds, no I/O.

No study is involved here: `refi_export` builds a `Project` from a study, `refi_write` turns it into
`project.qde` (namespace `urn:QDA-XML:project:1.0`) or a `.qdc` codebook (`urn:QDA-XML:codebook:1.0`),
`refi_read` parses those files back into the same dataclasses, and `refi_import` writes a parsed
project into a study. Positions of a `Selection` in the model count characters (code points) of
its source's plain text; in the XML they count UTF-16 code units for the tools that count so
(`counts_utf16`), and the reader and writer convert (`Utf16`). GUIDs are kept in lower-case
8-4-4-4-12 form (RFC 4122: hexadecimal digits are written in lower case and read in either, so
MAXQDA's upper-case GUIDs are the same GUIDs).
"""

from __future__ import annotations

import bisect
import re
import uuid
from dataclasses import dataclass, field
from typing import Callable

NS_PROJECT = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_PROJECT = f"{NS_PROJECT} http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
SCHEMA_CODEBOOK = f"{NS_CODEBOOK} http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"
GUID_RE = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
RGB_RE = re.compile(r"^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
#: uuid5 namespace of studyapp's deterministic GUIDs (same study, same GUIDs on every export).
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://studyapp.invalid/refi-qda")
SKIPPED_SOURCES = ("PDFSource", "PictureSource", "AudioSource", "VideoSource")
#: Origins whose positions count UTF-16 code units (a character outside Unicode's Basic Multilingual
#: Plane, such as an emoji, counts two): NVivo (seen in a real NVivo 12.6 export: every selection
#: after the first emoji is off by one per emoji if read as code points), MAXQDA and ATLAS.ti (both
#: built on UTF-16 strings, as NVivo is; no text export of theirs with such characters was found to
#: check), and studyapp itself, which writes for those three. Other origins are read as code points.
UTF16_ORIGINS = ("nvivo", "maxqda", "atlas.ti", "atlasti", "studyapp")
#: Origins whose unit is known for certain; for the others a source with characters beyond the
#: Basic Multilingual Plane gets a warning saying which unit was assumed.
CHECKED_ORIGINS = ("nvivo", "studyapp")
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def make_guid(*parts: object) -> str:
    """A stable GUID for the thing named by `parts` (e.g. "code", codebook, field, code)."""
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(str(p) for p in parts)))


@dataclass
class User:
    guid: str
    name: str
    line: int | None = None


@dataclass
class Code:
    guid: str
    name: str
    codable: bool = True
    color: str | None = None
    description: str = ""
    children: list["Code"] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    line: int | None = None

    def walk(self, depth: int = 1):
        yield self, depth
        for c in self.children:
            yield from c.walk(depth + 1)


@dataclass
class Coding:
    guid: str
    code: str
    user: str | None = None
    line: int | None = None


@dataclass
class Selection:
    guid: str
    start: int
    end: int
    user: str | None = None
    name: str | None = None
    description: str = ""
    codings: list[Coding] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    created: str | None = None
    line: int | None = None


@dataclass
class Source:
    guid: str
    name: str
    text: str
    path: str | None = None
    description: str = ""
    selections: list[Selection] = field(default_factory=list)
    codings: list[Coding] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    user: str | None = None
    line: int | None = None


@dataclass
class Note:
    guid: str
    name: str
    text: str
    user: str | None = None
    created: str | None = None
    line: int | None = None


@dataclass
class Set:
    """A REFI `Set`: MAXQDA's document sets, ATLAS.ti's code and document groups, NVivo's sets. Members
    are GUIDs of codes, sources and notes of the same project."""
    guid: str
    name: str
    description: str = ""
    codes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    line: int | None = None


@dataclass
class Project:
    name: str
    origin: str = "studyapp"
    users: list[User] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    sets: list[Set] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    created: str | None = None
    user: str | None = None
    warnings: list[str] = field(default_factory=list)

    def all_codes(self) -> list[Code]:
        return [c for top in self.codes for c, _ in top.walk()]


def counts_utf16(origin: str | None) -> bool:
    """Whether a project from `origin` counts positions in UTF-16 code units (see `UTF16_ORIGINS`)."""
    return (origin or "").strip().casefold().startswith(UTF16_ORIGINS)


def unit_is_checked(origin: str | None) -> bool:
    return (origin or "").strip().casefold().startswith(CHECKED_ORIGINS)


def astral_count(text: str) -> int:
    """Characters of `text` outside the Basic Multilingual Plane (two UTF-16 code units each)."""
    return len(_ASTRAL.findall(text))


class Utf16:
    """Positions in `text` as UTF-16 code units and as code points, both ways (identity when every
    character is in the Basic Multilingual Plane). A unit position inside a surrogate pair goes to
    the character after it. Only the characters beyond the plane are indexed, so a long text with
    none costs one regular-expression scan."""

    def __init__(self, text: str):
        self.astral = [m.start() for m in _ASTRAL.finditer(text)]  # their code point indexes
        self.unit_starts = [i + k for k, i in enumerate(self.astral)]  # their first code unit
        self.length = len(text) + len(self.astral)

    def index(self, units: int) -> int:
        return units - bisect.bisect_left(self.unit_starts, units - 1) if self.astral else units

    def units(self, index: int) -> int:
        return index + bisect.bisect_left(self.astral, index) if self.astral else index


def normalise_text(text: str) -> tuple[str, Callable[[int], int]]:
    """(text with `\\n` line ends and no BOM, a function moving an old position to the new text).
    A byte-order mark is not text: positions do not count it (NVivo's sources start with one, and
    its positions start after it); a CRLF counts two positions before and one after."""
    text = text.removeprefix("\ufeff")
    removed = [m.start() for m in re.finditer("\r\n", text)]
    new = text.replace("\r\n", "\n").replace("\r", "\n")
    return new, lambda pos: pos - bisect.bisect_left(removed, pos)
