"""Writing output files whole or not at all, private to their owner, with a clear message when the
disk is full.

A zip is built beside its target under a unique temporary name and renamed into place only when
complete. Everything studyapp writes holds study data (every coder's values, interview texts), so
files are created 0600 and folders 0700 whatever the process's umask allows (umask can only make
them stricter). `os_error` turns an `OSError` (disk full, permission denied) into a `StudyError`
naming the file, so no command ends in a traceback.
"""

from __future__ import annotations

import errno
import os
import uuid
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from studyapp.errors import StudyError

FILE_MODE = 0o600
DIR_MODE = 0o700


def check_target(out: str | Path, force: bool) -> Path:
    out = Path(out)
    if out.exists() and not force:
        raise StudyError(f"{out} exists already (use --force to replace it)")
    if not out.parent.is_dir():
        raise StudyError(f"folder {out.parent} does not exist", path=str(out))
    return out


def os_error(e: OSError, path: str | Path | None = None, doing: str = "writing") -> StudyError:
    """A one-line StudyError for an OSError met while `doing` something with `path`."""
    where = str(path or e.filename or "") or None
    if e.errno == errno.ENOSPC or e.errno == errno.EDQUOT:
        return StudyError(f"the disk is full while {doing}; nothing was changed (free some space and try again)",
                          path=where)
    return StudyError(f"{doing} failed: {e.strerror or e}", path=where)


def private_dir(path: str | Path) -> Path:
    """Create `path` and any missing parents as 0700 folders (existing folders are left as they are)."""
    path = Path(path)
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=DIR_MODE)
        except FileExistsError:
            pass
    return path


def create_private(path: str | Path) -> BinaryIO:
    """Open the new file `path` for writing, created 0600 (it must not exist yet)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), FILE_MODE)
    return os.fdopen(fd, "wb")


def temp_name(out: Path, suffix: str = ".part") -> Path:
    """A unique hidden name beside `out` for a file being written."""
    return out.with_name(f".{out.name}.{uuid.uuid4().hex[:12]}{suffix}")


@contextmanager
def atomic_zip(out: Path) -> Iterator[zipfile.ZipFile]:
    """A zip open for writing; it becomes `out` (0600) only when the block ends without error."""
    tmp = temp_name(out)
    try:
        with create_private(tmp) as fh, zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            yield zf
        os.replace(tmp, out)
    except OSError as e:
        raise os_error(e, out) from None
    finally:
        if tmp.exists():
            tmp.unlink()


def write_atomic(out: Path, data: bytes) -> None:
    """Write `data` to `out` (0600) whole or not at all."""
    tmp = temp_name(out)
    try:
        with create_private(tmp) as fh:
            fh.write(data)
        os.replace(tmp, out)
    except OSError as e:
        raise os_error(e, out) from None
    finally:
        if tmp.exists():
            tmp.unlink()
