"""The one writer of CSV and XLSX output, safe from formula injection (CWE-1236).

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by
Excel, LibreOffice and Google Sheets (`=HYPERLINK(...)` from an issue title is the classic; openpyxl
even stores such a string as a formula). OWASP's advice is followed: such text cells get a leading
apostrophe, which spreadsheets show as text. Numbers stay numbers: a negative number, or a negative
number already written as text ("-0.125", as reports format them), is left alone.

Every CSV or XLSX studyapp writes goes through here (`writer`, `DictWriter`, `csv_text`,
`safe_frame`, `excel_sheet`; `render.tables.to_csv` for tables), so a new export cannot forget it:
a test fails on any other `csv.writer`, `to_csv` or `to_excel` in the code.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NEGATIVE_NUMBER = re.compile(r"-(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NEGATIVE_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_rows(rows):
    """Each row (a list/tuple or a dict) with its text cells neutralised."""
    for row in rows:
        if isinstance(row, dict):
            yield {k: neutralise(v) for k, v in row.items()}
        else:
            yield [neutralise(v) for v in row]


class writer:  # noqa: N801 (a drop-in for csv.writer)
    """`csv.writer` whose rows are neutralised."""

    def __init__(self, fh, **kw):
        self._w = csv.writer(fh, **kw)

    def writerow(self, row: Iterable) -> Any:
        return self._w.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


class DictWriter(csv.DictWriter):
    """`csv.DictWriter` whose header and rows are neutralised."""

    def writeheader(self):
        return self.writer.writerow([neutralise(f) for f in self.fieldnames])

    def writerow(self, rowdict):
        return super().writerow({k: neutralise(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts):
        for r in rowdicts:
            self.writerow(r)


def csv_text(rows: Iterable[Iterable], header: Iterable | None = None) -> str:
    """Rows (and a header) as CSV text, every cell neutralised."""
    buf = io.StringIO()
    w = writer(buf, lineterminator="\n")
    if header is not None:
        w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def safe_frame(df):
    """A copy of a pandas DataFrame with text cells, column names and index labels neutralised."""
    from pandas.api.types import is_numeric_dtype

    out = df.copy()
    for col in out.columns:
        if not is_numeric_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    if not is_numeric_dtype(out.index):
        out.index = out.index.map(neutralise)
    out.index.names = [neutralise(n) for n in out.index.names]
    return out


def excel_sheet(df, xw, sheet_name: str, *, index: bool = False) -> None:
    """Write `df` as one sheet of an open `pandas.ExcelWriter`, neutralised."""
    safe_frame(df).to_excel(xw, sheet_name=sheet_name, index=index)
