"""Backups of a study while it is in use: SQLite's online backup API, then an integrity check.

`backup_study` is safe while the app runs and coders write: it copies one consistent snapshot
(writers go on, WAL readers never block them), writes it under a unique temporary name beside the
target, checks it with `PRAGMA integrity_check`, and only then gives it its name, so a backup file is
either whole and verified or absent. An existing file is never overwritten. The temporary file is
claimed (locked) while it is written; a backup killed midway leaves it behind unclaimed, and the next
backup into that folder removes it. Backups are 0600: they hold every coder's values.

To restore, put the file as `study.db` into an empty folder and open that folder as a study
(`studyapp status NEWDIR`); newer migrations, if any, are applied on opening.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass
from pathlib import Path

from studyapp.errors import StudyError
from studyapp.files import claimed, clean_stale, os_error, private_dir, temp_name
from studyapp.store import Store, archive

PARTIAL = ".partial"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    pages: int
    seconds: float
    history_entries: int


def backup_path(folder: str | Path, out: str | Path, *, now: dt.datetime | None = None) -> Path:
    """Where a backup of the study in `folder` goes: `out` itself, or, when `out` is a folder (an
    existing one, or a path ending in a separator), `out/<study folder>-<UTC time>.db` inside it."""
    out_s = str(out)
    out = Path(out)
    if out.is_dir() or out_s.endswith((os.sep, "/")):
        stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%dT%H%M%S%fZ")
        return out / f"{Path(folder).resolve().name}-{stamp}.db"
    return out


def clean_partials(folder: Path) -> int:
    """Remove what killed backups left in `folder`: unclaimed temporary files and their journals."""
    removed = clean_stale(folder, f".*{PARTIAL}")
    for journal in folder.glob(f".*{PARTIAL}-journal"):
        if not journal.with_name(journal.name[: -len("-journal")]).exists():
            journal.unlink(missing_ok=True)
            removed += 1
    return removed


def _publish(tmp: Path, target: Path) -> None:
    """Give the finished file its name without ever replacing a file that appeared meanwhile."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if target.exists():
            raise FileExistsError(target) from None
        os.replace(tmp, target)


def backup_study(folder: str | Path, out: str | Path) -> BackupResult:
    """Copy the study in `folder` to a verified single-file backup at `out` (a file or a folder)."""
    target = backup_path(folder, out)
    if target.exists():
        raise StudyError(f"{target} exists already; a backup never overwrites a file")
    if not Store.exists(folder):
        Store.open(folder)  # the NotFound that explains what a study is
    try:
        private_dir(target.parent)
    except OSError as e:
        raise StudyError(f"cannot put a backup in {target.parent}: {e.strerror or e}") from None
    clean_partials(target.parent)
    tmp = temp_name(target, PARTIAL)
    t0 = time.perf_counter()
    try:
        with claimed(tmp), Store.open(folder) as store:
            try:
                pages = archive.backup_to(store.conn, tmp)
            except StudyError as e:
                raise StudyError(f"cannot write the backup {target}: {e.message}") from None
            problems = archive.integrity_check(tmp)
            if problems:
                raise StudyError(f"the backup of {folder} failed its integrity check: {'; '.join(problems[:5])}")
            entries = archive.count_in_file(tmp, "history")
            _publish(tmp, target)
    except FileExistsError:
        raise StudyError(f"{target} exists already; a backup never overwrites a file") from None
    except OSError as e:
        raise os_error(e, target, "writing the backup") from None
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + "-journal").unlink(missing_ok=True)
    return BackupResult(path=target, bytes=target.stat().st_size, pages=pages,
                        seconds=time.perf_counter() - t0, history_entries=entries)
