"""`import_study`: a study archive (made by `archive.export_study`) back into a new study folder.

An archive is untrusted input (a colleague's file, a download). Before anything is unpacked it is
held to `archive_format.LIMITS` (members, unpacked total and ratio, overlapping members: no expansion
bombs; the free disk space), its manifest is checked for shape, format version and known migrations,
and every member is listed and has a checksum. While unpacking, every row is one bounded JSON line
of column values, and every file name stays inside the new folder. After loading, what can be
re-derived is re-derived and compared (`archive_checks`): annotations and finals must follow from the
history, agreement counts from the annotations, values must be codes of their fields. Checksums
prove only that nothing changed since somebody computed them; these checks prove the study is one
studyapp could have made.

Nothing is written into an existing study: the study is built in a hidden folder beside NEWDIR
(0700, files 0600) and renamed into place only when every check passed. Every refusal is an
`InvalidInput`/`StudyError` naming the archive (and the member and line), never a traceback.
"""

from __future__ import annotations

import collections
import errno
import hashlib
import json
import shutil
import sqlite3
import time
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from studyapp.errors import InvalidInput, StudyError
from studyapp.files import create_private, os_error, private_dir
from studyapp.services.study import archive_checks
from studyapp.services.study.archive_format import (
    FORMAT,
    FORMAT_VERSION,
    LIMITS,
    MANIFEST,
    PREFIXES,
    ArchiveLimits,
    decode,
    member_name,
)
from studyapp.store import Store, archive
from studyapp.zip_limits import check_zip

_DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError)
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}


@dataclass(frozen=True)
class ImportResult:
    path: Path
    title: str
    tables: dict[str, int]
    migrations: list[str]
    upgraded_with: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _read_small(zf: zipfile.ZipFile, name: str, limit: int, src: Path) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > limit:
        raise InvalidInput(f"{name} is {info.file_size:,} bytes, more than the {limit:,} it may have", path=src)
    return zf.read(info)


def read_manifest(zf: zipfile.ZipFile, src: Path, limits: ArchiveLimits = LIMITS) -> dict:
    """The archive's manifest, checked for shape, format version, members and known migrations."""
    try:
        manifest = json.loads(_read_small(zf, MANIFEST, limits.max_manifest, src).decode("utf-8"))
    except KeyError:
        raise InvalidInput(f"not a studyapp study archive: no {MANIFEST}", path=src) from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise InvalidInput(f"{MANIFEST} is not valid JSON: {e}", path=src) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidInput(f"not a studyapp study archive ({MANIFEST} does not say format {FORMAT!r})", path=src)
    if not isinstance(manifest.get("format_version"), int) or manifest["format_version"] > FORMAT_VERSION:
        raise StudyError(f"archive format {manifest.get('format_version')!r} is newer than this studyapp"
                         f" reads ({FORMAT_VERSION}); upgrade studyapp", path=str(src))
    for key, kind in (("migrations", list), ("tables", dict), ("members", dict), ("sequences", dict)):
        if not isinstance(manifest.get(key), kind):
            raise InvalidInput(f"{MANIFEST}: {key!r} is missing or not a {kind.__name__}", path=src)
    known = set(archive.known_migrations())
    unknown = [m for m in manifest["migrations"] if m not in known]
    if unknown:
        raise StudyError(f"the study was made by a newer studyapp (version {manifest.get('studyapp_version')}):"
                         f" unknown schema migrations {', '.join(map(str, unknown))}; upgrade studyapp first",
                         path=str(src))
    names = set(zf.namelist()) - {MANIFEST}
    listed = set(manifest["members"])
    if names != listed:
        extra, missing = sorted(names - listed), sorted(listed - names)
        raise InvalidInput("the archive's members do not match its manifest"
                           + (f"; not listed: {', '.join(extra[:5])}" if extra else "")
                           + (f"; missing: {', '.join(missing[:5])}" if missing else ""), path=src)
    for name, digest in manifest["members"].items():
        if not name.startswith(PREFIXES) or name.endswith("/") or not isinstance(digest, str):
            raise InvalidInput(f"{MANIFEST}: member {name!r} is not one a study archive has", path=src)
    for name, t in manifest["tables"].items():
        if not isinstance(t, dict) or t.get("member") != member_name(name) or t["member"] not in listed \
                or not isinstance(t.get("rows"), int):
            raise InvalidInput(f"{MANIFEST}: table {name!r} has no member or row count", path=src)
    used = {t["member"] for t in manifest["tables"].values()}
    unused = sorted(n for n in listed if n.startswith("tables/") and n not in used)
    if unused:
        raise InvalidInput(f"{MANIFEST}: {unused[0]} is no table's member", path=src)
    for name, seq in manifest["sequences"].items():
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise InvalidInput(f"{MANIFEST}: sequence {name!r} is not a number", path=src)
    return manifest


def _check_members(zf: zipfile.ZipFile, src: Path) -> None:
    for info in zf.infolist():
        if info.flag_bits & 0x1:
            raise InvalidInput(f"{info.filename} is encrypted; a study archive never is", path=src)
        if info.compress_type not in _METHODS:
            raise InvalidInput(f"{info.filename} uses compression method {info.compress_type}, which a study "
                               "archive does not", path=src)


def _check_digest(digest: str, expected: str, member: str, src: Path) -> None:
    if digest != expected:
        raise InvalidInput(f"checksum mismatch in {member}: the archive was changed or damaged", path=src)


class _Rows:
    """The rows of one table member, checked line by line (bounded length, JSON list of the right
    width, column values only); its checksum is compared at the end. Remembers the line numbers of
    the rows not yet stored, so a row the table refuses can be named."""

    def __init__(self, zf: zipfile.ZipFile, manifest: dict, name: str, spec: archive.TableSpec, src: Path,
                 limits: ArchiveLimits):
        self.zf, self.manifest, self.spec, self.src, self.limits = zf, manifest, spec, src, limits
        self.member = manifest["tables"][name]["member"]
        self.recent: collections.deque = collections.deque(maxlen=archive.BATCH)
        self.n = 0

    def refused_line(self, stored: int) -> int:
        """The line of the row the table refused, when `stored` rows are in it: the loader stores
        `archive.BATCH` rows at a time, and those before the refused one stay in."""
        batch = list(self.recent)[-(self.n % archive.BATCH or archive.BATCH):]
        return batch[min(max(stored - (self.n - len(batch)), 0), len(batch) - 1)][0]

    def __iter__(self) -> Iterator[tuple]:
        member, src, limit = self.member, self.src, self.limits.max_row
        width = len(self.spec.columns) + (1 if self.spec.rowid else 0)
        digest = hashlib.sha256()
        lineno = 0
        with self.zf.open(member) as fh:
            while raw := fh.readline(limit + 1):
                lineno += 1
                if len(raw) > limit and not raw.endswith(b"\n"):
                    raise InvalidInput(f"{member}:{lineno}: a row of more than {limit:,} bytes", path=src)
                digest.update(raw)
                try:
                    row = json.loads(raw)
                except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
                    raise InvalidInput(f"{member}:{lineno}: not a JSON row ({e})", path=src) from None
                if not isinstance(row, list) or len(row) != width:
                    raise InvalidInput(f"{member}:{lineno}: expected a list of {width} values", path=src)
                try:
                    values = tuple(decode(v) for v in row)
                except ValueError as e:
                    raise InvalidInput(f"{member}:{lineno}: {e}", path=src) from None
                self.recent.append((lineno, values))
                self.n += 1
                yield values
        _check_digest(digest.hexdigest(), self.manifest["members"][member], member, src)


def _check_tables(manifest: dict, have: dict[str, archive.TableSpec], src: Path) -> None:
    wanted = set(manifest["tables"])
    if wanted != set(have):
        extra, missing = sorted(wanted - set(have)), sorted(set(have) - wanted)
        raise InvalidInput("the archive's tables do not match its migrations"
                           + (f"; unknown: {', '.join(extra)}" if extra else "")
                           + (f"; missing: {', '.join(missing)}" if missing else ""), path=src)
    for name, spec in have.items():
        t = manifest["tables"][name]
        if list(spec.columns) != t.get("columns") or spec.rowid != t.get("rowid"):
            raise InvalidInput(f"table {name!r}: columns {t.get('columns')} do not match the schema"
                               f" ({list(spec.columns)})", path=src)


def _check_target(new_dir: Path) -> None:
    if Store.exists(new_dir):
        raise StudyError(f"{new_dir} already holds a study; import-study never overwrites one")
    if new_dir.exists() and (not new_dir.is_dir() or any(new_dir.iterdir())):
        raise StudyError(f"{new_dir} exists and is not an empty folder; give a new folder")


def _check_space(folder: Path, needed: int) -> None:
    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError:
        return
    if needed > free:
        raise StudyError(f"the archive unpacks to {needed:,} bytes; the disk holding {probe} has {free:,} free")


def _extract_files(zf: zipfile.ZipFile, manifest: dict, dest: Path, src: Path) -> None:
    """Write the `files/...` members into the new study folder, checking each name stays inside it
    and each checksum matches."""
    db_name = Store.db_path(".").name
    for member, expected in manifest["members"].items():
        if not member.startswith("files/"):
            continue
        rel = Path(member[len("files/"):])
        if rel.is_absolute() or ".." in rel.parts or not rel.parts or "\\" in member or "\x00" in member \
                or rel.as_posix() in {db_name, db_name + "-wal", db_name + "-shm", db_name + "-journal"} \
                or any(p.startswith(".") for p in rel.parts):
            raise InvalidInput(f"unsafe file name in the archive: {member!r}", path=src)
        target = dest / rel
        try:
            private_dir(target.parent)
            fout = create_private(target)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            raise InvalidInput(f"{member} clashes with another file of the archive", path=src) from None
        digest = hashlib.sha256()
        with zf.open(member) as fin, fout:
            while chunk := fin.read(1 << 20):
                digest.update(chunk)
                fout.write(chunk)
        _check_digest(digest.hexdigest(), expected, member, src)


def _load(zf: zipfile.ZipFile, manifest: dict, db_path: Path, src: Path, limits: ArchiveLimits) -> None:
    create_private(db_path).close()  # SQLite gives its -wal and -shm the mode of the database file
    loader = archive.StudyLoader(db_path)
    try:
        loader.create_schema(manifest["migrations"])
        have = loader.tables()
        _check_tables(manifest, have, src)
        with loader.loading():
            for name, t in manifest["tables"].items():
                rows = _Rows(zf, manifest, name, have[name], src, limits)
                try:
                    n = loader.load(have[name], rows)
                except sqlite3.IntegrityError as e:
                    line = rows.refused_line(loader.count(name))
                    raise InvalidInput(f"{rows.member}:{line}: the row breaks the table's rules ({e})",
                                       path=src) from None
                if n != t["rows"]:
                    raise InvalidInput(f"table {name!r}: {n} rows, the manifest says {t['rows']}", path=src)
            loader.set_sequences(manifest["sequences"])
    finally:
        loader.close()


def _open(src: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(src)
    except FileNotFoundError:
        raise StudyError(f"{src}: no such file") from None
    except (*_DAMAGED, OSError, ValueError) as e:
        raise InvalidInput(f"not a zip archive ({e})", path=src) from None


def import_study(archive_path: str | Path, new_dir: str | Path, *, limits: ArchiveLimits = LIMITS) -> ImportResult:
    """Make a new study in `new_dir` (absent or an empty folder) from an archive made by `export_study`."""
    src, new_dir = Path(archive_path), Path(new_dir)
    t0 = time.perf_counter()
    _check_target(new_dir)
    zf = _open(src)
    tmp = new_dir.parent / f".{new_dir.name}.import-{uuid.uuid4().hex[:8]}"
    with zf:
        total = check_zip(zf, str(src), limits.zip)
        _check_members(zf, src)
        manifest = read_manifest(zf, src, limits)
        _check_space(new_dir.parent, total)
        try:
            for member, expected in manifest["members"].items():
                if member.startswith("codebooks/"):
                    data = _read_small(zf, member, limits.max_text, src)
                    _check_digest(hashlib.sha256(data).hexdigest(), expected, member, src)
            private_dir(tmp)
            try:
                _extract_files(zf, manifest, tmp, src)
                _load(zf, manifest, Store.db_path(tmp), src, limits)
                with Store.open(tmp) as store:
                    archive_checks.verify(store, src)
                    migrations = store.schema_migrations()
                    title = store.title
                    counts = {spec.name: archive.count(store.conn, spec.name) for spec in archive.tables(store.conn)}
                    problems = archive.integrity_check(store.conn)
                if problems:
                    raise StudyError(f"the imported study failed its integrity check: {'; '.join(problems[:5])}")
                _check_target(new_dir)
                if new_dir.exists():
                    new_dir.rmdir()
                tmp.rename(new_dir)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        except _DAMAGED as e:
            raise InvalidInput(f"damaged archive ({e})", path=src) from None
        except OSError as e:
            raise os_error(e, new_dir, "importing the study") from None
        except sqlite3.Error as e:
            if "full" in str(e):
                raise os_error(OSError(errno.ENOSPC, str(e)), new_dir, "importing the study") from None
            raise InvalidInput(f"the archive's rows do not make a study: {e}", path=src) from None
    return ImportResult(path=new_dir, title=title, tables=counts, migrations=migrations,
                        upgraded_with=[m for m in migrations if m not in manifest["migrations"]],
                        seconds=time.perf_counter() - t0)
