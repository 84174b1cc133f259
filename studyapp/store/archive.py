"""The SQL of moving whole studies: online backups, and dumping/loading every table for archives.

Tables are discovered from `sqlite_master`, never listed by hand, so the tables a feature adds in its
own schema module travel with the study without any change here. Virtual tables are skipped (their
shadow tables are ordinary tables and travel instead); `sqlite_sequence` travels as a dict. Each
table is dumped with its hidden rowid when it has one, so ids, and the order of rows, survive a
round trip exactly.

Loading happens into a new file that nobody else sees yet: `StudyLoader` applies exactly the
migrations the archive's study had, replaces every table's rows with the archive's (foreign keys
checked once at the end, triggers set aside while rows go in), then recounts the tables the
triggers keep (agreement counts and coincidence pairs) from the loaded annotations, so an archive
cannot bring in derived numbers that disagree with its values; all in one transaction. The caller
then opens it as a `Store`, which applies any newer migrations the usual way.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from sqlite_utils import Database

from studyapp.errors import StudyError
from studyapp.store import migrations as schema
from studyapp.store.annotations import recount_kept

MIGRATIONS_TABLE = "_sqlite_migrations"
_ROWID_NAMES = {"rowid", "_rowid_", "oid"}
BATCH = 2_000  # rows stored with one executemany


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class TableSpec:
    """A table as dumped: its name, its ordinary columns in order, and whether the rowid goes too."""
    name: str
    columns: tuple[str, ...]
    rowid: bool

    def as_dict(self) -> dict:
        return {"columns": list(self.columns), "rowid": self.rowid}


def tables(conn: sqlite3.Connection) -> list[TableSpec]:
    """Every table a study holds (features' tables and the migrations record included), by name."""
    out = []
    for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        if name.startswith("sqlite_") or re.match(r"\s*CREATE\s+VIRTUAL\s", sql or "", re.IGNORECASE):
            continue
        cols = tuple(r[1] for r in conn.execute(f"PRAGMA table_info({quote(name)})"))
        without_rowid = bool(re.search(r"\bWITHOUT\s+ROWID\b", sql or "", re.IGNORECASE))
        out.append(TableSpec(name, cols, not without_rowid and not (_ROWID_NAMES & {c.lower() for c in cols})))
    return out


def rows(conn: sqlite3.Connection, spec: TableSpec) -> Iterator[tuple]:
    """The table's rows in rowid order, the rowid first when `spec.rowid`."""
    cols = ", ".join(quote(c) for c in spec.columns)
    if spec.rowid:
        sql = f"SELECT rowid, {cols} FROM {quote(spec.name)} ORDER BY rowid"
    else:
        sql = f"SELECT {cols} FROM {quote(spec.name)}"
    yield from conn.execute(sql)


def count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {quote(table)}").fetchone()[0])


def sequences(conn: sqlite3.Connection) -> dict[str, int]:
    """AUTOINCREMENT high-water marks (empty when no table uses AUTOINCREMENT)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
        return {}
    return {n: int(s) for n, s in conn.execute("SELECT name, seq FROM sqlite_sequence ORDER BY name")}


def all_rows(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every table's rows (rowid included): what a faithful copy of a study must reproduce."""
    return {spec.name: list(rows(conn, spec)) for spec in tables(conn)}


@contextlib.contextmanager
def read_snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """One read transaction: every table read inside sees the same moment, while other connections
    go on writing (WAL readers never block writers)."""
    if conn.in_transaction:
        raise StudyError("cannot take a snapshot inside a write transaction")
    conn.execute("BEGIN")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        yield
    finally:
        conn.execute("ROLLBACK")


def integrity_check(target: str | Path | sqlite3.Connection) -> list[str]:
    """`PRAGMA integrity_check` (plus foreign keys) on an open connection or on a database file
    opened read-only: [] when the database is sound, else the problems found."""
    conn = target if isinstance(target, sqlite3.Connection) else \
        sqlite3.connect(f"file:{Path(target).resolve()}?mode=ro", uri=True)
    try:
        found = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        found = [] if found == ["ok"] else found
        found += [f"{t} row {rowid} points to a missing row in {parent}"
                  for t, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check").fetchmany(5)]
    finally:
        if conn is not target:
            conn.close()
    return found


def count_in_file(path: str | Path, table: str) -> int:
    """Rows of `table` in a database file, read-only (to report on a backup just made)."""
    conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    try:
        return count(conn, table)
    finally:
        conn.close()


def backup_to(conn: sqlite3.Connection, dest: str | Path) -> int:
    """Copy the database behind `conn` to the new (or empty) file `dest`, made 0600, with SQLite's
    online backup API.

    One step (pages=-1) copies a consistent snapshot; in WAL mode writers go on meanwhile (a
    step-wise backup would restart on every write by another connection and might never finish).
    The copy is switched to a rollback journal so it is one self-contained file. Returns its pages."""
    try:
        os.close(os.open(dest, os.O_WRONLY | os.O_CREAT, 0o600))  # a copy of every coder's values: private
        dst = sqlite3.connect(str(dest))
    except (sqlite3.Error, OSError) as e:
        raise StudyError(f"cannot create the file: {e}", path=str(dest)) from None
    try:
        conn.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE").fetchone()
        pages = int(dst.execute("PRAGMA page_count").fetchone()[0])
    except sqlite3.Error as e:
        raise StudyError(f"the copy failed: {e}", path=str(dest)) from None
    finally:
        dst.close()
    return pages


def known_migrations() -> list[str]:
    """Every migration this studyapp knows, in the order it applies them."""
    return [m.name for m in schema.migrations.pending(Database(memory=True))]


class StudyLoader:
    """Builds a new study file from dumped tables; see the module docstring for the order of things.

    Use: `StudyLoader(path)`, `.create_schema(names)`, then inside `with loader.loading():` call
    `.load(spec, rows)` per table and `.set_sequences(...)`."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.conn = sqlite3.connect(str(self.path), isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL").fetchone()
        self.db = Database(self.conn)

    def close(self) -> None:
        self.conn.close()

    def create_schema(self, names: Iterable[str]) -> None:
        """Apply exactly the named migrations, in this studyapp's order (unknown names are the
        caller's to refuse first). Their record is replaced later by the archive's own rows."""
        wanted = set(names)
        schema.migrations.ensure_migrations_table(self.db)
        for m in schema.migrations.pending(self.db):
            if m.name in wanted:
                with self.db.atomic():
                    m.fn(self.db)

    def tables(self) -> dict[str, TableSpec]:
        return {t.name: t for t in tables(self.conn)}

    @contextlib.contextmanager
    def loading(self) -> Iterator["StudyLoader"]:
        """One transaction for every row; foreign keys are checked once at its end, and triggers
        are set aside so loaded rows do not fire them. The tables they keep are recounted from the
        loaded annotations (`annotations.recount_kept`) unless the archive held them: those stay as
        loaded, for the import to compare with a recount and refuse a forged or damaged archive."""
        conn = self.conn
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("BEGIN IMMEDIATE")
        try:
            triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
            for name, _ in triggers:
                conn.execute(f"DROP TRIGGER {quote(name)}")
            self.loaded: set[str] = set()
            yield self
            recount_kept(conn, skip=self.loaded)
            for _, sql in triggers:
                conn.execute(sql)
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                table, rowid, parent, _ = broken[0]
                raise StudyError(f"{len(broken)} row(s) point to missing rows, e.g. {table} row {rowid}"
                                 f" -> {parent}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
        finally:
            conn.execute("PRAGMA foreign_keys = ON")

    def load(self, spec: TableSpec, data: Iterable[Any]) -> int:
        """Replace the table's rows with `data` (tuples shaped like `rows(spec)`); returns the count."""
        cols = (["rowid"] if spec.rowid else []) + [quote(c) for c in spec.columns]
        sql = (f"INSERT INTO {quote(spec.name)} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})")
        self.conn.execute(f"DELETE FROM {quote(spec.name)}")
        getattr(self, "loaded", set()).add(spec.name)
        n, batch = 0, []
        for row in data:
            batch.append(row)
            if len(batch) >= BATCH:
                self.conn.executemany(sql, batch)
                n, batch = n + len(batch), []
        if batch:
            self.conn.executemany(sql, batch)
            n += len(batch)
        return n

    def set_sequences(self, seqs: dict[str, int]) -> None:
        for name, seq in seqs.items():
            if self.conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = ?", (seq, name)).rowcount == 0:
                self.conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (name, seq))

    def count(self, table: str) -> int:
        return count(self.conn, table)
