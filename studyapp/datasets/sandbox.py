"""Read-only, untrusted access to an external dataset file (a PeaTMOSS-schema SQLite database).

A dataset is somebody else's file: it may be 7 GB, it may be corrupt, it may hold views written to
run for ever or to call functions with side effects. Every query therefore passes these layers,
each of which would stop a hostile file on its own:

1. a `file:...?mode=ro&immutable=1` URI connection: SQLite itself refuses to write, and touches no
   file but the database (a WAL-mode file gets no `-wal`/`-shm`; a file whose `-wal` or journal
   holds changes not yet in it is refused, since reading it would mean writing beside it);
2. `PRAGMA query_only = ON`: any statement that would change the file is refused;
3. `PRAGMA trusted_schema = OFF`: views and triggers in the file cannot call risky functions;
4. `setlimit`: no attached databases, values of at most `max_value_bytes`, short LIKE/GLOB patterns,
   a bounded query text and result width;
5. a text check: one statement, starting with SELECT or WITH;
6. a deny-by-default authorizer: reads, selects, recursive CTEs, the json_each/json_tree table
   functions and an allowlist of pure functions;
7. a time limit, kept by a progress handler and by a watchdog thread that interrupts the connection
   (`watchdog.py`); the built-ins whose single call could outrun both (instr, replace, trim with a
   character set) are replaced by linear versions (`sandbox_functions.py`);
8. a row cap (a result says when it was truncated: `QueryResult.truncated`) and a byte cap (a
   result larger than `max_result_bytes` is refused: `QueryTooLarge`).

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

from studyapp.datasets import sandbox_functions
from studyapp.datasets.watchdog import Watchdog
from studyapp.errors import StudyError

DEFAULT_TIME_LIMIT = 30.0
DEFAULT_ROW_CAP = 100_000
#: The largest string or blob a query may read or make (GitHub bodies are at most 65,536 characters).
DEFAULT_MAX_VALUE_BYTES = 4 * 2 ** 20
#: The most bytes (text and blobs, 8 per number) a result may hold in memory.
DEFAULT_MAX_RESULT_BYTES = 256 * 2 ** 20
#: Other limits: LIKE/GLOB pattern length (their matcher is O(text x pattern)), query text, result columns.
MAX_PATTERN = 200
MAX_SQL_BYTES = 1 * 2 ** 20
MAX_COLUMNS = 250
PROGRESS_EVERY = 20_000
SQLITE_HEADER = b"SQLite format 3\x00"
#: Table-valued functions a query may use: their virtual tables are set up once, before the authorizer.
TABLE_FUNCTIONS = ("json_each", "json_tree")


class DatasetError(StudyError):
    """A dataset file that cannot be opened or read as a SQLite database."""


class QueryRefused(DatasetError):
    """A query the sandbox does not run: writes, ATTACH, PRAGMA, risky functions, several statements."""


class QueryTimeout(DatasetError):
    """A query stopped by the time limit."""


class QueryTooLarge(DatasetError):
    """A query whose result, or one of whose values, is larger than the sandbox holds."""


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

    def __init__(self, path: str | Path, *, time_limit: float = DEFAULT_TIME_LIMIT, row_cap: int = DEFAULT_ROW_CAP,
                 max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES, max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES):
        self.path = Path(path)
        self.time_limit = float(time_limit)
        self.row_cap = int(row_cap)
        self.max_value_bytes = int(max_value_bytes)
        self.max_result_bytes = int(max_result_bytes)
        self._deadline: float | None = None
        self._limit_now = self.time_limit
        self._introspecting = False
        self._denied: str | None = None
        self._too_big = False
        self._sql = ""
        self.conn = _connect(self.path, self.max_value_bytes)
        sandbox_functions.install(self.conn, self.max_value_bytes, self._value_too_big)
        self.conn.set_authorizer(self._authorize)
        self.conn.set_progress_handler(self._progress, PROGRESS_EVERY)
        self._watchdog = Watchdog(self.conn)

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

    def _value_too_big(self) -> None:
        self._too_big = True

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
        self._denied, self._too_big, self._sql = None, False, sql
        self._limit_now = limit
        start = time.monotonic()
        self._deadline = start + limit
        self._watchdog.arm(limit)
        cur = None
        try:
            cur = self.conn.execute(sql, params)
            rows: list[tuple] = []
            size, truncated = 0, False
            for row in cur:  # one row at a time: the byte cap is checked before the next is made
                if len(rows) == cap:
                    truncated = True
                    break
                size += sum(len(v) if isinstance(v, (str, bytes)) else 8 for v in row)
                if size > self.max_result_bytes:
                    raise QueryTooLarge(f"the result is larger than {_mib(self.max_result_bytes)} (after "
                                        f"{len(rows):,} rows); select fewer rows or shorter columns",
                                        path=str(self.path))
                rows.append(row)
            cols = tuple(d[0] for d in cur.description or ())
        except (sqlite3.Error, sqlite3.Warning) as e:
            raise self._translate(e) from None
        finally:
            if cur is not None:
                cur.close()
            self._watchdog.disarm()
            self._deadline = None
        return QueryResult(sql, params, cols, rows, truncated, time.monotonic() - start)

    def _translate(self, e: Exception) -> DatasetError:
        msg = str(e)
        if self._denied and self._denied.startswith("UPDATE on sqlite_master") \
                and not re.search(r"\bUPDATE\b", self._sql, re.IGNORECASE):
            return QueryRefused("refused: a table-valued function or virtual table other than "
                                f"{' and '.join(TABLE_FUNCTIONS)} (pragma_*, dbstat... are not allowed)",
                                path=str(self.path))
        if self._denied or "not authorized" in msg or "prohibited" in msg:
            what = self._denied or msg
            return QueryRefused(f"refused: {what}", path=str(self.path))
        if self._too_big or "too big" in msg:
            return QueryTooLarge(f"a value would be larger than {_mib(self.max_value_bytes)}, the most a dataset "
                                 "value may have", path=str(self.path))
        if "pattern too complex" in msg:
            return QueryRefused(f"refused: a LIKE or GLOB pattern longer than {MAX_PATTERN} characters",
                                path=str(self.path))
        if "too many columns" in msg:
            return QueryRefused(f"refused: more than {MAX_COLUMNS} columns", path=str(self.path))
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
        self._watchdog.close()
        self.conn.close()

    def __enter__(self) -> "Dataset":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def quote_ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _mib(n: int) -> str:
    return f"{n / 2 ** 20:g} MiB" if n >= 2 ** 20 else f"{n:,} bytes"


def _check_side_files(path: Path) -> None:
    """Refuse a file whose write-ahead log or rollback journal holds changes not yet in it: reading
    those needs SQLite to write beside the file (the -shm index, or rolling the journal back)."""
    for suffix, what in (("-wal", "a write-ahead log"), ("-journal", "a rollback journal")):
        side = path.with_name(path.name + suffix)
        try:
            if side.is_file() and side.stat().st_size > 0:
                raise DatasetError(f"{side.name} beside it holds {what} with changes not yet in the database "
                                   "(is it open in another program?); close that program or checkpoint the "
                                   "database (sqlite3 FILE 'PRAGMA wal_checkpoint(TRUNCATE)'), or work on a copy",
                                   path=str(path))
        except OSError:
            continue


def _connect(path: Path, max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES) -> sqlite3.Connection:
    if not path.is_file():
        raise DatasetError("no such dataset file", path=str(path))
    with path.open("rb") as fh:
        if fh.read(16) != SQLITE_HEADER:
            raise DatasetError("not a SQLite database (the file does not start with the SQLite header)",
                               path=str(path))
    _check_side_files(path)
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA cell_size_check = ON")
        conn.execute("PRAGMA mmap_size = 0")
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_value_bytes)
        conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, MAX_PATTERN)
        conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)
        conn.setlimit(sqlite3.SQLITE_LIMIT_COLUMN, MAX_COLUMNS)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        for fn in TABLE_FUNCTIONS:  # their virtual tables are made on first use, which the authorizer would deny
            conn.execute(f"SELECT count(*) FROM {fn}('[]')").fetchone()
    except sqlite3.Error as e:
        raise DatasetError(f"cannot open the dataset read-only: {e}", path=str(path)) from None
    return conn


def open_dataset(path: str | Path, *, time_limit: float = DEFAULT_TIME_LIMIT, row_cap: int = DEFAULT_ROW_CAP,
                 **limits: int) -> Dataset:
    """Open `path` read-only and untrusted (see the module docstring for the layers); `limits`:
    `max_value_bytes`, `max_result_bytes`."""
    return Dataset(path, time_limit=time_limit, row_cap=row_cap, **limits)
