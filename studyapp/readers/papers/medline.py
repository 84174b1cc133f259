"""PubMed / MEDLINE (`.nbib`, or PubMed's "Save -> PubMed format" `.txt`: `PMID- ` tagged lines)
read with nbib, one record at a time, so a record nbib cannot read (a line with no tag) is a
problem of that record and the others are kept.
"""

from __future__ import annotations

import re

from studyapp.errors import InvalidInput
from studyapp.readers.contract import Outcome, Problem, Reader
from studyapp.readers.papers.records import PaperRecord, clean, clean_doi, parse_year
from studyapp.readers.text import normalise_newlines

SUFFIXES = (".nbib", ".medline")
PMID_RE = re.compile(r"^PMID- ", re.MULTILINE)
KNOWN = {"title", "abstract", "authors", "publication_date", "journal", "doi", "keywords", "pubmed_id",
         "publication_types", "descriptors"}


def _authors(d: dict) -> list[str]:
    out = []
    for a in d.get("authors") or []:
        name = a.get("author") or a.get("author_abbreviated") if isinstance(a, dict) else a
        if clean(name):
            out.append(clean(name))
    return out


def _record(n: int, line: int, d: dict) -> PaperRecord:
    keywords = [clean(k) for k in d.get("keywords") or [] if clean(k)]
    keywords += [clean(x.get("descriptor")) for x in d.get("descriptors") or [] if isinstance(x, dict)]
    types = d.get("publication_types") or []
    extra = {k: clean(v) for k, v in d.items() if k not in KNOWN and isinstance(v, (str, int)) and clean(v)}
    return PaperRecord(record=n, line=line, title=clean(d.get("title")), abstract=clean(d.get("abstract")),
                       authors=_authors(d), year=parse_year(d.get("publication_date")),
                       venue=clean(d.get("journal")), doi=clean_doi(d.get("doi")),
                       keywords=list(dict.fromkeys(k for k in keywords if k)), type=clean(types[0]) if types else "",
                       source_key=clean(d.get("pubmed_id")), database="PubMed", extra=extra)


def read_medline_text(text: str, path: str) -> Outcome:
    import nbib

    text = normalise_newlines(text).lstrip("\ufeff")
    if not PMID_RE.search(text):
        raise InvalidInput("no MEDLINE records found (no line starts with 'PMID- ')", path=path)
    blocks, line = [], 1
    for m in re.finditer(r"(?:[^\n]|\n(?!\s*\n))+", text):  # records are separated by blank lines
        blocks.append((text.count("\n", 0, m.start()) + 1, m.group(0)))
    records, problems = [], []
    for n, (line, chunk) in enumerate(((ln, c) for ln, c in blocks if c.strip()), start=1):
        try:
            parsed = nbib.read(chunk + "\n")
        except Exception as e:  # nbib raises its own exception types for malformed lines
            problems.append(Problem(f"not valid MEDLINE: {e}", line=line, record=n))
            continue
        if len(parsed) != 1:
            problems.append(Problem("not valid MEDLINE: cannot read this record", line=line, record=n))
            continue
        records.append(_record(n, line, parsed[0]))
    return Outcome(records, "medline", "PubMed", problems=problems)


class MedlineReader(Reader):
    kind, format, label, suffixes = "papers", "medline", "PubMed / MEDLINE", SUFFIXES

    def sniff(self, head: str, data: bytes) -> int:
        return 2 if PMID_RE.search(normalise_newlines(head.lstrip("\ufeff"))) else 0

    def parse(self, text: str, name: str, **options) -> Outcome:
        return read_medline_text(text, name)
