"""Writing output files whole or not at all, private to their owner, with a clear message when the
disk is full.

A zip is built beside its target under a unique temporary name and renamed into place only when
complete. Everything studyapp writes holds study data (every coder's values, interview texts), so
files are created 0600 and folders 0700 whatever the process's umask allows (umask can only make
them stricter). A file being written is `claimed` (an advisory lock on it), so the next writer can
remove what a killed process left behind (`clean_stale`) without touching work in progress.
`os_error` turns an `OSError` (disk full, permission denied) into a `StudyError` naming the file, so
no command ends in a traceback.
"""

from __future__ import annotations

import errno
import os
import time
import uuid
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from studyapp.errors import InvalidInput, StudyError

try:
    import fcntl
except ImportError:  # Windows: stale files are told by their age
    fcntl = None

FILE_MODE = 0o600
DIR_MODE = 0o700
#: The largest input file an import reads whole: far beyond any real export (Scopus writes at most
#: 20,000 records with abstracts, about 40 MB), far below what a reader can hold in memory.
MAX_INPUT_BYTES = 256 * 2 ** 20


def check_input_size(path: str | Path, limit: int | None = None, what: str = "an import file") -> Path:
    """`path`, unless it is larger than `limit` (default `MAX_INPUT_BYTES`): then an `InvalidInput`
    that says so, before a byte is read."""
    path = Path(path)
    limit = MAX_INPUT_BYTES if limit is None else limit
    try:
        size = path.stat().st_size
    except OSError:
        return path  # the reader reports a missing file in its own words
    if size > limit:
        raise InvalidInput(f"{size:,} bytes: more than the {limit:,} {what} may have; split it (search "
                           "databases export in parts) or check it is the file you meant", path=str(path))
    return path


def check_target(out: str | Path, force: bool) -> Path:
    out = Path(out)
    if out.exists() and not force:
        raise StudyError(f"{out} exists already (use --force to replace it)")
    if not out.parent.is_dir():
        raise StudyError(f"folder {out.parent} does not exist", path=str(out))
    return out


def os_error(e: OSError, path: str | Path | None = None, doing: str | None = "writing") -> StudyError:
    """A one-line StudyError for an OSError met while `doing` something with `path`."""
    where = str(path or e.filename or "") or None
    if e.errno == errno.ENOSPC or e.errno == errno.EDQUOT:
        return StudyError(f"the disk is full{f' while {doing}' if doing else ''}; nothing was changed (free some "
                          "space and try again)", path=where)
    return StudyError(f"{doing} failed: {e.strerror or e}" if doing else str(e.strerror or e), path=where)


def system_error(e: Exception) -> StudyError:
    """The StudyError for an OSError or a SQLite operational error that reached a command: a full
    disk says so (every write is one transaction or a temporary file, so nothing was half-written)."""
    if isinstance(e, OSError):
        return os_error(e, doing=None)
    if "full" in str(e):
        return os_error(OSError(errno.ENOSPC, str(e)), doing="writing the study")
    return StudyError(f"the study database refused the operation: {e}")


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
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(path))
    return path


def create_private(path: str | Path) -> BinaryIO:
    """Open the new file `path` for writing, created 0600 (it must not exist yet)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), FILE_MODE)
    return os.fdopen(fd, "wb")


@contextmanager
def claimed(path: Path) -> Iterator[BinaryIO]:
    """Create the private file `path` and hold an advisory lock on it while the block runs: a file
    being written is claimed, so `clean_stale` never removes another process's work in progress."""
    fh = create_private(path)
    try:
        if fcntl is not None:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield fh
    finally:
        fh.close()


def clean_stale(folder: Path, pattern: str, *, min_age: float = 3600.0) -> int:
    """Remove the files in `folder` matching `pattern` that nobody is writing (no lock held: the
    writer was killed); without advisory locks (Windows), those older than `min_age` seconds."""
    removed = 0
    for p in folder.glob(pattern):
        try:
            if fcntl is not None:
                with open(p, "rb") as fh:
                    try:
                        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except OSError:
                        continue  # claimed: a backup or export is writing it now
            elif time.time() - p.stat().st_mtime < min_age:
                continue
            p.unlink()
            removed += 1
        except OSError:
            continue
    return removed


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
