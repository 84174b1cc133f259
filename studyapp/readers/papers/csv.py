"""CSV and tab-delimited search exports: Scopus, IEEE Xplore, ACM DL, Web of Science, Zotero, ASReview.

Each database names its columns differently; a profile lists them, and the profile whose marker
columns are all present wins (column names are matched ignoring case and spaces). A file that no
profile claims is read with the generic names (title, abstract, authors, year, doi...), which is
also what ASReview's labelled datasets use. The `csv` module reads the file in strict mode, so an
unterminated quote or a row with more cells than the header stops the import at its line.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from studyapp.errors import InvalidInput
from studyapp.readers.papers.records import (
    PaperRecord,
    ReadResult,
    clean,
    clean_doi,
    parse_year,
    split_list,
)

SUFFIXES = (".csv", ".tsv", ".txt")


@dataclass(frozen=True)
class Profile:
    name: str
    markers: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]
    author_sep: str = ";"


def _p(name, markers, author_sep=";", **columns) -> Profile:
    return Profile(name, markers, {k: tuple(v) for k, v in columns.items()}, author_sep)


GENERIC = dict(title=["title", "primary_title", "article title", "document title"],
               abstract=["abstract", "abstract note", "ab"], authors=["authors", "author", "au"],
               year=["year", "publication year", "publication_year", "py", "date"],
               venue=["venue", "journal", "source title", "publication title", "so"],
               doi=["doi", "di"], url=["url", "link"], keywords=["keywords", "author keywords", "de"],
               type=["type", "document type", "item type"], key=["key", "record_id", "id"],
               database=["source", "database"])

#: Column names per database export, checked in this order.
PROFILES = (
    _p("Scopus", ("eid", "source title"), title=["title"], abstract=["abstract"], authors=["authors"],
       year=["year"], venue=["source title"], doi=["doi"], url=["link"],
       keywords=["author keywords", "index keywords"], type=["document type"], key=["eid"],
       database=["source"]),
    _p("IEEE Xplore", ("document title", "publication title"), title=["document title"], abstract=["abstract"],
       authors=["authors"], year=["publication year"], venue=["publication title"], doi=["doi"],
       url=["pdf link"], keywords=["author keywords", "ieee terms"], type=["document identifier"],
       key=["article number"]),
    _p("Web of Science", ("ut (unique wos id)",), title=["article title"], abstract=["abstract"],
       authors=["author full names", "authors"], year=["publication year"], venue=["source title"],
       doi=["doi"], keywords=["author keywords", "keywords plus"], type=["document type"],
       key=["ut (unique wos id)"]),
    _p("Web of Science", ("ut", "ti", "pt"), title=["ti"], abstract=["ab"], authors=["af", "au"], year=["py"],
       venue=["so"], doi=["di"], keywords=["de", "id"], type=["dt"], key=["ut"]),
    _p("Zotero", ("item type", "abstract note"), title=["title"], abstract=["abstract note"], authors=["author"],
       year=["publication year", "date"], venue=["publication title"], doi=["doi"], url=["url"],
       keywords=["manual tags", "automatic tags"], type=["item type"], key=["key"]),
    _p("ACM Digital Library", ("container-title",), title=["title"], abstract=["abstract"], authors=["author"],
       year=["issued", "year"], venue=["container-title"], doi=["doi"], url=["url"], keywords=["keyword"],
       type=["type"], key=["id"]),
)


def _norm(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\ufeff", "")).strip().casefold()


def _profile(header: list[str]) -> tuple[str, dict[str, tuple[str, ...]]]:
    cols = {_norm(h) for h in header}
    for p in PROFILES:
        if all(m in cols for m in p.markers):
            return p.name, p.columns
    return "", {k: tuple(v) for k, v in GENERIC.items()}


def _dialect(text: str, suffix: str) -> str:
    first = text.split("\n", 1)[0]
    if suffix in (".tsv", ".txt") or first.count("\t") > max(first.count(","), first.count(";")):
        return "\t"
    return ";" if first.count(";") > first.count(",") else ","


def _split_authors(text: str, profile: str) -> list[str]:
    if ";" in text or profile in ("Scopus", "IEEE Xplore", "Zotero") or "," not in text:
        return split_list(text, ";")
    parts = split_list(text, ",")
    if len(parts) > 1 and all(len(p.split()) == 1 for p in parts):
        return [f"{a}, {b}" for a, b in zip(parts[::2], parts[1::2])]
    return parts


def read_csv_text(text: str, path: str) -> ReadResult:
    delim = _dialect(text, Path(path).suffix.lower())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise InvalidInput("the file is empty (no header row)", path=path, line=1)
        name, columns = _profile(header)
        index = {_norm(h): i for i, h in reversed(list(enumerate(header)))}
        pick = {k: [index[c] for c in names if c in index] for k, names in columns.items()}
        if not pick.get("title"):
            raise InvalidInput(f"no title column (looked for {', '.join(columns['title'])}; the header has "
                               f"{', '.join(h.strip() for h in header[:12])})", path=path, line=1)
        records, line = [], reader.line_num + 1
        for row in reader:
            if not any(c.strip() for c in row):
                line = reader.line_num + 1
                continue
            if len(row) > len(header) and any(c.strip() for c in row[len(header):]):
                raise InvalidInput(f"this row has {len(row)} cells but the header has {len(header)}"
                                   " (a stray delimiter or quote?)", path=path, line=line, record=len(records) + 1)
            records.append(_record(len(records) + 1, line, row, header, pick, name))
            line = reader.line_num + 1
    except csv.Error as e:
        raise InvalidInput(f"not valid CSV: {e}", path=path, line=reader.line_num) from None
    if not records:
        raise InvalidInput("the file has a header but no records", path=path, line=2)
    return ReadResult(records, "csv", name)


def _record(n: int, line: int, row: list[str], header: list[str], pick: dict, profile: str) -> PaperRecord:
    def get(k: str) -> str:
        for i in pick.get(k, ()):
            if i < len(row) and clean(row[i]):
                return clean(row[i])
        return ""

    used = {i for idx in pick.values() for i in idx}
    extra = {clean(h): clean(row[i]) for i, h in enumerate(header) if i < len(row) and i not in used and clean(row[i])}
    keywords = [k for i in pick.get("keywords", ()) if i < len(row) for k in split_list(row[i], ";")]
    return PaperRecord(record=n, line=line, title=get("title"), abstract=get("abstract"),
                       authors=_split_authors(get("authors"), profile), year=parse_year(get("year")),
                       venue=get("venue"), doi=clean_doi(get("doi")) or clean_doi(get("url")), url=get("url"),
                       keywords=list(dict.fromkeys(keywords)), type=get("type"), source_key=get("key"),
                       database=get("database"), extra=extra)


def read_papers_csv(path: str | Path) -> ReadResult:
    from studyapp.readers.papers import read_text

    return read_csv_text(read_text(path), str(path))
