"""Read-only, untrusted access to an external dataset file (a PeaTMOSS-schema SQLite database).

A dataset is somebody else's file: it may be 7 GB, it may be corrupt, it may hold views written to
run for ever or to call functions with side effects. Every query therefore passes these layers,
each of which would stop a hostile file on its own:

1. a `file:...?mode=ro` URI connection: SQLite itself refuses to write;
2. `PRAGMA query_only = ON`: any statement that would change the file is refused;
3. `PRAGMA trusted_schema = OFF`: views and triggers in the file cannot call risky functions;
4. `setlimit(SQLITE_LIMIT_ATTACHED, 0)`: no other database file can be attached;
5. a text check: one statement, starting with SELECT or WITH;
6. a deny-by-default authorizer: reads, selects, recursive CTEs and an allowlist of pure functions;
7. a progress handler that interrupts a query after `time_limit` seconds;
8. a row cap: a result says when it was truncated (`QueryResult.truncated`).

Refusals raise `QueryRefused`, time-outs `QueryTimeout` (both `StudyError`s, so the CLI and pages
print them as one clear line). Open one `Dataset` per thread, like the study store.
"""

from __future__ import annotations

import re
import sqlite3
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from studyapp.errors import StudyError

DEFAULT_TIME_LIMIT = 30.0
DEFAULT_ROW_CAP = 100_000
PROGRESS_EVERY = 20_000
SQLITE_HEADER = b"SQLite format 3\x00"


class DatasetError(StudyError):
    """A dataset file that cannot be opened or read as a SQLite database."""


class QueryRefused(DatasetError):
    """A query the sandbox does not run: writes, ATTACH, PRAGMA, risky functions, several statements."""


class QueryTimeout(DatasetError):
    """A query stopped by the time limit."""


#: Functions a dataset query may call: pure, deterministic-enough SQL built-ins. Anything else is refused.
ALLOWED_FUNCTIONS = frozenset("""
abs avg char coalesce count cume_dist date datetime dense_rank first_value format glob group_concat hex
ifnull iif instr julianday lag last_value lead length like likelihood likely lower ltrim max min nth_value
ntile nullif percent_rank printf quote random rank replace round row_number rtrim sign strftime string_agg
substr substring sum time total trim typeof unicode unixepoch unlikely upper zeroblob
json json_array json_array_length json_each json_extract json_group_array json_group_object json_object
json_quote json_tree json_type json_valid
acos acosh asin asinh atan atan2 atanh ceil ceiling cos cosh degrees exp floor ln log log10 log2 mod pi pow
power radians sin sinh sqrt tan tanh trunc
""".split())

#: Read-only pragmas the adapter itself uses for introspection (never reachable from query text).
_INTROSPECTION_PRAGMAS = frozenset({"table_info", "table_xinfo", "index_list", "index_info"})

_ACTION_NAMES = """CREATE_INDEX CREATE_TABLE CREATE_TEMP_INDEX CREATE_TEMP_TABLE CREATE_TEMP_TRIGGER CREATE_TEMP_VIEW
CREATE_TRIGGER CREATE_VIEW DELETE DROP_INDEX DROP_TABLE DROP_TEMP_INDEX DROP_TEMP_TABLE DROP_TEMP_TRIGGER
DROP_TEMP_VIEW DROP_TRIGGER DROP_VIEW INSERT PRAGMA READ SELECT TRANSACTION UPDATE ATTACH DETACH ALTER_TABLE
REINDEX ANALYZE CREATE_VTABLE DROP_VTABLE FUNCTION SAVEPOINT RECURSIVE""".split()
_CODES = {getattr(sqlite3, "SQLITE_" + n): n for n in _ACTION_NAMES if hasattr(sqlite3, "SQLITE_" + n)}
_ALLOWED_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE}
_COMMENT = re.compile(r"\A(\s+|--[^\n]*(\n|\Z)|/\*.*?\*/)", re.DOTALL)
_FIRST_WORD = re.compile(r"\A([A-Za-z]+)")


@dataclass(frozen=True)
class QueryResult:
    """Rows of one query. `truncated` is True when the row cap cut the result short."""
    sql: str
    params: tuple
    columns: tuple[str, ...]
    rows: list[tuple] = field(repr=False)
    truncated: bool
    seconds: float

    def frame(self):
        import pandas as pd

        return pd.DataFrame.from_records(self.rows, columns=list(self.columns))

    def records(self) -> list[dict]:
        return [dict(zip(self.columns, r)) for r in self.rows]


def first_keyword(sql: str) -> str:
    """The statement's first keyword after comments and whitespace, upper-cased ('' if none)."""
    rest = sql
    while True:
        m = _COMMENT.match(rest)
        if not m:
            break
        rest = rest[m.end():]
    m = _FIRST_WORD.match(rest)
    return m.group(1).upper() if m else ""


def check_query_text(sql: str) -> None:
    """Refuse anything but one SELECT/WITH statement (the authorizer checks again, by action)."""
    word = first_keyword(sql)
    if word not in ("SELECT", "WITH"):
        raise QueryRefused(f"only SELECT or WITH queries run on a dataset; this one starts with {word or 'nothing'!r}")


class Dataset:
    """An open dataset file. Use `open_dataset(path)`; close it (or use `with`) when done."""

    def __init__(self, path: str | Path, *, time_limit: float = DEFAULT_TIME_LIMIT, row_cap: int = DEFAULT_ROW_CAP):
        self.path = Path(path)
        self.time_limit = float(time_limit)
        self.row_cap = int(row_cap)
        self._deadline: float | None = None
        self._limit_now = self.time_limit
        self._introspecting = False
        self._denied: str | None = None
        self.conn = _connect(self.path)
        self.conn.set_authorizer(self._authorize)
        self.conn.set_progress_handler(self._progress, PROGRESS_EVERY)

    # -- safety hooks -------------------------------------------------------------------------
    def _authorize(self, action: int, arg1: Any, arg2: Any, db: Any, source: Any) -> int:
        if action in _ALLOWED_ACTIONS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION and str(arg2).lower() in ALLOWED_FUNCTIONS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and self._introspecting and str(arg1).lower() in _INTROSPECTION_PRAGMAS:
            return sqlite3.SQLITE_OK
        name = _CODES.get(action, f"action {action}").replace("_", " ")
        if action == sqlite3.SQLITE_FUNCTION:
            what = f"the function {arg2}()"
        elif action == sqlite3.SQLITE_ATTACH:
            what = "ATTACH (a dataset query cannot open another database file)"
        elif action == sqlite3.SQLITE_PRAGMA:
            what = f"PRAGMA {arg1}"
        else:
            target = next((a for a in (arg1, source) if a), None)
            what = name + (f" on {target}" if target else "") + " (datasets are read-only)"
        self._denied = what
        return sqlite3.SQLITE_DENY

    def _progress(self) -> int:
        return 1 if self._deadline is not None and time.monotonic() > self._deadline else 0

    # -- queries ------------------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] = (), *, row_cap: int | None = None,
              time_limit: float | None = None) -> QueryResult:
        """Run one SELECT/WITH query; at most `row_cap` rows (then `truncated` is True)."""
        try:
            check_query_text(sql)
        except QueryRefused as e:
            raise QueryRefused(e.message, path=str(self.path)) from None
        return self._run(sql, tuple(params), row_cap if row_cap is not None else self.row_cap,
                         time_limit if time_limit is not None else self.time_limit)

    def _run(self, sql: str, params: tuple, cap: int, limit: float) -> QueryResult:
        self._denied = None
        self._limit_now = limit
        start = time.monotonic()
        self._deadline = start + limit
        try:
            cur = self.conn.execute(sql, params)
            rows: list[tuple] = []
            while len(rows) <= cap:
                chunk = cur.fetchmany(min(10_000, cap + 1 - len(rows)))
                if not chunk:
                    break
                rows.extend(chunk)
            truncated = len(rows) > cap
            if truncated:
                del rows[cap:]
            cols = tuple(d[0] for d in cur.description or ())
            cur.close()
        except (sqlite3.Error, sqlite3.Warning) as e:
            raise self._translate(e) from None
        finally:
            self._deadline = None
        return QueryResult(sql, params, cols, rows, truncated, time.monotonic() - start)

    def _translate(self, e: Exception) -> DatasetError:
        msg = str(e)
        if self._denied or "not authorized" in msg or "prohibited" in msg:
            what = self._denied or msg
            return QueryRefused(f"refused: {what}", path=str(self.path))
        if "unsafe use of" in msg:
            return QueryRefused(f"refused: a view or trigger in the dataset makes an {msg} (untrusted schema)",
                                path=str(self.path))
        if "interrupted" in msg:
            return QueryTimeout(f"query stopped after {self._limit_now:g} s (the dataset time limit)",
                                path=str(self.path))
        if "one statement at a time" in msg:
            return QueryRefused("refused: several statements in one query; send one SELECT", path=str(self.path))
        if "readonly" in msg or "read-only" in msg or "query_only" in msg:
            return QueryRefused(f"refused: the dataset is read-only ({msg})", path=str(self.path))
        return DatasetError(f"query failed: {msg}", path=str(self.path))

    def scalar(self, sql: str, params: Sequence[Any] = (), **kw) -> Any:
        res = self.query(sql, params, row_cap=1, **kw)
        return res.rows[0][0] if res.rows else None

    # -- introspection ------------------------------------------------------------------------
    def tables(self) -> list[str]:
        res = self.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", row_cap=100_000)
        return [r[0] for r in res.rows]

    def views(self) -> list[str]:
        res = self.query("SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY name", row_cap=100_000)
        return [r[0] for r in res.rows]

    def columns(self, table: str) -> list[str]:
        """Column names of `table` ([] when there is no such table)."""
        if table not in set(self.tables()) | set(self.views()):
            return []
        self._introspecting = True
        try:
            cur = self.conn.execute(f"PRAGMA table_info({quote_ident(table)})")
            return [r[1] for r in cur.fetchall()]
        except sqlite3.Error as e:
            raise self._translate(e) from None
        finally:
            self._introspecting = False

    def indexed(self, table: str, column: str) -> bool:
        """Whether `column` leads an index of `table` (or is its INTEGER PRIMARY KEY): a lookup by it
        is a probe, not a scan. Metrics pick their SQL by this (some DIST link tables have no index)."""
        if table not in self.tables():
            return False
        self._introspecting = True
        try:
            info = self.conn.execute(f"PRAGMA table_info({quote_ident(table)})").fetchall()
            pks = [r for r in info if r[5]]
            if len(pks) == 1 and pks[0][1] == column and str(pks[0][2]).upper() == "INTEGER":
                return True
            for idx in self.conn.execute(f"PRAGMA index_list({quote_ident(table)})").fetchall():
                cols = self.conn.execute(f"PRAGMA index_info({quote_ident(idx[1])})").fetchall()
                if cols and min(cols)[2] == column:
                    return True
            return False
        except sqlite3.Error as e:
            raise self._translate(e) from None
        finally:
            self._introspecting = False

    def has(self, table: str, *columns: str) -> bool:
        cols = self.columns(table)
        return bool(cols) and all(c in cols for c in columns)

    def count(self, table: str, *, time_limit: float | None = None) -> int:
        return int(self.scalar(f"SELECT count(*) FROM {quote_ident(table)}", time_limit=time_limit))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Dataset":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def quote_ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _connect(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise DatasetError("no such dataset file", path=str(path))
    with path.open("rb") as fh:
        if fh.read(16) != SQLITE_HEADER:
            raise DatasetError("not a SQLite database (the file does not start with the SQLite header)",
                               path=str(path))
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA cell_size_check = ON")
        conn.execute("PRAGMA mmap_size = 0")
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as e:
        raise DatasetError(f"cannot open the dataset read-only: {e}", path=str(path)) from None
    return conn


def open_dataset(path: str | Path, *, time_limit: float = DEFAULT_TIME_LIMIT,
                 row_cap: int = DEFAULT_ROW_CAP) -> Dataset:
    """Open `path` read-only and untrusted (see the module docstring for the layers)."""
    return Dataset(path, time_limit=time_limit, row_cap=row_cap)
