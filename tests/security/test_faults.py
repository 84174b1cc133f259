"""Fault attacks: a disk that fills up during an import, an export, a package and import-study (each
ends in a one-line message, never a traceback, and leaves nothing half-written); a backup killed
midway (its temporary file is cleaned up by the next backup, never one still being written); the
same file imported twice at once (the second counts duplicates); files and folders that hold study
data are private (0600/0700) whatever the umask."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest

from studyapp.services.study.archive import export_study
from studyapp.store import Store
from tests.security.conftest import run_cli

REPO = Path(__file__).resolve().parents[2]
PAPERS = REPO / "tests" / "data" / "papers" / "scopus.csv"


class _FullDisk:
    """A file that takes `room` bytes, then fails as a full disk does."""

    def __init__(self, fh, room: int):
        self._fh, self._room = fh, room

    def write(self, data) -> int:
        self._room -= len(data)
        if self._room < 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self._fh.write(data)

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()


@pytest.fixture
def full_disk(monkeypatch):
    """Files studyapp creates take 2 KB, then the disk is full; SQLite files cannot grow either."""
    from studyapp import files
    from studyapp.store import archive

    real = files.create_private
    monkeypatch.setattr(files, "create_private", lambda path: _FullDisk(real(path), 2048))
    try:
        from studyapp.services.study import archive_import
        monkeypatch.setattr(archive_import, "create_private", lambda path: _FullDisk(real(path), 2048), raising=False)
    except ImportError:
        pass
    real_loader = archive.StudyLoader.__init__

    def small_loader(self, path):
        real_loader(self, path)
        self.conn.execute("PRAGMA max_page_count = 40")
    monkeypatch.setattr(archive.StudyLoader, "__init__", small_loader)


def _rows(folder: Path) -> dict:
    with Store.open(folder) as s:
        return archive_rows(s)


def archive_rows(store: Store) -> dict:
    from studyapp.store import archive

    return archive.all_rows(store.conn)


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# -- a full disk -------------------------------------------------------------------------------------
def test_disk_full_during_an_import(study, monkeypatch):
    """SQLite's "database or disk is full", from a study that cannot grow by a page."""
    real = Store._connect.__func__

    def full(cls, folder, stop_before=None):
        store = real(cls, folder, stop_before)
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages}")
        return store
    before = archive_rows(study)
    monkeypatch.setattr(Store, "_connect", classmethod(full))
    out = run_cli("import", "papers", study.folder, PAPERS, "--by", "lea")
    assert "disk is full" in out
    monkeypatch.undo()
    assert _rows(study.folder) == before


def test_disk_full_during_an_export(coded, tmp_path, full_disk):
    out = run_cli("export", coded.folder, tmp_path / "out" / "study.zip", "--by", "lea")
    assert "disk is full" in out and "study.zip" in out
    assert not (tmp_path / "out" / "study.zip").exists() and _hidden(tmp_path / "out") == []


def test_disk_full_during_a_package(coded, tmp_path, full_disk):
    out = run_cli("package", coded.folder, tmp_path / "pkg.zip", "--by", "lea")
    assert "disk is full" in out
    assert not (tmp_path / "pkg.zip").exists() and _hidden(tmp_path) == []


@pytest.mark.parametrize("what", ["a file", "the database"])
def test_disk_full_during_import_study(coded, tmp_path, monkeypatch, what):
    (coded.folder / "claims").mkdir()
    (coded.folder / "claims" / "npm.csv").write_text("name,downloads\n" + "x,1\n" * 5000, encoding="utf-8")
    for i in range(300 if what == "the database" else 0):
        coded.memos.add(text=f"memo {i} " + "words " * 40, coder="bob", unit_id=None, target_kind="study")
    export_study(coded, tmp_path / "s.zip")
    from studyapp import files
    from studyapp.store import archive

    real = files.create_private
    if what == "a file":
        import studyapp.services.study.archive_import as ai
        monkeypatch.setattr(ai, "create_private", lambda p: _FullDisk(real(p), 2048) if p.name == "npm.csv"
                            else real(p))
    else:
        real_loader = archive.StudyLoader.__init__

        def small(self, path):
            real_loader(self, path)
            self.conn.execute("PRAGMA max_page_count = 40")
        monkeypatch.setattr(archive.StudyLoader, "__init__", small)
    out = run_cli("import-study", tmp_path / "s.zip", tmp_path / "copy")
    assert "disk is full" in out
    assert not (tmp_path / "copy").exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".copy")]


# -- a killed backup ---------------------------------------------------------------------------------
def test_a_killed_backups_leftovers_are_cleaned_by_the_next_one_but_not_work_in_progress(study, tmp_path):
    from studyapp.services.study.backup import backup_study

    out = tmp_path / "backups"
    out.mkdir()
    (out / ".study-1.db.0a1b2c3d.partial").write_bytes(b"half a database")      # kill -9 left these
    (out / ".study-1.db.0a1b2c3d.partial-journal").write_bytes(b"journal")
    busy = out / ".study-2.db.99999999.partial"                                 # another backup, writing now
    try:
        from studyapp.files import claimed
        holder = claimed(busy)
        holder.__enter__()
    except ImportError:
        busy.write_bytes(b"")
        holder = None
    try:
        backup_study(study.folder, out)
        left = _hidden(out)
    finally:
        if holder is not None:
            holder.__exit__(None, None, None)
    assert left == [busy.name], left
    assert len([p for p in out.iterdir() if p.suffix == ".db"]) == 1


# -- the same file twice at once ----------------------------------------------------------------------
def test_the_same_defects_file_imported_twice_at_once_counts_duplicates(study, tmp_path, monkeypatch):
    from studyapp.services.defects import imports

    issues = tmp_path / "issues.csv"
    issues.write_text("URL,Title,Body\n" + "".join(f"https://github.com/o/r/issues/{i},Issue {i},body\n"
                                                    for i in range(1, 6)), encoding="utf-8")
    both_planned = threading.Barrier(2)
    real_plan = imports._units

    def plan_then_wait(*a, **kw):
        """Both imports have looked for duplicates before either writes (if the code lets them: when
        the look is inside the write transaction, the second waits for the first and the barrier
        gives up after 2 s)."""
        out = real_plan(*a, **kw)
        try:
            both_planned.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        return out
    monkeypatch.setattr(imports, "_units", plan_then_wait)
    results = []

    def run():
        with Store.open(study.folder) as s:
            try:
                r = imports.import_defects(s, [issues], actor="lea")
                results.append((r.imported, r.duplicates))
            except Exception as e:  # noqa: BLE001 (the failure is what this test looks for)
                results.append(repr(e))
    threads = [threading.Thread(target=run) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results, key=str) == [(0, 5), (5, 0)], results


# -- private files ------------------------------------------------------------------------------------
def test_studies_backups_exports_and_packages_are_private(tmp_path, tiny_codebook):
    from studyapp.interop.refi_export import export_qdpx
    from studyapp.services.publish.replication import build_package
    from studyapp.services.study.backup import backup_study
    from studyapp.services.study.study import init_study

    old = os.umask(0o022)
    try:
        store = init_study(tmp_path / "s", title="Private", codebooks=[tiny_codebook])
        store.coders.add("lea", "lead")
        store.units.add_many([{"kind": "defect", "key": "D1", "title": "t", "text": "b"}])
        from studyapp.services.interviews.imports import import_transcripts
        import_transcripts(store, [REPO / "tests" / "data" / "transcripts" / "interview-05.txt"], actor="lea")
        backup_study(store.folder, tmp_path / "b" / "s.db")
        export_study(store, tmp_path / "e" / "s.zip")
        build_package(store, tmp_path / "p.zip", actor="lea", n_boot=0)
        export_qdpx(store, tmp_path / "s.qdpx")
        store.close()
    finally:
        os.umask(old)
    files = [tmp_path / "s" / "study.db", tmp_path / "b" / "s.db", tmp_path / "e" / "s.zip", tmp_path / "p.zip",
             tmp_path / "s.qdpx"] + [p for p in (tmp_path / "s").iterdir() if p.name.startswith("study.db-")]
    modes = {p.relative_to(tmp_path).as_posix(): oct(p.stat().st_mode & 0o777) for p in files}
    modes.update({d: oct((tmp_path / d).stat().st_mode & 0o777) for d in ("s", "b", "e")})
    assert modes == {**{k: "0o600" for k in modes if "." in k}, **{d: "0o700" for d in ("s", "b", "e")}}, modes


_SLOW_BACKUP = """
import sys, time
from studyapp.services.study import backup
from studyapp.store import archive
real = archive.integrity_check
def slow(path):
    print("copied", flush=True)
    time.sleep(60)
    return real(path)
backup.archive.integrity_check = slow
backup.backup_study(sys.argv[1], sys.argv[2])
"""


def test_kill_9_mid_backup_leaves_a_partial_the_next_backup_removes(study, tmp_path):
    """A real process killed while its copy is being checked: while it lives, another backup leaves
    its file alone; once it is dead, the next backup removes it."""
    import signal
    import subprocess
    import sys

    from studyapp.services.study.backup import backup_study

    out = tmp_path / "backups"
    out.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_BACKUP, str(study.folder), str(out / "killed.db")],
                            stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert proc.stdout.readline().strip() == "copied"
        partial = _hidden(out)
        assert len(partial) == 1 and partial[0].endswith(".partial")
        backup_study(study.folder, out / "meanwhile.db")
        assert _hidden(out) == partial  # work in progress is not touched
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert _hidden(out) == partial  # kill -9: the temporary file stays behind ...
    backup_study(study.folder, out / "next.db")
    assert _hidden(out) == []  # ... until the next backup
    assert sorted(p.name for p in out.iterdir()) == ["meanwhile.db", "next.db"]
