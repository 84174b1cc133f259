"""The dataset sandbox: a hostile file that tries to write, attach another file or run for ever is
stopped with a clear error, each by more than one layer."""

from __future__ import annotations

import sqlite3

import pytest

from studyapp.datasets.sandbox import (
    DatasetError,
    QueryRefused,
    QueryTimeout,
    check_query_text,
    first_keyword,
    open_dataset,
)


@pytest.fixture
def hostile(tmp_path):
    """A dataset whose views try to run for ever and to load an extension."""
    path = tmp_path / "hostile.db"
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE t (a INTEGER)")
    c.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(250)])
    c.execute("CREATE VIEW forever AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)"
              " SELECT count(*) FROM c")
    c.execute("CREATE VIEW loader AS SELECT load_extension('/tmp/evil.so') AS x")
    c.commit()
    c.close()
    return path


def _rows(path):
    c = sqlite3.connect(path)
    try:
        return c.execute("SELECT count(*) FROM t").fetchone()[0], \
            [r[0] for r in c.execute("SELECT name FROM sqlite_master")]
    finally:
        c.close()


def test_reads_and_caps_rows_with_a_truncated_flag(hostile):
    with open_dataset(hostile) as ds:
        full = ds.query("SELECT a FROM t ORDER BY a")
        assert len(full.rows) == 250 and not full.truncated and full.columns == ("a",)
        capped = ds.query("SELECT a FROM t", row_cap=100)
        assert len(capped.rows) == 100 and capped.truncated
        assert ds.query("WITH x AS (SELECT max(a) m FROM t) SELECT m FROM x").rows == [(249,)]
        assert ds.tables() == ["t"] and ds.columns("t") == ["a"] and ds.count("t") == 250


@pytest.mark.parametrize("sql", [
    "INSERT INTO t VALUES (1)",
    "UPDATE t SET a = 0",
    "DELETE FROM t",
    "DROP TABLE t",
    "CREATE TABLE x (a)",
    "WITH x AS (SELECT 1) DELETE FROM t",
    "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x",
    "PRAGMA query_only = 0",
    "SELECT 1; DELETE FROM t",
])
def test_writes_are_refused_and_the_file_is_unchanged(hostile, sql):
    before = _rows(hostile)
    with open_dataset(hostile) as ds, pytest.raises(QueryRefused) as e:
        ds.query(sql)
    assert "refused" in str(e.value) or "only SELECT or WITH" in str(e.value)
    assert _rows(hostile) == before


def test_the_authorizer_alone_refuses_writes_and_transactions(hostile):
    """Below the text check: a statement that slipped past it is still denied, by action."""
    with open_dataset(hostile) as ds:
        for sql, what in (("INSERT INTO t VALUES (1)", "INSERT on t"), ("BEGIN", "TRANSACTION"),
                          ("CREATE TABLE z (a)", "sqlite_master")):
            with pytest.raises(QueryRefused, match=what):
                ds._run(sql, (), 10, 5.0)


def test_attach_is_stopped(hostile, tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).close()
    with open_dataset(hostile) as ds:
        with pytest.raises(QueryRefused, match="only SELECT or WITH"):
            ds.query(f"ATTACH DATABASE '{other}' AS o")
        with pytest.raises(QueryRefused, match="ATTACH"):
            ds._run(f"ATTACH DATABASE '{other}' AS o", (), 10, 5.0)
        with pytest.raises(sqlite3.Error):  # and SQLite's own attach limit is 0
            ds.conn.set_authorizer(None)
            ds.conn.execute(f"ATTACH DATABASE '{other}' AS o")


def test_a_view_that_runs_for_ever_is_stopped_by_the_time_limit(hostile):
    with open_dataset(hostile, time_limit=0.3) as ds:
        with pytest.raises(QueryTimeout, match=r"stopped after 0.3 s"):
            ds.query("SELECT * FROM forever")
        with pytest.raises(QueryTimeout):
            ds.query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c")
        assert ds.query("SELECT count(*) FROM t").rows == [(250,)]  # still usable afterwards


def test_risky_functions_are_refused_in_queries_and_in_the_files_views(hostile):
    with open_dataset(hostile) as ds:
        with pytest.raises(QueryRefused, match=r"load_extension\(\)"):
            ds.query("SELECT load_extension('x')")
        with pytest.raises(QueryRefused, match="untrusted schema"):
            ds.query("SELECT * FROM loader")
        with pytest.raises(QueryRefused, match="PRAGMA|pragma_"):
            ds.query("SELECT * FROM pragma_table_info('t')")


def test_the_file_is_opened_read_only(hostile):
    with open_dataset(hostile) as ds:
        ds.conn.set_authorizer(None)
        with pytest.raises(sqlite3.OperationalError, match="readonly|read-only|query_only"):
            ds.conn.execute("INSERT INTO t VALUES (1)")
        assert ds.conn.execute("PRAGMA trusted_schema").fetchone() == (0,)


def test_files_that_are_not_databases(tmp_path):
    with pytest.raises(DatasetError, match="no such dataset file"):
        open_dataset(tmp_path / "missing.db")
    junk = tmp_path / "junk.db"
    junk.write_text("name,downloads\nx,1\n")
    with pytest.raises(DatasetError, match="not a SQLite database"):
        open_dataset(junk)


def test_query_text_check():
    assert first_keyword("  -- note\n /* block */ select 1") == "SELECT"
    assert first_keyword("") == ""
    check_query_text("WITH a AS (SELECT 1) SELECT * FROM a")
    with pytest.raises(QueryRefused, match="'VACUUM'"):
        check_query_text("/* */ VACUUM")
