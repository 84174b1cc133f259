"""Values that go into CSV/XLSX exports, made safe from formula injection (CWE-1236).

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by
Excel, LibreOffice and Google Sheets (`=HYPERLINK(...)` from an issue title is the classic). OWASP's
advice is followed: such text cells get a leading apostrophe, which spreadsheets show as text.
Numbers stay numbers (a negative number is not text and is left alone).
"""

from __future__ import annotations

from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def safe_rows(rows):
    """Each row (a list/tuple or a dict) with its text cells neutralised."""
    for row in rows:
        if isinstance(row, dict):
            yield {k: neutralise(v) for k, v in row.items()}
        else:
            yield [neutralise(v) for v in row]


def safe_frame(df):
    """A copy of a pandas DataFrame with text cells (and column names) neutralised."""
    from pandas.api.types import is_numeric_dtype

    out = df.copy()
    for col in out.columns:
        if not is_numeric_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    return out
