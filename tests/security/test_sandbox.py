"""Sandbox attacks on dataset queries: one long function call against the time limit, values and
results too large to hold, a WAL-mode file that must stay untouched, table functions, and the
refusals that held (writes, ATTACH, PRAGMA, load_extension, VACUUM INTO, several statements, the
row cap). Sizes are the issue's where a run is cheap once fixed; on the code as found, the long
calls ran for tens of seconds."""

from __future__ import annotations

import hashlib
import sqlite3
import time

import pytest

from studyapp.datasets import sandbox
from studyapp.datasets.sandbox import DatasetError, QueryRefused, QueryTimeout, open_dataset


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "d.db"
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE t (a INTEGER, s TEXT)")
    c.executemany("INSERT INTO t VALUES (?, ?)", [(i, f"row {i}") for i in range(300)])
    c.commit()
    c.close()
    return path


def _fingerprint(path):
    side = sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name))
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns, side


def _bounded(ds, sql, limit):
    """Run `sql`; return (result or the error, seconds). A query may time out, never outrun its limit."""
    t0 = time.monotonic()
    try:
        out = ds.query(sql).rows
    except QueryTimeout as e:
        out = e
    return out, time.monotonic() - t0


LONG_CALLS = {
    "instr of 4M and 200k characters (the issue's)":
        ("SELECT instr(printf('%.*c', 4000000, 'a'), printf('%.*c', 200000, 'a') || 'b')", [(0,)]),
    "replace with a 200k pattern": ("SELECT length(replace(printf('%.*c', 4000000, 'a'), "
                                    "printf('%.*c', 200000, 'a') || 'b', 'x'))", [(4000000,)]),
    "trim with a 100k character set": ("SELECT length(trim(printf('%.*c', 100000, 'a'), "
                                       "printf('%.*c', 100000, 'b') || 'a'))", [(0,)]),
}


@pytest.mark.parametrize("case", list(LONG_CALLS))
def test_one_long_function_call_does_not_outrun_the_time_limit(db, case):
    sql, expected = LONG_CALLS[case]
    with open_dataset(db, time_limit=1.0) as ds:
        out, seconds = _bounded(ds, sql, 1.0)
        assert seconds < 6, f"{case} ran {seconds:.1f} s against a 1 s limit"
        assert isinstance(out, QueryTimeout) or out == expected


def test_the_linear_functions_give_sqlites_results(db):
    with open_dataset(db) as ds:
        row = ds.query("SELECT instr('hello', 'l'), instr(x'010203', x'03'), instr(12345, 34), instr(NULL, 'a'),"
                       " instr('héllo', 'llo'), replace('abcb', 'b', 'xx'), replace('abc', '', 'x'),"
                       " replace(NULL, 'a', 'b'), trim('xxhixx', 'x'), ltrim('xxhi', 'x'), rtrim('hixx', 'x'),"
                       " trim('  hi  '), instr(1.5, '.'), replace(2.0, '.', ',')").rows[0]
    assert row == (3, 3, 3, None, 3, "axxcxx", "abc", None, "hi", "hi", "hi", "hi", 2, "2,0")


def test_the_watchdog_stops_a_query_the_progress_handler_does_not_see(db, monkeypatch):
    """With the progress handler practically off, the watchdog thread still interrupts on time."""
    monkeypatch.setattr(sandbox, "PROGRESS_EVERY", 2_000_000_000)
    sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) SELECT max(x) FROM c"
    with open_dataset(db, time_limit=0.3) as ds:
        t0 = time.monotonic()
        with pytest.raises(QueryTimeout, match="stopped after 0.3 s"):
            ds.query(sql)
        assert time.monotonic() - t0 < 5
        assert ds.query("SELECT count(*) FROM t").rows == [(300,)]  # still usable afterwards


@pytest.mark.parametrize("sql", ["SELECT length(zeroblob(8388608))", "SELECT length(hex(zeroblob(3000000)))",
                                 "SELECT length(group_concat(x)) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL"
                                 " SELECT x + 1 FROM c WHERE x < 2000000) SELECT x FROM c)",
                                 "SELECT length(replace(printf('%.*c', 1000000, 'a'), 'a', printf('%.*c', 100, 'b')))"],
                         ids=["zeroblob", "hex", "group_concat", "replace"])
def test_values_larger_than_the_limit_are_refused(db, sql):
    with open_dataset(db) as ds, pytest.raises(DatasetError, match=r"larger than 4 MiB"):
        ds.query(sql)


def test_printf_beyond_the_value_limit_gives_null_not_memory(db):
    with open_dataset(db) as ds:
        assert ds.query("SELECT printf('%.*c', 5000000, 'a')").rows == [(None,)]


def test_a_result_larger_than_the_byte_cap_is_refused_before_it_is_held(db):
    """The issue's case: 8 rows of 275 MB; here 300 rows of 100 KB against a 1 MiB cap."""
    with open_dataset(db, max_result_bytes=2 ** 20) as ds:
        with pytest.raises(DatasetError, match=r"result is larger than 1 MiB \(after 10 rows\)"):
            ds.query("SELECT zeroblob(100000) FROM t")
        assert len(ds.query("SELECT zeroblob(1000) FROM t").rows) == 300


def test_long_like_patterns_are_refused(db):
    with open_dataset(db) as ds:
        assert ds.query("SELECT count(*) FROM t WHERE s LIKE '%row 1%'").rows == [(111,)]
        with pytest.raises(QueryRefused, match="LIKE or GLOB pattern longer than 200"):
            ds.query("SELECT printf('%.*c', 1000000, 'a') LIKE '%' || printf('%.*c', 1000, 'a') || 'b'")


def test_a_wal_mode_dataset_is_read_without_creating_or_changing_side_files(tmp_path):
    path = tmp_path / "wal.db"
    c = sqlite3.connect(path)
    c.execute("PRAGMA journal_mode = WAL")
    c.execute("CREATE TABLE t (a)")
    c.execute("INSERT INTO t VALUES (1)")
    c.commit()
    c.close()
    before = _fingerprint(path)
    assert before[2] == ["wal.db"]
    with open_dataset(path) as ds:
        assert ds.query("SELECT a FROM t").rows == [(1,)]
        assert _fingerprint(path) == before
    assert _fingerprint(path) == before


def test_a_dataset_with_changes_in_its_wal_is_refused_and_left_as_it_is(tmp_path):
    path = tmp_path / "hot.db"
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("CREATE TABLE t (a)")
    writer.execute("INSERT INTO t VALUES (1)")
    writer.commit()
    try:
        side = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
        with pytest.raises(DatasetError, match=r"hot.db-wal beside it holds a write-ahead log"):
            open_dataset(path)
        assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == side
    finally:
        writer.close()


def test_json_each_is_allowed_and_other_table_functions_refused_with_what_they_are(db):
    with open_dataset(db) as ds:
        assert ds.query("SELECT value FROM json_each('[1, 2, 3]')").rows == [(1,), (2,), (3,)]
        assert ds.query("SELECT count(*) FROM json_tree('{\"a\": [1, 2]}')").rows == [(4,)]
        with pytest.raises(QueryRefused) as e:
            ds.query("SELECT * FROM pragma_table_info('t')")
        assert "sqlite_master" not in str(e.value) and "table-valued function" in str(e.value)


HELD = ["INSERT INTO t VALUES (1, 'x')", "UPDATE t SET a = 0", "DELETE FROM t", "DROP TABLE t", "CREATE TABLE x (a)",
        "WITH x AS (SELECT 1) DELETE FROM t", "WITH x AS (SELECT 1) UPDATE t SET a = 1",
        "ATTACH DATABASE 'other.db' AS o", "PRAGMA writable_schema = 1", "SELECT load_extension('x')",
        "VACUUM INTO 'copy.db'", "SELECT 1; DELETE FROM t", "SELECT readfile('/etc/passwd')",
        "SELECT * FROM sqlite_dbpage", "WITH x AS (SELECT 1) INSERT INTO t SELECT 1, 'x'"]


@pytest.mark.parametrize("sql", HELD)
def test_what_held_still_holds(db, sql, tmp_path):
    before = _fingerprint(db)
    with open_dataset(db) as ds, pytest.raises(DatasetError):
        ds.query(sql)
    assert _fingerprint(db) == before and not (tmp_path / "copy.db").exists()


def test_the_row_cap_still_truncates(db):
    with open_dataset(db) as ds:
        res = ds.query("SELECT a FROM t", row_cap=100)
        assert len(res.rows) == 100 and res.truncated
        assert not ds.query("SELECT a FROM t", row_cap=300).truncated
        assert ds.query("SELECT a FROM t", row_cap=299).truncated  # one row more than the cap
