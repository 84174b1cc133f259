"""Writing output files whole or not at all: a zip is built beside its target and renamed into place."""

from __future__ import annotations

import os
import uuid
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from studyapp.errors import StudyError


def check_target(out: str | Path, force: bool) -> Path:
    out = Path(out)
    if out.exists() and not force:
        raise StudyError(f"{out} exists already (use --force to replace it)")
    if not out.parent.is_dir():
        raise StudyError(f"folder {out.parent} does not exist", path=str(out))
    return out


@contextmanager
def atomic_zip(out: Path) -> Iterator[zipfile.ZipFile]:
    """A zip open for writing; it becomes `out` only when the block ends without error."""
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            yield zf
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_atomic(out: Path, data: bytes) -> None:
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
