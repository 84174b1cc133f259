"""The one reader contract (as ASReview's BaseReader): bytes + name -> read -> clean -> records.

A `Reader` says which `kind` of unit it reads (papers, transcripts, defects), its `format`, the
suffixes usually given to such files and how sure it is, from the content alone, that a file is
its format (`sniff`, 0 = no, 1 = plausible, 2 = its signature). `read` decodes the bytes by the
one decode rule (`readers.text`), `parse`s them into records and `clean`s those; the result is an
`Outcome`: the records, the problems (records that could not be read, each with its line or
record number and the reason: the rest of the file is still offered), notes (the encoding used,
a suffix that disagrees with the content) and counts. A file that cannot be read at all raises
`InvalidInput` naming the file and the place. Judging records (no title, duplicates) is the
import service's business, not a reader's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from studyapp.readers.text import decode


@dataclass(frozen=True)
class Problem:
    """A record that could not be read: where (line and/or record number) and why."""

    reason: str
    line: int | None = None
    record: int | None = None

    def as_dict(self) -> dict:
        return {"record": self.record, "line": self.line, "reason": self.reason}

    def where(self) -> str:
        parts = ([f"record {self.record}"] if self.record is not None else []) + \
                ([f"line {self.line}"] if self.line is not None else [])
        return ", ".join(parts) or "the file"


@dataclass
class Outcome:
    """What a reader made of one file. `read` counts what the file held (cues, rows, entries),
    which may exceed `len(records)` when a reader groups (caption cues into speaker turns)."""

    records: list[Any]
    format: str
    profile: str = ""
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    encoding: str | None = None
    path: str = ""
    kind: str = ""
    read: int | None = None
    details: dict = field(default_factory=dict)

    @property
    def n_read(self) -> int:
        return self.read if self.read is not None else len(self.records) + len(self.problems)


class Reader:
    """One format of one kind. Subclasses set the class attributes and `parse` (and may `clean`)."""

    kind: ClassVar[str] = ""
    format: ClassVar[str] = ""
    label: ClassVar[str] = ""
    suffixes: ClassVar[tuple[str, ...]] = ()
    binary: ClassVar[bool] = False

    def sniff(self, head: str, data: bytes) -> int:
        """0, 1 or 2: how sure the start of the content (`head`, decoded; `data`, raw) is this format."""
        return 0

    def read(self, data: bytes, name: str, **options) -> Outcome:
        if self.binary:
            out = self.parse_bytes(data, name, **options)
        else:
            decoded = decode(data, name)
            out = self.parse(decoded.text, name, **options)
            out.encoding = decoded.encoding
            if decoded.note:
                out.notes.insert(0, decoded.note)
        out.path, out.kind = name, self.kind
        return self.clean(out)

    def parse(self, text: str, name: str, **options) -> Outcome:  # pragma: no cover - abstract
        raise NotImplementedError

    def parse_bytes(self, data: bytes, name: str, **options) -> Outcome:  # pragma: no cover - abstract
        raise NotImplementedError

    def clean(self, out: Outcome) -> Outcome:
        return out
