"""What a study archive is made of: its format name and version, the manifest's name, how a table's
member is named, how a row's values are written, and the bounds an import holds an archive to.

Shared by the export (`archive.py`) and the import (`archive_import.py`), so both agree on every
name and encoding; see `archive.py` for the layout of the zip.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from studyapp.zip_limits import GiB, MiB, ZipLimits

FORMAT = "studyapp-study"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PREFIXES = ("tables/", "codebooks/", "files/")
_INT64 = 2 ** 63


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds for importing an archive. `zip`: members, sizes, ratio (see `zip_limits`); a study's
    tables and files may be large (a dataset travels in files/), so the total is generous and the
    free disk space is checked too. `max_manifest`/`max_text`: the manifest and a codebook member,
    read whole; `max_row`: one table row (one JSON line), the most a row may hold in memory."""
    zip: ZipLimits = field(default_factory=lambda: ZipLimits(max_total=16 * GiB, max_member=16 * GiB))
    max_manifest: int = 64 * MiB
    max_text: int = 16 * MiB
    max_row: int = 64 * MiB


LIMITS = ArchiveLimits()


def encode(v: Any) -> Any:
    return {"$b64": base64.b64encode(v).decode("ascii")} if isinstance(v, (bytes, memoryview)) else v


def decode(v: Any) -> Any:
    """A value as written by `encode`; raises ValueError for anything else (the row is refused)."""
    if isinstance(v, dict):
        if list(v) != ["$b64"] or not isinstance(v["$b64"], str):
            raise ValueError("a mapping that is not an encoded blob")
        try:
            return base64.b64decode(v["$b64"], validate=True)
        except binascii.Error as e:
            raise ValueError(f"a blob that is not base64 ({e})") from None
    if v is None or isinstance(v, (str, float)):
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        if not -_INT64 <= v < _INT64:
            raise ValueError(f"the integer {str(v)[:30]} does not fit SQLite's 64 bits")
        return v
    raise ValueError(f"a {type(v).__name__} is not a column value")


def member_name(table: str) -> str:
    return f"tables/{quote(table, safe='')}.jsonl"
