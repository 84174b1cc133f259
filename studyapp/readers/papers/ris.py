"""RIS exports (Scopus, IEEE Xplore, ACM DL, Embase, Ovid, ProQuest, JSTOR, EBSCO, PubMed via
EndNote or Zotero) read with rispy, one record at a time.

rispy is lenient: a record without its `ER` line is silently merged into the next one. So the
record structure is found first, line by line, and what real exports put around records is
accepted: Ovid's record numbers (`1.` on the line before `TY  -`), a preamble before the first
record (JSTOR's and APA PsycNet's `Provider:` / `Database:` / `Content:` lines), stray carriage
returns (IEEE Xplore) and blank lines. A record whose `ER` is missing ends where the next `TY`
starts, with a note; a record rispy cannot read is a problem of that record; the rest is read.
"""

from __future__ import annotations

import re

import rispy

from studyapp.errors import InvalidInput
from studyapp.readers.contract import Outcome, Problem, Reader
from studyapp.readers.papers.records import PaperRecord, clean, clean_doi, parse_year
from studyapp.readers.text import normalise_newlines

SUFFIXES = (".ris",)
TAG_RE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
KNOWN = {"type_of_reference", "title", "primary_title", "translated_title", "abstract", "notes_abstract",
         "authors", "first_authors", "year", "publication_year", "date", "secondary_title", "journal_name",
         "alternate_title1", "alternate_title2", "alternate_title3", "doi", "urls", "keywords", "id",
         "name_of_database", "database_provider", "end_of_reference"}


NUMBER_RE = re.compile(r"^\s*\d+\.\s*$")


def _blocks(text: str, path: str, notes: list[str]) -> list[tuple[int, list[str] | None]]:
    """(first line, lines) per record; lines is None for tagged lines outside any record (a record
    without its `TY` line), which the caller reports as a problem."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    start = 0
    skipped: list[int] = []
    orphan: int | None = None
    for n, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r").lstrip("\ufeff")
        m = TAG_RE.match(line.rstrip())
        tag = m.group(1) if m else None
        if current is None:
            if tag == "TY":
                if orphan is not None:
                    skipped.append(orphan)  # tags after an ER (Ovid writes `NL  - ...`) with no ER of their own
                current, start, orphan = [line], n, None
            elif tag == "ER" and orphan is not None:
                blocks.append((orphan, None))
                orphan = None
            elif tag and orphan is None:
                orphan = n
            elif line.strip() and not tag and not NUMBER_RE.match(line):
                skipped.append(n)
            continue
        if tag == "TY":
            notes.append(f"record {len(blocks) + 1} (line {start}) has no 'ER  - ' line: it ends where the "
                         f"next record starts (line {n})")
            blocks.append((start, current))
            current, start = [line], n
        elif tag == "ER":
            current.append(line)
            blocks.append((start, current))
            current = None
        else:
            current.append(line)
    if current is not None:
        notes.append(f"record {len(blocks) + 1} (line {start}) has no 'ER  - ' line: it ends with the file")
        blocks.append((start, current))
    if orphan is not None:
        skipped.append(orphan)
    if skipped:
        first = skipped[0]
        what = "a preamble" if first < (blocks[0][0] if blocks else first + 1) else "text outside records"
        notes.append(f"{len(skipped)} line(s) outside any record skipped ({what}, from line {first})")
    if not blocks or all(b is None for _, b in blocks):
        raise InvalidInput("no RIS records found: no line starts with 'TY  - ' (is this a .ris file?)", path=path)
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


def read_ris_text(text: str, path: str) -> Outcome:
    notes: list[str] = []
    records, problems = [], []
    for n, (line, lines) in enumerate(_blocks(normalise_newlines(text), path, notes), start=1):
        if lines is None:
            problems.append(Problem("a record without its 'TY  - ' line (tagged lines outside any record)",
                                    line=line, record=n))
            continue
        if not any(TAG_RE.match(x) and TAG_RE.match(x).group(1) == "ER" for x in lines):
            lines = [*lines, "ER  - "]
        try:
            parsed = rispy.loads("\n".join(lines) + "\n", skip_unknown_tags=False)
        except Exception as e:  # rispy raises plain exceptions on tags it cannot place
            problems.append(Problem(f"not valid RIS: {e}", line=line, record=n))
            continue
        if len(parsed) != 1:
            problems.append(Problem("not valid RIS: cannot read this record", line=line, record=n))
            continue
        records.append(_record(n, line, parsed[0]))
    return Outcome(records, "ris", problems=problems, notes=notes)


class RisReader(Reader):
    kind, format, label, suffixes = "papers", "ris", "RIS", SUFFIXES

    def sniff(self, head: str, data: bytes) -> int:
        return 2 if re.search(r"^(?:\ufeff)?TY  - ", normalise_newlines(head), re.MULTILINE) else 0

    def parse(self, text: str, name: str, **options) -> Outcome:
        return read_ris_text(text, name)
