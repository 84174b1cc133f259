"""Bounds for reading an untrusted zip (a study archive, a `.qdpx` project): no expansion bombs.

Why: a zip says how large each member is unpacked, and Python's `zipfile` never hands out more than
that (it stops there and checks the CRC), so the central directory is an honest upper bound of what
reading can produce. What it does not stop: a few MB that declare gigabytes (a high ratio), very many
members, members whose data overlap (the "overlapping files" bomb: many entries, one deflate stream),
and one member read many times over (twenty sources of a project pointing at one 100 MiB file).

The contract: `check_zip(zf, label, limits)` refuses (with `InvalidInput` naming the file and the
member) an archive that breaks `limits` before anything is read, and returns the declared total;
`ReadBudget` counts the bytes a reader takes, once per reference, against a cap. The limits are
parameters, so a test can exercise them with small files.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from studyapp.errors import InvalidInput

MiB = 2 ** 20
GiB = 2 ** 30


@dataclass(frozen=True)
class ZipLimits:
    """`max_total`: bytes unpacked, all members together; `max_member`: one member; `max_ratio`:
    unpacked / packed bytes of a member larger than `ratio_floor` (deflate reaches ~1000:1 on runs of
    one byte; real tables and text stay below 30:1); `max_members`: entries in the archive."""
    max_total: int = 8 * GiB
    max_member: int = 8 * GiB
    max_ratio: float = 200.0
    ratio_floor: int = 1 * MiB
    max_members: int = 100_000


def _size(n: int) -> str:
    return f"{n / GiB:.1f} GiB" if n >= GiB else f"{n / MiB:.1f} MiB" if n >= MiB else f"{n:,} bytes"


def check_zip(zf: zipfile.ZipFile, label: str, limits: ZipLimits = ZipLimits()) -> int:
    """Refuse `zf` when it breaks `limits` or its members overlap; returns the unpacked total."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise InvalidInput(f"the archive has {len(infos):,} members, more than the {limits.max_members:,} "
                           "this import reads", path=label)
    seen: set[str] = set()
    total = 0
    for info in infos:
        if info.filename in seen:
            raise InvalidInput(f"the archive holds {info.filename!r} twice", path=label)
        seen.add(info.filename)
        if info.file_size > limits.max_member:
            raise InvalidInput(f"{info.filename} is {_size(info.file_size)} unpacked, more than the "
                               f"{_size(limits.max_member)} one member may have", path=label)
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise InvalidInput(f"{info.filename} packs {_size(info.file_size)} into {_size(info.compress_size)}"
                               f" (more than {limits.max_ratio:g}:1): refused as a zip bomb", path=label)
        total += info.file_size
    if total > limits.max_total:
        raise InvalidInput(f"the archive unpacks to {_size(total)}, more than the {_size(limits.max_total)} "
                           "this import reads", path=label)
    _check_overlap(zf, infos, label)
    return total


def _check_overlap(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], label: str) -> None:
    """Each member's local header and data must end before the next member starts (and before the
    central directory): entries sharing data are how a small zip unpacks many times over."""
    end_of_data = getattr(zf, "start_dir", None)
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for a, b in zip(ordered, ordered[1:] + [None]):
        stop = a.header_offset + 30 + len(a.orig_filename.encode("utf-8", "surrogateescape")) + a.compress_size
        limit = b.header_offset if b is not None else end_of_data
        if limit is not None and stop > limit:
            other = f"{b.filename}" if b is not None else "the central directory"
            raise InvalidInput(f"members overlap ({a.filename} runs into {other}): refused as a zip bomb",
                               path=label)


class ReadBudget:
    """Bytes a reader may take from an archive or folder, counted once per read (a member read twice
    counts twice, as it is stored twice)."""

    def __init__(self, limit: int, label: str, what: str = "bytes"):
        self.limit, self.label, self.what, self.used = limit, label, what, 0

    def take(self, n: int, name: str) -> None:
        self.used += n
        if self.used > self.limit:
            raise InvalidInput(f"reading {name} takes the {self.what} read past {_size(self.limit)} "
                               f"({_size(self.used)} so far; a member used many times counts each time)",
                               path=self.label)
