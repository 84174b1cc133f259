"""The one record shape every paper reader returns, and the small cleaning rules they share.

Readers follow the one contract (`readers.contract`, as ASReview's: read -> clean -> records). A
record that cannot be read is a `Problem` (line or record number and reason) and the rest of the
file is still offered; a file that cannot be read at all raises `InvalidInput` naming the file and
the place. Judging records (no title, duplicates) is the import service's job, not a reader's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from studyapp.readers.contract import Outcome

DOI_RE = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
YEAR_RE = re.compile(r"(1[5-9]\d\d|20\d\d|21\d\d)")


@dataclass
class PaperRecord:
    """One search-result record. `record` is its 1-based number in the file, `line` its first line."""

    record: int
    line: int | None
    title: str = ""
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    venue: str = ""
    doi: str = ""
    url: str = ""
    keywords: list[str] = field(default_factory=list)
    type: str = ""
    source_key: str = ""
    database: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


#: Every record of a file, the format it was read as, the export profile (e.g. Scopus) if known,
#: and the records that could not be read (`problems`).
ReadResult = Outcome


def clean(text: Any) -> str:
    """Collapse whitespace; None and NaN become ''."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return re.sub(r"\s+", " ", str(text)).strip()


def clean_doi(text: Any) -> str:
    """The bare DOI (`10.x/y`, lower-cased) from a DOI, a doi.org URL or 'doi:' text; '' if none."""
    m = DOI_RE.search(clean(text))
    return m.group(0).rstrip(".,;").lower() if m else ""


def parse_year(text: Any) -> int | None:
    m = YEAR_RE.search(clean(text))
    return int(m.group(1)) if m else None


def split_list(text: Any, seps: str = ";") -> list[str]:
    return [p for p in (clean(x) for x in re.split(f"[{re.escape(seps)}]", clean(text))) if p]
