"""Linear-time stand-ins for the SQL built-ins whose one call can take quadratic time.

Why: SQLite checks for an interrupt (the time limit's watchdog, the progress handler) only between
the steps of its virtual machine, never inside one function call. `instr(X, Y)`, `replace(X, Y, Z)`
and the two-argument `trim/ltrim/rtrim(X, Y)` compare every position of X with all of Y, so one call
on two long strings runs for minutes (`instr(printf('%.*c', 4e6, 'a'), printf('%.*c', 2e5, 'a') || 'b')`
took 20 s against a 2 s limit). Python's `str.find`/`str.replace` use a two-way search (linear), and a
set makes trimming linear; the results are SQLite's (text positions in characters, blob positions
in bytes, NULL in -> NULL out, numbers as their text). LIKE and GLOB keep SQLite's own matcher,
bounded by a short pattern limit (`SQLITE_LIMIT_LIKE_PATTERN_LENGTH`) instead.

`install(conn, max_bytes, too_big)` registers them on a dataset connection; a result longer than
`max_bytes` calls `too_big()` and raises `ValueError`, which the sandbox reports as a value over its
size limit (SQLite's own functions fail the same way at `SQLITE_LIMIT_LENGTH`).
"""

from __future__ import annotations

import sqlite3
from typing import Any, Callable

#: What a stand-in raises when its result would exceed the dataset's value size limit.
TOO_BIG = "the result would be longer than the dataset value limit"


def _text(v: Any) -> str:
    """A value as SQLite's text conversion gives it (REAL as %!.15g: 1.0, 1.0e+20)."""
    if isinstance(v, str):
        return v
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, float):
        s = "%.15g" % v
        if s in ("inf", "-inf", "nan"):
            return {"inf": "Inf", "-inf": "-Inf", "nan": ""}[s]
        mant, _, exp = s.partition("e")
        if "." not in mant:
            mant += ".0"
        return mant + ("e" + exp if exp else "")
    return str(v)


def _instr(x: Any, y: Any) -> int | None:
    if x is None or y is None:
        return None
    if isinstance(x, bytes) and isinstance(y, bytes):
        return x.find(y) + 1
    return _text(x).find(_text(y)) + 1


def _replace_fn(max_bytes: int, too_big):
    def replace(x: Any, y: Any, z: Any) -> str | None:
        if x is None or y is None or z is None:
            return None
        xs, ys, zs = _text(x), _text(y), _text(z)
        if not ys:
            return xs
        grow = len(zs.encode("utf-8")) - len(ys.encode("utf-8"))
        if grow > 0 and len(xs.encode("utf-8")) + xs.count(ys) * grow > max_bytes:
            too_big()
            raise ValueError(TOO_BIG)
        return xs.replace(ys, zs)
    return replace


def _trim_fn(left: bool, right: bool):
    def trim(x: Any, y: Any) -> str | None:
        if x is None or y is None:
            return None
        xs, chars = _text(x), set(_text(y))
        start, end = 0, len(xs)
        if left:
            while start < end and xs[start] in chars:
                start += 1
        if right:
            while end > start and xs[end - 1] in chars:
                end -= 1
        return xs[start:end]
    return trim


def install(conn: sqlite3.Connection, max_bytes: int, too_big: Callable[[], None] = lambda: None) -> None:
    """Replace the quadratic built-ins on `conn` with the linear versions above; `too_big` is called
    before a result over `max_bytes` is refused."""
    conn.create_function("instr", 2, _instr, deterministic=True)
    conn.create_function("replace", 3, _replace_fn(max_bytes, too_big), deterministic=True)
    conn.create_function("trim", 2, _trim_fn(True, True), deterministic=True)
    conn.create_function("ltrim", 2, _trim_fn(True, False), deterministic=True)
    conn.create_function("rtrim", 2, _trim_fn(False, True), deterministic=True)
