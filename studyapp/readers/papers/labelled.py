"""Fully labelled screening sets (ASReview / SYNERGY style) for `studyapp screen simulate`.

Columns `title`, `abstract` and `label_included` (0/1), matched ignoring case; other columns are
ignored. Every record needs a label: a blank or other value stops reading at its line, because a
simulation over partly labelled data would report a recall that means nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from studyapp.errors import InvalidInput
from studyapp.readers.papers.csv import read_csv_text
from studyapp.readers.papers.records import clean
from studyapp.readers.text import decode_text, normalise_newlines, read_bytes


@dataclass(frozen=True)
class LabelledSet:
    titles: list[str]
    abstracts: list[str]
    labels: list[int]

    def texts(self) -> list[str]:
        return [f"{t}\n{a}" for t, a in zip(self.titles, self.abstracts)]


def read_labelled(path: str | Path) -> LabelledSet:
    text = normalise_newlines(decode_text(read_bytes(path), str(path)))
    header = [h.strip().lstrip("\ufeff").casefold() for h in text.split("\n", 1)[0].split(",")]
    if "label_included" not in header:
        raise InvalidInput("no label_included column (0/1 per record, as in ASReview datasets)", path=str(path), line=1)
    result = read_csv_text(text, str(path))
    if result.problems:
        p = result.problems[0]
        raise InvalidInput(p.reason, path=str(path), line=p.line, record=p.record)
    titles, abstracts, labels = [], [], []
    for rec in result.records:
        raw = {k.casefold(): v for k, v in rec.extra.items()}.get("label_included", "")
        raw = clean(raw)
        if raw not in ("0", "1", "0.0", "1.0"):
            raise InvalidInput(f"label_included must be 0 or 1, not {raw!r}", path=str(path), line=rec.line,
                               record=rec.record)
        titles.append(rec.title)
        abstracts.append(rec.abstract)
        labels.append(int(float(raw)))
    return LabelledSet(titles, abstracts, labels)
