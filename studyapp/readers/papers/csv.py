"""CSV and tab-delimited search exports: Scopus, IEEE Xplore, ACM DL, Web of Science, Zotero,
SpringerLink, Embase, PubMed, Lens, OpenAlex, ASReview.

Each database names its columns differently; a profile lists them, and the profile whose marker
columns are all present wins (column names are matched ignoring case and spaces). A file that no
profile claims is read with the generic names (title, abstract, authors, year, doi...), which is
also what ASReview's labelled datasets use. The table is read by `readers.sheets` (the one table
reader) in tolerant mode: a row it cannot read (an unescaped quote in an IEEE title, a Scopus row
with a cell more than the header) is a problem of that row, and the other rows are kept. Web of
Science's tab-delimited export is read with quoting off (it writes bare `"` inside fields).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from studyapp.errors import InvalidInput
from studyapp.readers.contract import Outcome, Problem, Reader
from studyapp.readers.papers.records import PaperRecord, clean, clean_doi, parse_year, split_list
from studyapp.readers.sheets import parse_csv_text

SUFFIXES = (".csv", ".tsv", ".txt", ".tab")
WOS_TAB_RE = re.compile(r"^(?:\ufeff)?(?:PT|FN)\t|\tUT(?: \(Unique WOS ID\))?\t")


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
    _p("SpringerLink", ("item title", "publication title", "content type"), title=["item title"],
       authors=["authors"], year=["publication year"], venue=["publication title", "book series title"],
       doi=["item doi"], url=["url"], type=["content type"]),
    _p("Embase", ("author names", "emtree medical index terms"), title=["title"], abstract=["abstract"],
       authors=["author names"], year=["publication year", "date of publication"], venue=["source"],
       doi=["doi"], url=["full text link", "open url link"], keywords=["keywords", "author keywords"],
       type=["publication type"], key=["embase accession id", "medline pmid"]),
    _p("PubMed", ("pmid", "journal/book", "citation"), title=["title"], authors=["authors"],
       year=["publication year"], venue=["journal/book"], doi=["doi"], key=["pmid"], author_sep=","),
    _p("Lens", ("lens id", "source title"), title=["title"], abstract=["abstract"], authors=["author/s"],
       year=["publication year"], venue=["source title"], doi=["doi"], url=["external url"],
       keywords=["keywords"], type=["publication type"], key=["lens id"]),
    _p("OpenAlex", ("authorships.author.display_name", "display_name"), title=["display_name", "title"],
       abstract=["abstract"], authors=["authorships.author.display_name"], year=["publication_year"],
       venue=["primary_location.source.display_name"], doi=["doi"], type=["type"], key=["id"], author_sep="|"),
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


def _split_authors(text: str, profile: str, sep: str = ";") -> list[str]:
    if sep == "|":
        return split_list(text, "|")
    if ";" in text or profile in ("Scopus", "IEEE Xplore", "Zotero", "Lens") or "," not in text:
        return split_list(text, ";")
    parts = split_list(text, ",")
    if len(parts) > 1 and all(len(p.split()) == 1 for p in parts):
        return [f"{a}, {b}" for a, b in zip(parts[::2], parts[1::2])]
    return parts


def _profile_of(name: str) -> Profile | None:
    return next((p for p in PROFILES if p.name == name), None)


def read_csv_text(text: str, path: str) -> Outcome:
    first = next((ln for ln in text.split("\n") if ln.strip()), "")
    wos_tab = bool(WOS_TAB_RE.search(first))
    table = parse_csv_text(text, path, delimiter="\t" if wos_tab else None, quoting=not wos_tab, tolerant=True)
    header = table.header
    if not header or not any(str(h).strip() for h in header):
        raise InvalidInput("the file is empty (no header row)", path=path, line=1)
    name, columns = _profile(header)
    profile = _profile_of(name)
    index = {_norm(h): i for i, h in reversed(list(enumerate(header)))}
    pick = {k: [index[c] for c in names if c in index] for k, names in columns.items()}
    if not pick.get("title"):
        raise InvalidInput(f"no title column (looked for {', '.join(columns['title'])}; the header has "
                           f"{', '.join(h.strip() for h in header[:12])})", path=path, line=table.header_line)
    problems = [Problem(p.reason, line=p.line) for p in table.problems]
    if not table.rows and not problems:
        raise InvalidInput("the file has a header but no records", path=path, line=table.header_line + 1)
    sep = profile.author_sep if profile else ";"
    records = [_record(n, line, row, header, pick, name, sep)
               for n, (row, line) in enumerate(zip(table.rows, table.lines), start=1)]
    # number problems among the records by their line, so "record N" means the N-th row of the file
    rows = sorted([(r.line, r) for r in records] + [(p.line, p) for p in problems], key=lambda x: x[0])
    out_records, out_problems = [], []
    for n, (_, item) in enumerate(rows, start=1):
        if isinstance(item, Problem):
            out_problems.append(Problem(item.reason, line=item.line, record=n))
        else:
            item.record = n
            out_records.append(item)
    fmt = "wos-tab" if wos_tab else ("tsv" if table.delimiter == "\t" else "csv")
    notes = ["read as tab-delimited Web of Science (quoting off)"] if wos_tab else []
    return Outcome(out_records, fmt, name, problems=out_problems, notes=notes)


class CsvReader(Reader):
    kind, format, label, suffixes = "papers", "csv", "CSV / tab-delimited table", SUFFIXES

    def sniff(self, head: str, data: bytes) -> int:
        first = next((ln for ln in head.split("\n") if ln.strip()), "")
        if WOS_TAB_RE.search(first):
            return 2
        return 1 if any(d in first for d in ",;\t") else 0

    def parse(self, text: str, name: str, **options) -> Outcome:
        return read_csv_text(text, name)


def _record(n: int, line: int, row: list[str], header: list[str], pick: dict, profile: str,
            sep: str = ";") -> PaperRecord:
    def get(k: str) -> str:
        for i in pick.get(k, ()):
            if i < len(row) and clean(row[i]):
                return clean(row[i])
        return ""

    used = {i for idx in pick.values() for i in idx}
    extra = {clean(h): clean(row[i]) for i, h in enumerate(header) if i < len(row) and i not in used and clean(row[i])}
    keywords = [k for i in pick.get("keywords", ()) if i < len(row) for k in split_list(row[i], ";")]
    return PaperRecord(record=n, line=line, title=get("title"), abstract=get("abstract"),
                       authors=_split_authors(get("authors"), profile, sep), year=parse_year(get("year")),
                       venue=get("venue"), doi=clean_doi(get("doi")) or clean_doi(get("url")), url=get("url"),
                       keywords=list(dict.fromkeys(keywords)), type=get("type"), source_key=get("key"),
                       database=get("database"), extra=extra)
