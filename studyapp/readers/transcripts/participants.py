"""Participants with their attributes (role, experience, company type...) from a CSV file, and the
list of names to pseudonymise.

The id column is `--id-column`, else the first of participant / participant_id / pid / id (any
case), else the first column. A numeric id can take a prefix (`1` -> `P1`, to match transcripts and
code tables that say `P1`). Columns with no header and no value in any row (spreadsheet exports
often end every line with `,,`) are dropped; a headerless column that holds a value is an error,
as are a missing or repeated id. Every error names the file and line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from studyapp.errors import InvalidInput
from studyapp.readers.text import decode_text

ID_NAMES = ("participant", "participant_id", "participant id", "pid", "id")


@dataclass(frozen=True)
class Participant:
    id: str
    attrs: dict
    line: int


@dataclass(frozen=True)
class ParticipantTable:
    participants: list[Participant]
    id_column: str
    columns: list[str]
    dropped_columns: int


def _rows(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text))
    out = []
    start = 1
    for row in reader:
        out.append((start, row))
        start = reader.line_num + 1
    return out


def parse_participants(text: str, *, name: str, id_column: str | None = None,
                       id_prefix: str | None = None) -> ParticipantTable:
    rows = [(n, r) for n, r in _rows(text) if any(c.strip() for c in r)]
    if not rows:
        raise InvalidInput("the participants file is empty", path=name)
    header_line, header = rows[0]
    header = [h.strip() for h in header]
    width = max(len(r) for _, r in rows)
    header += [""] * (width - len(header))
    keep = []
    for i, h in enumerate(header):
        if h:
            keep.append(i)
            continue
        filled = next((n for n, r in rows[1:] if i < len(r) and r[i].strip()), None)
        if filled is not None:
            raise InvalidInput(f"column {i + 1} has no header but holds a value", path=name, line=filled)
    names = [header[i] for i in keep]
    seen = {}
    for i in keep:
        key = header[i].casefold()
        if key in seen:
            raise InvalidInput(f"column {header[i]!r} appears twice", path=name, line=header_line)
        seen[key] = i
    if id_column:
        if id_column.casefold() not in seen:
            raise InvalidInput(f"no column {id_column!r} (columns: {', '.join(names)})", path=name, line=header_line)
        id_idx = seen[id_column.casefold()]
    else:
        id_idx = next((seen[k] for k in ID_NAMES if k in seen), keep[0])
    out: list[Participant] = []
    ids: dict[str, int] = {}
    for n, r in rows[1:]:
        r = r + [""] * (width - len(r))
        pid = r[id_idx].strip()
        if not pid:
            raise InvalidInput(f"no participant id in column {header[id_idx]!r}", path=name, line=n)
        if id_prefix and pid.isdigit():
            pid = f"{id_prefix}{pid}"
        if pid in ids:
            raise InvalidInput(f"participant {pid!r} appears again (first on line {ids[pid]})", path=name, line=n)
        ids[pid] = n
        attrs = {header[i]: r[i].strip() for i in keep if i != id_idx and r[i].strip()}
        out.append(Participant(pid, attrs, n))
    return ParticipantTable(out, header[id_idx], [h for h in names if h != header[id_idx]], width - len(keep))


def read_participants(path: str | Path, *, id_column: str | None = None,
                      id_prefix: str | None = None) -> ParticipantTable:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise InvalidInput(f"cannot read the file: {e.strerror}", path=str(p)) from None
    return parse_participants(decode_text(raw, str(p)), name=str(p), id_column=id_column, id_prefix=id_prefix)


def parse_pseudonyms(text: str, *, name: str) -> list[tuple[str, str | None, int]]:
    """(name, replacement or None, line) from lines `name` or `name,replacement` (a first line
    `name,replacement` is a header). A name with no replacement becomes the participant id."""
    out = []
    for n, row in _rows(text):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if n == 1 and [c.casefold() for c in cells[:2]] == ["name", "replacement"]:
            continue
        if not cells[0]:
            raise InvalidInput("a replacement with no name", path=name, line=n)
        if len(cells) > 2 and any(cells[2:]):
            raise InvalidInput("expected `name` or `name,replacement`", path=name, line=n)
        out.append((cells[0], (cells[1] if len(cells) > 1 and cells[1] else None), n))
    return out


def read_pseudonyms(path: str | Path) -> list[tuple[str, str | None, int]]:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise InvalidInput(f"cannot read the file: {e.strerror}", path=str(p)) from None
    return parse_pseudonyms(decode_text(raw, str(p)), name=str(p))
