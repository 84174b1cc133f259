"""BibTeX and BibLaTeX exports (Scopus, ACM DL, IEEE Xplore, Web of Science, Europe PMC, Zotero,
Google Scholar, dblp) read with bibtexparser v2.

Field names are matched ignoring case (Web of Science and Europe PMC write `Title =`). A field given
twice in one entry (Scopus repeats `funding_details`) is merged: the first value of a bibliographic
field (title, year, doi...) is kept, other fields join their distinct values with "; ", and a note
says so. LaTeX accents and braces are decoded and co-authors split by bibtexparser's middlewares.
BibLaTeX names are read too (`journaltitle`, `date`). A block bibtexparser cannot parse is a
problem of that entry (its line and the parser's reason); the rest of the file is read. Two
entries with the same citation key are both kept: the duplicate is the de-duplication step's business.
"""

from __future__ import annotations

import logging
import re

import bibtexparser
from bibtexparser import Library
from bibtexparser import middlewares as mw
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, Field

from studyapp.readers.contract import Outcome, Problem, Reader
from studyapp.readers.papers.records import PaperRecord, clean, clean_doi, parse_year, split_list

SUFFIXES = (".bib", ".bibtex", ".biblatex")
KNOWN = {"title", "abstract", "author", "year", "date", "journal", "journaltitle", "booktitle", "publisher", "doi",
         "url", "keywords", "author_keywords", "source"}
SINGLE = {"title", "year", "date", "doi", "journal", "journaltitle", "booktitle", "abstract", "author", "url"}
ENTRY_RE = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)


def _quiet_parse(text: str) -> Library:
    log = logging.getLogger("bibtexparser")
    level, log.level = log.level, logging.CRITICAL
    try:
        return bibtexparser.parse_string(text, parse_stack=[])
    finally:
        log.setLevel(level)


def _merged(entry: Entry, notes: list[str], n: int) -> Entry:
    fields: dict[str, Field] = {}
    for f in entry.fields:
        key = f.key.lower()
        value = f.value
        if key not in fields:
            fields[key] = Field(key, value, f.start_line)
            continue
        old = fields[key]
        if str(value).strip() == str(old.value).strip() or not str(value).strip():
            continue
        if key in SINGLE:
            notes.append(f"record {n} ({entry.key}): field {key!r} given twice; the first kept")
        else:
            old.value = f"{old.value}; {value}"
            notes.append(f"record {n} ({entry.key}): field {key!r} given twice; the values joined")
    return Entry(entry.entry_type, entry.key, list(fields.values()), entry.start_line, entry.raw)


def _value(entry: Entry, name: str):
    f = entry.fields_dict.get(name)
    return f.value if f is not None else None


def _record(n: int, entry: Entry, line: int) -> PaperRecord:
    authors = _value(entry, "author") or []
    if isinstance(authors, str):
        authors = [authors]
    keywords = _value(entry, "keywords") or _value(entry, "author_keywords") or ""
    extra = {k: clean(f.value) for k, f in entry.fields_dict.items() if k not in KNOWN and clean(f.value)}
    venue = (_value(entry, "journal") or _value(entry, "journaltitle") or _value(entry, "booktitle")
             or _value(entry, "publisher"))
    return PaperRecord(
        record=n, line=line, title=clean(_value(entry, "title")), abstract=clean(_value(entry, "abstract")),
        authors=[clean(a) for a in authors if clean(a)],
        year=parse_year(_value(entry, "year") or _value(entry, "date")), venue=clean(venue),
        doi=clean_doi(_value(entry, "doi")) or clean_doi(_value(entry, "url")), url=clean(_value(entry, "url")),
        keywords=split_list(keywords, ";,"), type=entry.entry_type.lower(), source_key=entry.key,
        database=clean(_value(entry, "source")), extra=extra)


def _reason(block, text: str) -> tuple[str, int]:
    error = getattr(block, "error", None)
    reason = getattr(error, "abort_reason", None) or str(error or "") or "cannot parse this entry"
    line = block.start_line + 1
    end = getattr(error, "end_index", None)
    if end is not None:
        line = text[:end].count("\n") + 1
    return reason.strip(), line


def read_bibtex_text(text: str, path: str) -> Outcome:
    lib = _quiet_parse(text)
    found: list[tuple[int, Entry | None, object]] = [(e.start_line, e, "") for e in lib.entries]
    for block in lib.failed_blocks:
        inner = getattr(block, "ignore_error_block", None)
        if isinstance(block, (DuplicateFieldKeyBlock, DuplicateBlockKeyBlock)) and isinstance(inner, Entry):
            found.append((block.start_line, inner, ""))
        else:
            reason, line = _reason(block, text)
            found.append((block.start_line, None, (line, f"not valid BibTeX (in the entry starting on line "
                                                         f"{block.start_line + 1}): {reason}")))
    found.sort(key=lambda x: x[0])
    notes: list[str] = []
    entries, problems = [], []
    for n, (start, entry, reason) in enumerate(found, start=1):
        if entry is None:
            problems.append(Problem(reason[1], line=reason[0], record=n))
        else:
            entries.append((n, start, _merged(entry, notes, n)))
    if entries:
        merged = Library([e for _, _, e in entries])
        for m in (mw.LatexDecodingMiddleware(), mw.SeparateCoAuthors()):
            merged = m.transform(merged)
        entries = [(n, start, e) for (n, start, _), e in zip(entries, merged.entries)]
    if not found:
        from studyapp.errors import InvalidInput

        raise InvalidInput("no BibTeX entries found (is this a .bib file?)", path=path)
    return Outcome([_record(n, e, start + 1) for n, start, e in entries], "bibtex", problems=problems, notes=notes)


class BibtexReader(Reader):
    kind, format, label, suffixes = "papers", "bibtex", "BibTeX / BibLaTeX", SUFFIXES

    def sniff(self, head: str, data: bytes) -> int:
        return 2 if ENTRY_RE.search(head) else 0

    def parse(self, text: str, name: str, **options) -> Outcome:
        return read_bibtex_text(text, name)
