"""Paper readers registered by file suffix: `read_papers(path)` picks the reader for the file.

Text is decoded as UTF-8 (a byte-order mark is dropped) or, when the file starts with a UTF-16
byte-order mark (Web of Science's "Windows UTF-16" export), as UTF-16. Anything else is refused
at the line of the first undecodable byte, rather than guessed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from studyapp.errors import InvalidInput
from studyapp.readers.papers import bibtex as papers_bibtex
from studyapp.readers.papers import csv as papers_csv
from studyapp.readers.papers import ris as papers_ris
from studyapp.readers.papers.records import ReadResult
from studyapp.readers.text import decode_text

_TEXT_READERS: dict[str, Callable[[str, str], ReadResult]] = {}
for _module, _fn in ((papers_bibtex, papers_bibtex.read_bibtex_text), (papers_ris, papers_ris.read_ris_text),
                     (papers_csv, papers_csv.read_csv_text)):
    for _suffix in _module.SUFFIXES:
        _TEXT_READERS[_suffix] = _fn

SUFFIXES = tuple(_TEXT_READERS)


def decode(data: bytes, path: str) -> str:
    return decode_text(data, path).replace("\r\n", "\n")


def read_text(path: str | Path) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise InvalidInput(f"cannot read the file: {e.strerror}", path=str(path)) from None
    return decode(data, str(path))


def reader_for(name: str) -> Callable[[str, str], ReadResult]:
    suffix = Path(name).suffix.lower()
    if suffix not in _TEXT_READERS:
        raise InvalidInput(f"unknown paper file type {suffix or '(none)'!r}; use one of {', '.join(SUFFIXES)}",
                           path=name)
    return _TEXT_READERS[suffix]


def read_papers_bytes(data: bytes, name: str) -> ReadResult:
    """Read an uploaded file's bytes; `name` gives the format (by suffix) and is used in messages."""
    fn = reader_for(name)
    return fn(decode(data, name), name)


def read_papers(path: str | Path) -> ReadResult:
    fn = reader_for(str(path))
    return fn(read_text(path), str(path))
