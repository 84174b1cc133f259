"""The one reader of tables: CSV, TSV (and tab-delimited .txt) and XLSX, as rows of cells with the
line each row starts on, so every later message can name `file:line`.

Text is decoded by `readers.text` (the one decode rule). The delimiter is the one given, else tab
for `.tsv`/`.tab`, else whichever of tab, semicolon and comma the header line holds most. Quoting
follows RFC 4180 unless `quoting=False` (Web of Science's tab-delimited export writes a bare `"`
inside titles and must be read with quoting off).

A row that cannot be read (a quote the csv module cannot close, more cells than the header) is a
`RowProblem` with its line and reason. By default the first one stops reading (`InvalidInput`);
with `tolerant=True` it is kept in `Table.problems` and reading goes on, so an import can report
the bad record and offer the rest. Blank rows are skipped. XLSX cells keep their Python values
(numbers, dates); CSV cells are text.
"""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from studyapp.errors import InvalidInput
from studyapp.readers.text import decode, read_bytes

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
TAB_SUFFIXES = (".tsv", ".tab")
SUFFIXES = (".csv", ".tsv", ".tab", ".txt", *EXCEL_SUFFIXES)
MAX_PROBLEMS = 1000
csv.field_size_limit(64 * 1024 * 1024)  # an abstract or issue body may exceed csv's 128 KB default


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str


@dataclass
class Table:
    """`header` and `rows` (lists of cells, not padded); `lines[i]` is where row i starts."""

    path: str
    header: list[Any]
    rows: list[list[Any]]
    lines: list[int]
    format: str
    delimiter: str | None = None
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    header_line: int = 1


def sniff_delimiter(first_line: str, suffix: str = "") -> str:
    if suffix in TAB_SUFFIXES:
        return "\t"
    counts = {d: first_line.count(d) for d in ("\t", ";", ",")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _physical(text: str) -> list[str]:
    return text.splitlines(keepends=True) or [""]


def _records(lines: list[str], delimiter: str, quoting: bool) -> Iterator[tuple[int, list[str] | None, str]]:
    """(first line, cells or None, error) for every record. After a record the csv module cannot read,
    reading starts again on the line after that record's first line, so that an unclosed quote
    costs one record, not the rest of the file."""
    pos = 0
    while pos < len(lines):
        reader = csv.reader(itertools.islice(lines, pos, None), delimiter=delimiter, strict=quoting,
                            quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE)
        done = 0
        try:
            for row in reader:
                yield pos + done + 1, row, ""
                done = reader.line_num
            return
        except csv.Error as e:
            yield pos + done + 1, None, str(e)
            pos += done + 1


def parse_csv_text(text: str, name: str, *, delimiter: str | None = None, quoting: bool = True,
                   tolerant: bool = False, fmt: str = "csv") -> Table:
    """A table from decoded CSV/TSV text (see the module docstring)."""
    lines = _physical(text)
    first = next((ln for ln in lines if ln.strip()), "")
    delim = delimiter or sniff_delimiter(first.lstrip("\ufeff"), Path(name).suffix.lower())
    header: list[str] | None = None
    header_line = 1
    rows: list[list[Any]] = []
    starts: list[int] = []
    problems: list[RowProblem] = []
    for line, cells, error in _records(lines, delim, quoting):
        if len(problems) > MAX_PROBLEMS:
            raise InvalidInput(f"more than {MAX_PROBLEMS} rows cannot be read: is this a {fmt.upper()} file?",
                               path=name, line=line)
        if cells is None:
            problem = RowProblem(line, f"not valid CSV: {error}")
            if not tolerant or header is None:
                raise InvalidInput(problem.reason, path=name, line=line)
            problems.append(problem)
            continue
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header, header_line = [c.lstrip("\ufeff") if i == 0 else c for i, c in enumerate(cells)], line
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            problem = RowProblem(line, f"this row has {len(cells)} cells but the header has {len(header)}"
                                 " (a stray delimiter or quote?)")
            if not tolerant:
                raise InvalidInput(problem.reason, path=name, line=line)
            problems.append(problem)
            continue
        rows.append(cells[:len(header)] if len(cells) > len(header) else cells)
        starts.append(line)
    return Table(name, header or [], rows, starts, fmt, delim, problems=problems, header_line=header_line)


def read_xlsx(data: bytes, name: str) -> Table:
    import pandas as pd

    try:
        df = pd.read_excel(io.BytesIO(data), sheet_name=0, header=None, dtype=object, engine="openpyxl")
    except Exception as e:  # openpyxl raises many types for a broken workbook
        raise InvalidInput(f"not a readable XLSX workbook: {_first_line(e)}", path=name) from None
    if df.empty:
        return Table(name, [], [], [], "xlsx")
    values = df.where(df.notna(), None).values.tolist()
    keep = [(i + 1, row) for i, row in enumerate(values) if any(v is not None and str(v).strip() for v in row)]
    if not keep:
        return Table(name, [], [], [], "xlsx")
    (hline, header), body = keep[0], keep[1:]
    return Table(name, ["" if h is None else str(h) for h in header], [r for _, r in body], [n for n, _ in body],
                 "xlsx", header_line=hline)


def read_table(data: bytes, name: str, *, delimiter: str | None = None, quoting: bool = True,
               tolerant: bool = False) -> Table:
    """A CSV/TSV/XLSX file's table from its bytes; `name` gives the suffix and is used in messages."""
    suffix = Path(name).suffix.lower()
    if suffix in EXCEL_SUFFIXES or data[:4] == b"PK\x03\x04":
        return read_xlsx(data, name)
    decoded = decode(data, name)
    table = parse_csv_text(decoded.text, name, delimiter=delimiter, quoting=quoting, tolerant=tolerant,
                           fmt="tsv" if suffix in TAB_SUFFIXES else "csv")
    table.encoding = decoded.encoding
    if decoded.note:
        table.notes.append(decoded.note)
    return table


def read_table_file(path: str | Path, **options) -> Table:
    return read_table(read_bytes(path), str(path), **options)


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
