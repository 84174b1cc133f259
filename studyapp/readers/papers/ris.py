"""RIS exports (Scopus, Web of Science, IEEE Xplore, ACM DL, Zotero, EndNote) read with rispy.

rispy is lenient: a record without its `ER` line is silently merged into the next one or dropped.
So the file's record structure is checked first, line by line (every record opens with `TY` and
closes with `ER`, nothing stands between records), and only then is each record parsed by rispy.
A break in the structure makes the whole file unreadable, reported at its line.
"""

from __future__ import annotations

import re
from pathlib import Path

import rispy

from studyapp.errors import InvalidInput
from studyapp.readers.papers.records import (
    PaperRecord,
    ReadResult,
    clean,
    clean_doi,
    parse_year,
)

SUFFIXES = (".ris",)
TAG_RE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
KNOWN = {"type_of_reference", "title", "primary_title", "translated_title", "abstract", "notes_abstract",
         "authors", "first_authors", "year", "publication_year", "date", "secondary_title", "journal_name",
         "alternate_title1", "alternate_title2", "alternate_title3", "doi", "urls", "keywords", "id",
         "name_of_database", "database_provider", "end_of_reference"}


def _blocks(text: str, path: str) -> list[tuple[int, list[str]]]:
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    start = 0
    for n, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r").lstrip("\ufeff")
        m = TAG_RE.match(line.rstrip())
        tag = m.group(1) if m else None
        if current is None:
            if not line.strip():
                continue
            if tag != "TY":
                raise InvalidInput(f"expected a record to start with 'TY  - ', found {line.strip()[:40]!r}",
                                   path=path, line=n, record=len(blocks) + 1)
            current, start = [line], n
        elif tag == "TY":
            raise InvalidInput(f"a new record starts before the record of line {start} ended (no 'ER  - ')",
                               path=path, line=n, record=len(blocks) + 1)
        elif tag == "ER":
            current.append(line)
            blocks.append((start, current))
            current = None
        else:
            current.append(line)
    if current is not None:
        raise InvalidInput(f"the file ends inside the record of line {start} (no 'ER  - ')", path=path,
                           line=start, record=len(blocks) + 1)
    if not blocks:
        raise InvalidInput("no RIS records found (is this a .ris file?)", path=path)
    return blocks


def _first(d: dict, *names: str) -> str:
    for name in names:
        v = d.get(name)
        if isinstance(v, list):
            v = v[0] if v else None
        if clean(v):
            return clean(v)
    return ""


def _record(n: int, line: int, d: dict) -> PaperRecord:
    authors = [clean(a) for a in (d.get("authors") or []) + (d.get("first_authors") or []) if clean(a)]
    urls = d.get("urls") or []
    extra = {k: clean("; ".join(map(str, v)) if isinstance(v, list) else v) for k, v in d.items()
             if k not in KNOWN and isinstance(v, (str, list)) and clean(v if isinstance(v, str) else " ".join(map(str, v)))}
    return PaperRecord(
        record=n, line=line, title=_first(d, "title", "primary_title", "translated_title"),
        abstract=_first(d, "abstract", "notes_abstract"), authors=list(dict.fromkeys(authors)),
        year=parse_year(_first(d, "year", "publication_year", "date")),
        venue=_first(d, "secondary_title", "journal_name", "alternate_title3", "alternate_title1",
                     "alternate_title2"),
        doi=clean_doi(_first(d, "doi")) or next((clean_doi(u) for u in urls if clean_doi(u)), ""),
        url=clean(urls[0]) if urls else "", keywords=[clean(k) for k in d.get("keywords") or [] if clean(k)],
        type=_first(d, "type_of_reference"), source_key=_first(d, "id"),
        database=_first(d, "name_of_database", "database_provider"), extra=extra)


def read_ris_text(text: str, path: str) -> ReadResult:
    records = []
    for n, (line, lines) in enumerate(_blocks(text, path), start=1):
        try:
            parsed = rispy.loads("\n".join(lines) + "\n")
        except Exception as e:  # rispy raises plain exceptions on tags it cannot place
            raise InvalidInput(f"not valid RIS: {e}", path=path, line=line, record=n) from None
        if len(parsed) != 1:
            raise InvalidInput("not valid RIS: cannot read this record", path=path, line=line, record=n)
        records.append(_record(n, line, parsed[0]))
    return ReadResult(records, "ris")


def read_ris(path: str | Path) -> ReadResult:
    from studyapp.readers.papers import read_text

    return read_ris_text(read_text(path), str(path))
