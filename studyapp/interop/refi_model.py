"""The REFI-QDA 1.0 model shared by the reader and the writer: what a project holds, no I/O.

No study is involved here: `refi_export` builds a `Project` from a study, `refi_write` turns it into
`project.qde` (namespace `urn:QDA-XML:project:1.0`) or a `.qdc` codebook (`urn:QDA-XML:codebook:1.0`),
`refi_read` parses those files back into the same dataclasses, and `refi_import` writes a parsed
project into a study. Positions of a `Selection` count characters (code points) of its source's
plain text; GUIDs are kept in lower-case 8-4-4-4-12 form.
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
class Project:
    name: str
    origin: str = "studyapp"
    users: list[User] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    created: str | None = None
    user: str | None = None
    warnings: list[str] = field(default_factory=list)

    def all_codes(self) -> list[Code]:
        return [c for top in self.codes for c, _ in top.walk()]


def normalise_text(text: str) -> tuple[str, Callable[[int], int]]:
    """(text with `\\n` line ends and no BOM, a function moving an old position to the new text)."""
    removed = [0] if text.startswith("\ufeff") else []
    removed += [m.start() for m in re.finditer("\r\n", text)]
    new = text[1:] if text.startswith("\ufeff") else text
    new = new.replace("\r\n", "\n").replace("\r", "\n")
    return new, lambda pos: pos - bisect.bisect_left(removed, pos)
