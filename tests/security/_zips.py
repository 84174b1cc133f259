"""Hand-made hostile zips for the archive attacks: forged study archives (checksums and counts
recomputed, as a forger would), compression bombs, overlapping entries, flipped flags."""

from __future__ import annotations

import hashlib
import json
import struct
import zipfile
from pathlib import Path
from typing import Callable

Edit = Callable[[str, bytes], "bytes | None"]


def forge(src: Path, dst: Path, edit: Edit, *, manifest: Callable[[dict], None] | None = None,
          compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """Copy a study archive, letting `edit(name, data)` change (or drop, with None) members, and
    recompute the manifest's checksums and row counts so only a deeper check can notice."""
    with zipfile.ZipFile(src) as zin:
        m = json.loads(zin.read("manifest.json"))
        members = {n: zin.read(n) for n in zin.namelist() if n != "manifest.json"}
    out = {}
    for name, data in members.items():
        new = edit(name, data)
        if new is not None:
            out[name] = new
    for name in list(m["members"]):
        if name not in out:
            del m["members"][name]
    for name, data in out.items():
        m["members"][name] = hashlib.sha256(data).hexdigest()
    for t in m["tables"].values():
        if t["member"] in out:
            t["rows"] = out[t["member"]].count(b"\n")
    if manifest:
        manifest(m)
    with zipfile.ZipFile(dst, "w", compression=compression) as zout:
        zout.writestr("manifest.json", json.dumps(m))
        for name, data in out.items():
            zout.writestr(name, data)
    return dst


def jsonl(rows: list[list]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


def rows_of(data: bytes) -> list[list]:
    return [json.loads(line) for line in data.splitlines() if line]


def overlapping(dst: Path, name: str, data: bytes, copies: int) -> Path:
    """A zip whose central directory lists `copies` entries that all point at one member's data
    (the "overlapping files" bomb): each copy unpacks the whole member again."""
    with zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    raw = dst.read_bytes()
    eocd = raw.rindex(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack("<II", raw[eocd + 12:eocd + 20])
    entry = raw[cd_offset:cd_offset + cd_size]
    n_len = struct.unpack("<H", entry[28:30])[0]
    entries = [entry] + [entry[:28] + struct.pack("<H", len(f"{name}.{i}")) + entry[30:46]
                         + f"{name}.{i}".encode() + entry[46 + n_len:] for i in range(1, copies)]
    cd = b"".join(entries)
    end = raw[eocd:eocd + 8] + struct.pack("<HHII", copies, copies, len(cd), cd_offset) + raw[eocd + 20:]
    dst.write_bytes(raw[:cd_offset] + cd + end)
    return dst


def set_flag(src: Path, dst: Path, member: str, *, flag: int | None = None, method: int | None = None) -> Path:
    """Copy a zip, setting the general-purpose flag bits or the compression method of one member in
    its central directory entry (encrypted = flag 0x1; method 99 = AES, which no studyapp writes)."""
    raw = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo(member)
    pos = raw.index(b"PK\x01\x02")
    while True:
        n_len, e_len, c_len = struct.unpack("<HHH", raw[pos + 28:pos + 34])
        if raw[pos + 46:pos + 46 + n_len].decode() == info.filename:
            break
        pos = raw.index(b"PK\x01\x02", pos + 46 + n_len + e_len + c_len)
    if flag is not None:
        raw[pos + 8:pos + 10] = struct.pack("<H", flag)
    if method is not None:
        raw[pos + 10:pos + 12] = struct.pack("<H", method)
    dst.write_bytes(bytes(raw))
    return dst


def with_members(src: Path, dst: Path, extra: dict[str, bytes]) -> Path:
    """Copy a study archive with `extra` members added (deflated), listed in its manifest with their
    checksums, as a forger would."""
    with zipfile.ZipFile(src) as zin:
        members = {n: zin.read(n) for n in zin.namelist()}
    m = json.loads(members.pop("manifest.json"))
    members.update(extra)
    for n, d in extra.items():
        m["members"][n] = hashlib.sha256(d).hexdigest()
    with zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        zout.writestr("manifest.json", json.dumps(m))
        for n, d in members.items():
            zout.writestr(n, d)
    return dst
