"""The `Store`: one SQLite file per study, one connection owner, transactions that never half-write.

A study is a folder holding `study.db`. Opening sets WAL, foreign keys and a busy timeout and runs
pending migrations. Writes go through `store.transaction()`, which starts `BEGIN IMMEDIATE` so that
several writer processes queue on the busy timeout instead of failing with "database is locked";
sqlite-utils calls inside it nest as savepoints. Open a Store per thread (Streamlit: per rerun):
it is cheap, and a sqlite connection must not be shared across threads.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any, Iterator

from sqlite_utils import Database

from studyapp.errors import NotFound, StudyError
from studyapp.files import create_private, private_dir
from studyapp.store import migrations
from studyapp.store.annotations import Annotations
from studyapp.store.claims import Claims
from studyapp.store.codebooks import Codebooks
from studyapp.store.coders import Coders
from studyapp.store.columns import now
from studyapp.store.defects import DefectUnits
from studyapp.store.finals import Finals
from studyapp.store.guids import Guids
from studyapp.store.history import History
from studyapp.store.memos import Memos
from studyapp.store.papers import Papers
from studyapp.store.rounds import Rounds
from studyapp.store.sets import Sets
from studyapp.store.transcripts import Transcripts
from studyapp.store.units import Imports, Units

DB_NAME = "study.db"
BUSY_TIMEOUT_MS = 30_000


class Store:
    """A study's database. Use `Store.create(dir)` for a new study, `Store.open(dir)` otherwise."""

    def __init__(self, folder: Path, db: Database):
        self.folder = folder
        self.db = db
        # One attribute per table family; each lives in the store module of the same name.
        self.coders = Coders(self)
        self.codebooks = Codebooks(self)
        self.rounds = Rounds(self)
        self.units = Units(self)
        self.imports = Imports(self)
        self.annotations = Annotations(self)
        self.finals = Finals(self)
        self.history = History(self)
        self.memos = Memos(self)
        self.claims = Claims(self)
        self.papers = Papers(self)
        self.transcripts = Transcripts(self)
        self.defects = DefectUnits(self)
        self.sets = Sets(self)
        self.guids = Guids(self)

    @staticmethod
    def db_path(folder: str | Path) -> Path:
        return Path(folder) / DB_NAME

    @classmethod
    def exists(cls, folder: str | Path) -> bool:
        return cls.db_path(folder).is_file()

    @classmethod
    def create(cls, folder: str | Path, title: str | None = None, *, actor: str | None = None) -> "Store":
        """Make a new, empty study in `folder` (created if needed); refuses an existing study."""
        folder = Path(folder)
        if cls.exists(folder):
            raise StudyError(f"{folder} already holds a study ({DB_NAME})")
        private_dir(folder)  # a study holds every coder's values: 0700, the database (and its -wal) 0600
        create_private(cls.db_path(folder)).close()
        store = cls._connect(folder)
        with store.transaction():
            store.set_meta("title", title or folder.resolve().name)
            store.set_meta("created_at", now())
            store.history.log("study.create", actor=actor, new={"title": title or folder.name})
        return store

    @classmethod
    def open(cls, folder: str | Path) -> "Store":
        folder = Path(folder)
        if not cls.exists(folder):
            raise NotFound(f"{folder} is not a study: no {DB_NAME} (make one with `studyapp init {folder}`)")
        return cls._connect(folder)

    @classmethod
    def _connect(cls, folder: Path, stop_before: str | None = None) -> "Store":
        conn = sqlite3.connect(str(cls.db_path(folder)), timeout=BUSY_TIMEOUT_MS / 1000,
                               isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        db = Database(conn)
        if migrations.migrations.pending(db):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("COMMIT")
            migrations.apply(db, stop_before=stop_before)
        return cls(folder, db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator["Store"]:
        """All-or-nothing block. Nested calls join the outer transaction."""
        if self.conn.in_transaction:
            yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def query(self, sql: str, params: Any = ()) -> list[dict]:
        cur = self.conn.execute(sql, params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def meta(self, key: str, default: str | None = None) -> str | None:
        v = self.scalar("SELECT value FROM study_meta WHERE key = ?", (key,))
        return default if v is None else v

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.conn.execute("INSERT INTO study_meta (key, value) VALUES (?, ?) "
                              "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    @property
    def title(self) -> str:
        return self.meta("title", self.folder.name) or self.folder.name

    def change_counter(self) -> int:
        """Grows with every change to the study: the key for caches of derived views."""
        return int(self.scalar("SELECT coalesce(max(id), 0) FROM history") or 0)

    def schema_migrations(self) -> list[str]:
        return migrations.applied_names(self.db)

    def table_counts(self) -> dict[str, int]:
        names = ["coders", "codebook_versions", "rounds", "units", "annotations", "finals",
                 "history", "memos", "claims", "imports"]
        return {n: int(self.scalar(f"SELECT count(*) FROM {n}")) for n in names}
