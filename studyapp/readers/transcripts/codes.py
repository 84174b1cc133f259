"""A (participant, code) table from CSV: one row per code mention, as interview studies publish it.

The participant column is `participant` (any case) unless named, else the first column; the code
column is `code` unless named, else the last column. Rows keep their file order (participants
count in order of first appearance). Blank lines are skipped; a row with a participant but no code
(or the reverse) is an error naming its line, never a silent gap.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from studyapp.errors import InvalidInput
from studyapp.readers.text import decode_text


@dataclass(frozen=True)
class CodeMention:
    participant: str
    code: str
    line: int


def _pick(header: list[str], wanted: str | None, default: str, fallback: int, what: str, name: str) -> int:
    folded = [h.strip().casefold() for h in header]
    if wanted:
        if wanted.strip().casefold() not in folded:
            raise InvalidInput(f"no {what} column {wanted!r} (columns: {', '.join(header)})", path=name, line=1)
        return folded.index(wanted.strip().casefold())
    return folded.index(default) if default in folded else fallback


def parse_code_table(text: str, *, name: str, participant: str | None = None,
                     code: str | None = None) -> list[CodeMention]:
    reader = csv.reader(io.StringIO(text))
    rows = []
    start = 1
    for row in reader:
        rows.append((start, row))
        start = reader.line_num + 1
    rows = [(n, r) for n, r in rows if any(c.strip() for c in r)]
    if not rows:
        raise InvalidInput("the code table is empty", path=name)
    header_line, header = rows[0]
    if len(header) < 2 and not (participant and code):
        raise InvalidInput("expected at least two columns (participant, code)", path=name, line=header_line)
    pi = _pick(header, participant, "participant", 0, "participant", name)
    ci = _pick(header, code, "code", len(header) - 1, "code", name)
    if pi == ci:
        raise InvalidInput("the participant and code columns are the same column", path=name, line=header_line)
    out = []
    for n, r in rows[1:]:
        p = r[pi].strip() if pi < len(r) else ""
        c = r[ci].strip() if ci < len(r) else ""
        if not p:
            raise InvalidInput(f"no participant in column {header[pi]!r}", path=name, line=n)
        if not c:
            raise InvalidInput(f"no code in column {header[ci]!r}", path=name, line=n)
        out.append(CodeMention(p, c, n))
    return out


def read_code_table(path: str | Path, *, participant: str | None = None, code: str | None = None) -> list[CodeMention]:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise InvalidInput(f"cannot read the file: {e.strerror}", path=str(p)) from None
    return parse_code_table(decode_text(raw, str(p)), name=str(p), participant=participant, code=code)
