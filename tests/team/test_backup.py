"""`studyapp backup` while coders work: the copy is taken with SQLite's online backup while another
process writes, opens as a study, passes integrity_check and holds a consistent prefix of the
study (every annotation in it has its history row, and its history is the live history's start).
A folder target gets a timestamped file; bad targets are refused with a clear message, exit status 2
and nothing left behind. `studyapp export` taken while a coder writes is consistent as well."""

from __future__ import annotations

import multiprocessing as mp
import re
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from studyapp.cli import main
from studyapp.services.study import backup as backup_service
from studyapp.services.study.backup import backup_path, backup_study
from studyapp.services.study.study import status
from studyapp.store import Store, archive

STAMPED = re.compile(r"^study-\d{8}T\d{12}Z\.db$")


def cli(*args) -> "click.testing.Result":  # noqa: F821
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def restore(backup: Path, folder: Path) -> Store:
    """What the docs tell a user to do: put the file as study.db into an empty folder and open it."""
    folder.mkdir()
    shutil.copyfile(backup, folder / "study.db")
    return Store.open(folder)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


class Writer:
    """A spawned process that writes one annotation at a time (`_writers.write_until`) until stopped."""

    def __init__(self, writers, folder: Path, tmp: Path, coder: str = "bob"):
        self.stop, self.started = tmp / f"stop-{coder}", tmp / f"started-{coder}"
        ctx = mp.get_context("spawn")
        self.queue = ctx.Queue()
        self.proc = ctx.Process(target=writers.report_to, daemon=True, args=(
            self.queue, 0, "write_until", (str(folder), coder, str(self.stop), str(self.started)), {}))

    def __enter__(self) -> "Writer":
        self.proc.start()
        deadline = time.time() + 120
        while not self.started.exists():
            assert self.proc.is_alive() and time.time() < deadline, "the writer did not start"
            time.sleep(0.05)
        return self

    def finish(self) -> int:
        """Stop the writer; how many annotations it wrote (its error, if any, fails the test)."""
        self.stop.touch()
        _, written, error = self.queue.get(timeout=120)
        assert error is None, error
        return written

    def __exit__(self, *exc) -> None:
        self.stop.touch()
        self.proc.join(timeout=30)
        if self.proc.is_alive():
            self.proc.kill()


def test_backup_while_a_coder_writes_is_a_sound_consistent_prefix(study, writers, tmp_path):
    folder = study.folder
    outs = [tmp_path / f"b{i}.db" for i in range(3)]
    with Writer(writers, folder, tmp_path) as w:
        for out in outs:
            time.sleep(0.2)
            r = cli("backup", folder, out)
            assert r.exit_code == 0, r.output
            assert f"backed up {folder} to {out}" in r.output and "integrity ok" in r.output
        time.sleep(0.2)  # the coder goes on writing after the last backup
        written = w.finish()
    assert written > 0
    with Store.open(folder) as live:
        live_history = archive.all_rows(live.conn)["history"]
        sizes = []
        for i, out in enumerate(outs):
            assert archive.integrity_check(out) == []
            with restore(out, tmp_path / f"restored{i}") as copy:
                assert copy.annotations.replay() == copy.annotations.current_rows(), "an annotation without history"
                assert copy.finals.replay() == copy.finals.current_rows()
                rows = archive.all_rows(copy.conn)["history"]
                assert rows == live_history[:len(rows)], "the backup's history is not the start of the live one"
                sizes.append(len(rows))
                assert copy.coders.names() == live.coders.names()
        start = len(live_history) - written
        assert start < sizes[0] <= sizes[1] <= sizes[2] < len(live_history), (start, sizes, len(live_history))


def test_a_quiet_study_backs_up_exactly(busy_study, tmp_path):
    r = backup_study(busy_study.folder, tmp_path / "copy.db")
    assert r.history_entries == busy_study.history.count() and r.bytes > 0 and r.pages > 0
    with restore(r.path, tmp_path / "restored") as copy:
        assert archive.all_rows(copy.conn) == archive.all_rows(busy_study.conn)
        a, b = status(copy), status(busy_study)
        a.pop("path"), b.pop("path")
        assert a == b


def test_backup_to_a_folder_names_a_timestamped_file(study, tmp_path):
    folder = study.folder
    shelf = tmp_path / "backups"
    shelf.mkdir()
    first = cli("backup", folder, shelf)
    second = cli("backup", folder, shelf)
    assert first.exit_code == second.exit_code == 0
    names = sorted(p.name for p in shelf.iterdir())
    assert len(names) == 2 and all(STAMPED.match(n) for n in names), names
    assert names[0] in first.output and names[1] in second.output
    # a folder that does not exist yet, written with a trailing separator, is made
    r = cli("backup", folder, f"{tmp_path / 'new' / 'shelf'}/")
    assert r.exit_code == 0, r.output
    [made] = list((tmp_path / "new" / "shelf").iterdir())
    assert STAMPED.match(made.name) and archive.integrity_check(made) == []
    import datetime as dt

    at = dt.datetime(2026, 3, 4, 5, 6, 7, 89, tzinfo=dt.timezone.utc)
    assert backup_path(folder, shelf, now=at) == shelf / "study-20260304T050607000089Z.db"
    assert backup_path(folder, tmp_path / "plain.db", now=at) == tmp_path / "plain.db"


def test_bad_targets_are_refused_clearly_and_leave_nothing(study, tmp_path):
    folder = study.folder
    precious = tmp_path / "precious.db"
    precious.write_bytes(b"keep me")
    cases = [
        ((folder, precious), "exists already; a backup never overwrites a file"),
        ((folder, folder / "study.db"), "exists already"),
        ((folder, precious / "inside.db"), f"cannot put a backup in {precious}"),
        ((tmp_path / "nowhere", tmp_path / "x.db"), "is not a study"),
    ]
    (tmp_path / "nowhere").mkdir()
    for args, message in cases:
        r = cli("backup", *args)
        assert r.exit_code == 2, (args, r.output)
        assert r.stderr.startswith("error: ") and message in r.stderr, r.stderr
        assert "Traceback" not in r.output
    assert precious.read_bytes() == b"keep me"
    assert not (tmp_path / "x.db").exists()
    assert leftovers(tmp_path) == [] and leftovers(folder) == []
    r = cli("backup", folder)
    assert r.exit_code == 2 and "Missing argument 'OUT'" in r.output


def test_a_copy_that_fails_its_check_is_never_published(study, tmp_path, monkeypatch):
    monkeypatch.setattr(backup_service.archive, "integrity_check", lambda path: ["*** in database main ***"])
    r = cli("backup", study.folder, tmp_path / "bad.db")
    assert r.exit_code == 2 and "failed its integrity check" in r.stderr
    assert not (tmp_path / "bad.db").exists() and leftovers(tmp_path) == []


def test_a_file_that_cannot_be_created_is_a_clear_error(study, tmp_path, monkeypatch):
    import sqlite3

    connect = sqlite3.connect

    def refuse_partial_files(path, *a, **k):
        if str(path).endswith(".partial"):
            raise sqlite3.OperationalError("unable to open database file")
        return connect(path, *a, **k)

    monkeypatch.setattr(sqlite3, "connect", refuse_partial_files)
    with pytest.raises(backup_service.StudyError, match=r"cannot write the backup .*x\.db: cannot create the file"):
        backup_study(study.folder, tmp_path / "x.db")
    assert list(tmp_path.glob("*x.db*")) == []


def test_export_while_a_coder_writes_is_consistent(study, writers, tmp_path):
    from studyapp.services.study.archive import import_study

    with Writer(writers, study.folder, tmp_path) as w:
        time.sleep(0.2)
        r = cli("export", study.folder, tmp_path / "s.zip")
        assert r.exit_code == 0, r.output
        time.sleep(0.2)
        w.finish()
    import_study(tmp_path / "s.zip", tmp_path / "copy")
    with Store.open(tmp_path / "copy") as copy, Store.open(study.folder) as live:
        assert copy.annotations.replay() == copy.annotations.current_rows()
        rows = archive.all_rows(copy.conn)["history"]
        assert 3 < len(rows) < live.history.count()
        assert rows == archive.all_rows(live.conn)["history"][:len(rows)]
