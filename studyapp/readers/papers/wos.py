"""Web of Science plain text (`FN Clarivate Analytics Web of Science` / `VR 1.0`, two-letter tags,
continuation lines indented) read with wosfile, whatever the file is called (`.txt`, `.ciw`,
`.isi`, or `.ris` as users often save it).

The tab-delimited WoS export is a table and is read by `papers.csv` (quoting off). A record that
ends early (no `ER`) or a file without `EF` stops reading at that record, reported as a problem;
the records before it are kept.
"""

from __future__ import annotations

import io
import re
import warnings

from studyapp.errors import InvalidInput
from studyapp.readers.contract import Outcome, Problem, Reader
from studyapp.readers.papers.records import PaperRecord, clean, clean_doi, parse_year, split_list
from studyapp.readers.text import normalise_newlines

SUFFIXES = (".ciw", ".isi")
HEAD_RE = re.compile(r"^(?:\ufeff)?\s*FN\s.*\n\s*VR\s", re.MULTILINE)
KNOWN = {"TI", "AB", "AF", "AU", "PY", "SO", "DI", "DE", "ID", "DT", "UT", "PT"}


def _record(n: int, line: int, d: dict) -> PaperRecord:
    authors = split_list(d.get("AF") or d.get("AU") or "", ";")
    keywords = split_list(d.get("DE") or "", ";") + split_list(d.get("ID") or "", ";")
    extra = {k: clean(v) for k, v in d.items() if k not in KNOWN and clean(v)}
    return PaperRecord(record=n, line=line, title=clean(d.get("TI")), abstract=clean(d.get("AB")), authors=authors,
                       year=parse_year(d.get("PY")), venue=clean(d.get("SO")), doi=clean_doi(d.get("DI")),
                       keywords=list(dict.fromkeys(keywords)), type=clean(d.get("DT")), source_key=clean(d.get("UT")),
                       database="Web of Science", extra=extra)


def read_wos_text(text: str, path: str) -> Outcome:
    import wosfile

    text = normalise_newlines(text).lstrip("\ufeff")
    lines = text.split("\n")
    fh = io.StringIO(text)
    records, problems = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # wosfile warns about tags it does not know; they are kept
        try:
            reader = wosfile.PlainTextReader(fh)
        except (wosfile.read.ReadError, ValueError, StopIteration) as e:
            raise InvalidInput(f"not Web of Science plain text: {e or 'no FN / VR header'}", path=path, line=1) from None
        while True:
            start = reader.current_line + 1
            while start <= len(lines) and not lines[start - 1].strip():
                start += 1
            try:
                d = next(reader)
            except StopIteration:
                break
            except (wosfile.read.ReadError, ValueError) as e:
                problems.append(Problem(f"not valid Web of Science plain text: {e}", line=start,
                                        record=len(records) + 1))
                break
            records.append(_record(len(records) + len(problems) + 1, start, d))
    if not records and not problems:
        raise InvalidInput("no Web of Science records found (the file has a header but no PT ... ER record)",
                           path=path, line=3)
    return Outcome(records, "wos", "Web of Science", problems=problems)


class WosReader(Reader):
    kind, format, label, suffixes = "papers", "wos", "Web of Science plain text", SUFFIXES

    def sniff(self, head: str, data: bytes) -> int:
        return 2 if HEAD_RE.search(normalise_newlines(head[:2000])) else 0

    def parse(self, text: str, name: str, **options) -> Outcome:
        return read_wos_text(text, name)
