"""BibTeX exports (Scopus, ACM DL, IEEE Xplore, Zotero, Google Scholar) read with bibtexparser v2.

LaTeX accents and braces are decoded and co-authors split by bibtexparser's middlewares. A block
bibtexparser cannot parse (or an entry with the same field twice) makes the whole file unreadable,
reported at its line. Two entries with the same citation key are both kept: concatenated exports
often repeat keys, and the duplicate is the de-duplication step's business.
"""

from __future__ import annotations

import logging
from pathlib import Path

import bibtexparser
from bibtexparser import middlewares as mw
from bibtexparser.model import DuplicateBlockKeyBlock, Entry

from studyapp.errors import InvalidInput
from studyapp.readers.papers.records import (
    PaperRecord,
    ReadResult,
    clean,
    clean_doi,
    parse_year,
    split_list,
)

SUFFIXES = (".bib", ".bibtex")
KNOWN = {"title", "abstract", "author", "year", "date", "journal", "booktitle", "publisher", "doi", "url",
         "keywords", "author_keywords", "source"}


def _parse(text: str):
    log = logging.getLogger("bibtexparser")
    level, log.level = log.level, logging.CRITICAL
    try:
        return bibtexparser.parse_string(text, append_middleware=[mw.LatexDecodingMiddleware(),
                                                                   mw.SeparateCoAuthors()])
    finally:
        log.setLevel(level)


def _value(entry: Entry, name: str):
    f = entry.fields_dict.get(name)
    return f.value if f is not None else None


def _record(n: int, entry: Entry, line: int) -> PaperRecord:
    authors = _value(entry, "author") or []
    if isinstance(authors, str):
        authors = [authors]
    keywords = _value(entry, "keywords") or _value(entry, "author_keywords") or ""
    extra = {k: clean(f.value) for k, f in entry.fields_dict.items() if k not in KNOWN and clean(f.value)}
    return PaperRecord(
        record=n, line=line, title=clean(_value(entry, "title")), abstract=clean(_value(entry, "abstract")),
        authors=[clean(a) for a in authors if clean(a)],
        year=parse_year(_value(entry, "year") or _value(entry, "date")),
        venue=clean(_value(entry, "journal") or _value(entry, "booktitle") or _value(entry, "publisher")),
        doi=clean_doi(_value(entry, "doi")) or clean_doi(_value(entry, "url")), url=clean(_value(entry, "url")),
        keywords=split_list(keywords, ";,"), type=entry.entry_type.lower(), source_key=entry.key,
        database=clean(_value(entry, "source")), extra=extra)


def read_bibtex_text(text: str, path: str) -> ReadResult:
    lib = _parse(text)
    entries: list[tuple[int, Entry]] = [(e.start_line, e) for e in lib.entries]
    for block in lib.failed_blocks:
        line = block.start_line + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            again = _parse(block.raw)
            if len(again.entries) == 1 and not again.failed_blocks:
                entries.append((block.start_line, again.entries[0]))
                continue
        error = getattr(block, "error", None)
        reason = getattr(error, "abort_reason", None) or str(error or "") or "cannot parse this entry"
        end = getattr(error, "end_index", None)
        if end is not None:
            line = text[:end].count("\n") + 1
        raise InvalidInput(f"not valid BibTeX (in the entry starting on line {block.start_line + 1}): "
                           f"{reason.strip()}", path=path, line=line)
    entries.sort(key=lambda x: x[0])
    if not entries:
        raise InvalidInput("no BibTeX entries found (is this a .bib file?)", path=path)
    return ReadResult([_record(n, e, line + 1) for n, (line, e) in enumerate(entries, start=1)], "bibtex")


def read_bibtex(path: str | Path) -> ReadResult:
    from studyapp.readers.papers import read_text

    return read_bibtex_text(read_text(path), str(path))
