"""Spreadsheets of rows (CSV, XLSX) and the mapping files that say how their columns and spellings
map onto a codebook.

`read_sheet` returns every row (read by `readers.sheets`, the one table reader) with the line (CSV:
the physical line the record starts on; XLSX: the sheet row) so that every later message can name `file:line`. A spreadsheet's own row index (a blank
header or pandas' `Unnamed: 0`) is recognised and dropped: it is never data, never a field.
Empty cells and the literal `nan` that pandas writes for a missing value are read as None.

`read_label_map` reads a reviewed mapping file (YAML)::

    columns:               # spreadsheet column -> codebook field id (null: not a field)
      Part of Implementation: dl_stage
    values:                # per field: spelling -> code id, or null for "no value"
      dl_stage:
        evalution: training
        not mentioned: null

A mapping file is a decision a person made and can review, instead of a guess made in code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from studyapp.errors import InvalidInput
from studyapp.readers.sheets import Table, read_table_file
from studyapp.readers.text import decode_text, read_bytes

INDEX_HEADER = re.compile(r"^(unnamed: ?\d+(_level_\d+)?|index)?$", re.IGNORECASE)
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")


@dataclass(frozen=True)
class Sheet:
    """`rows[i]` maps column name -> cell text (None = empty); `lines[i]` is where row i is in the file."""
    path: str
    columns: list[str]
    rows: list[dict[str, str | None]]
    lines: list[int]
    index_columns: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:
            return None
        value = repr(int(value)) if value.is_integer() else repr(value)
    text = str(value)
    if not text.strip() or text.strip().casefold() == "nan":
        return None
    return text


def read_sheet(path: str | Path) -> Sheet:
    """Read a CSV/TSV or XLSX sheet whose first row is the header."""
    p = Path(path)
    if not p.is_file():
        raise InvalidInput("no such file", path=str(p))
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput(f"cannot read {suffix or 'a file without suffix'}: use .csv, .tsv or .xlsx",
                           path=str(p))
    return sheet_from_table(read_table_file(p), str(p))


def sheet_from_table(table: Table, path: str) -> Sheet:
    """A `Sheet` (named cells, None = empty) from a table read by `readers.sheets`."""
    header, rows, lines = table.header, table.rows, table.lines
    p = path
    if not header:
        raise InvalidInput("the file is empty (no header row)", path=str(p), line=1)
    header = [h.strip() for h in header]
    seen: dict[str, int] = {}
    index_cols: list[str] = []
    names: list[str] = []
    for i, h in enumerate(header):
        if not h or (i == 0 and INDEX_HEADER.match(h)):
            h = h or f"Unnamed: {i}"
            index_cols.append(h)
        elif h.casefold() in seen:
            raise InvalidInput(f"column {h!r} appears twice in the header", path=str(p), line=1)
        seen[h.casefold()] = i
        names.append(h)
    out: list[dict[str, str | None]] = []
    kept_lines: list[int] = []
    for cells, line in zip(rows, lines):
        if len(cells) > len(names) and any(_cell(c) for c in cells[len(names):]):
            raise InvalidInput(f"the row has {len(cells)} cells but the header has {len(names)} columns",
                               path=str(p), line=line)
        cells = list(cells) + [None] * (len(names) - len(cells))
        row = {n: _cell(c) for n, c in zip(names, cells) if n not in index_cols}
        if any(v is not None for v in row.values()):
            out.append(row)
            kept_lines.append(line)
    return Sheet(path=str(p), columns=[n for n in names if n not in index_cols], rows=out, lines=kept_lines,
                 index_columns=index_cols)


# --- mapping files --------------------------------------------------------------------------------

@dataclass(frozen=True)
class LabelMap:
    """Reviewed decisions: `columns` column -> field id (None = not a field); `values[field][folded
    spelling]` -> code id (None = no value)."""
    columns: dict[str, str | None] = field(default_factory=dict)
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)
    path: str | None = None


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


def read_label_map(path: str | Path) -> LabelMap:
    """Read a mapping file (see the module docstring); mistakes name the file and the key."""
    p = Path(path)
    if not p.is_file():
        raise InvalidInput("no such mapping file", path=str(p))
    try:
        doc = yaml.safe_load(decode_text(read_bytes(p), str(p), strict=True)) or {}
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise InvalidInput(f"not valid YAML: {e.problem or e.context}", path=str(p),
                           line=mark.line + 1 if mark else None) from None
    if not isinstance(doc, dict) or set(doc) - {"columns", "values"}:
        raise InvalidInput("a mapping file is a mapping with 'columns' and/or 'values'", path=str(p))
    columns = doc.get("columns") or {}
    values = doc.get("values") or {}
    if not isinstance(columns, dict) or not all(v is None or isinstance(v, str) for v in columns.values()):
        raise InvalidInput("'columns' must map column names to field ids (or null)", path=str(p))
    if not isinstance(values, dict):
        raise InvalidInput("'values' must map field ids to {spelling: code id}", path=str(p))
    out: dict[str, dict[str, str | None]] = {}
    for fid, spellings in values.items():
        if not isinstance(spellings, dict):
            raise InvalidInput(f"values.{fid} must map spellings to code ids (or null)", path=str(p))
        out[str(fid)] = {fold(k): (None if v is None else str(v)) for k, v in spellings.items()}
    return LabelMap(columns={str(k).strip(): v for k, v in columns.items()}, values=out, path=str(p))
