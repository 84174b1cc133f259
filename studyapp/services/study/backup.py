"""Backups of a study while it is in use: SQLite's online backup API, then an integrity check.

`backup_study` is safe while the app runs and coders write: it copies one consistent snapshot
(writers go on, WAL readers never block them), writes it under a temporary name beside the target,
checks it with `PRAGMA integrity_check`, and only then gives it its name, so a backup file is either
whole and verified or absent. An existing file is never overwritten.

To restore, put the file as `study.db` into an empty folder and open that folder as a study
(`studyapp status NEWDIR`); newer migrations, if any, are applied on opening.
"""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from studyapp.errors import StudyError
from studyapp.store import Store, archive


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
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StudyError(f"cannot put a backup in {target.parent}: {e.strerror or e}") from None
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.partial")
    t0 = time.perf_counter()
    try:
        with Store.open(folder) as store:
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
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(path=target, bytes=target.stat().st_size, pages=pages,
                        seconds=time.perf_counter() - t0, history_entries=entries)
