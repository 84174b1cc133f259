"""Opening a REFI-QDA project file: a `.qdpx` archive, or a bare `project.qde` with its sources.

Why a module of its own: every way of getting a project's bytes (a zip, a folder, an upload) has the
same failure modes to report before anything is parsed: not a zip, no `project.qde`, a member too
large to hold, a source file that is not text. The contract: `open_project(path)` or
`read_project(name, data)` returns a `Package` (the parsed `Project`, the `studyapp.json`
metadata when the archive carries one, and where each message should point), or raises
`InvalidInput` naming the file (and the member inside the archive).

Source files are looked up as the tools write them: `internal://x.txt` is `sources/x.txt`
(the standard's folder), `Sources/x.txt` (NVivo, MAXQDA) or `x.txt` at the top, in any letter case.
Nothing is extracted to disk, so member names cannot escape anywhere; a bare `.qde` reads its
sources only from the folder it sits in (no `..`, no absolute paths, no symlink that leads out).

A project is untrusted: the zip is checked before anything is read (`zip_limits.check_zip`: no
member beyond `MAX_MEMBER_BYTES` or packed more than 200:1, no overlapping entries, a bounded member
count), and everything read (the XML and every source, once per reference: twenty sources pointing
at one member count twenty times, as they would be stored twenty times) counts against
`MAX_READ_BYTES`. Media members a project carries but studyapp never reads (audio, PDFs) only count
as their entries.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable

from studyapp.errors import InvalidInput
from studyapp.interop import refi_read
from studyapp.interop.refi_model import Project
from studyapp.readers.text import decode_text
from studyapp.zip_limits import ReadBudget, ZipLimits, check_zip

PROJECT_MEMBER = "project.qde"
META_MEMBER = "studyapp.json"
#: The largest member (uncompressed) read from an archive: projects are text; this refuses zip bombs.
MAX_MEMBER_BYTES = 256 * 1024 * 1024
#: Everything read from one project, each reference counted: far above real projects (a hundred
#: interviews are ~20 MB of text), far below what exhausts memory or disk.
MAX_READ_BYTES = 1024 * 1024 * 1024


def _limits() -> ZipLimits:
    # entries studyapp never reads (media) may be large; what it reads is held to MAX_READ_BYTES
    return ZipLimits(max_total=1 << 50, max_member=1 << 50, max_ratio=200.0, max_members=100_000)


@dataclass
class Package:
    """A parsed project: `name` is the file as messages name it, `where` its project.qde (for
    messages with a line), `qde` the XML's bytes, `meta` the studyapp.json beside it, if any."""
    name: str
    where: str
    project: Project
    qde: bytes
    meta: dict | None


def _member_name(name: str) -> str | None:
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts or not p.parts:
        return None
    return p.as_posix()


def _candidates(name: str) -> list[str]:
    base = PurePosixPath(name).name
    return [name, f"sources/{name}", f"sources/{base}", base]


def _zip_reader(zf: zipfile.ZipFile, label: str, budget: ReadBudget) -> Callable[[str], str | None]:
    by_fold = {}
    for info in zf.infolist():
        if not info.is_dir():
            by_fold.setdefault(info.filename.casefold(), info)
    texts: dict[str, str] = {}

    def read(name: str) -> str | None:
        clean = _member_name(name)
        if clean is None:
            return None
        for cand in _candidates(clean):
            info = by_fold.get(cand.casefold())
            if info is not None:
                budget.take(info.file_size, info.filename)
                if info.filename not in texts:
                    texts[info.filename] = decode_text(_read_member(zf, info, label), f"{label} ({info.filename})", strict=True)
                return texts[info.filename]
        return None
    return read


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> bytes:
    if info.file_size > MAX_MEMBER_BYTES:
        raise InvalidInput(f"{info.filename} is {info.file_size:,} bytes unpacked, more than the "
                           f"{MAX_MEMBER_BYTES:,} a project member may have", path=label)
    try:
        return zf.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, RuntimeError,
            NotImplementedError) as e:
        raise InvalidInput(f"cannot read {info.filename} from the archive: {e}", path=label) from None


def _inside(folder: Path, p: Path) -> Path | None:
    """`p` when it is a file whose real path (symlinks followed) stays inside `folder`."""
    try:
        real = p.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return real if real.is_file() and real.is_relative_to(folder) else None


def _folder_reader(folder: Path, label: str, budget: ReadBudget) -> Callable[[str], str | None]:
    root = folder.resolve()

    def read(name: str) -> str | None:
        clean = _member_name(name)
        if clean is None:
            return None
        for cand in _candidates(clean):
            for p in (folder / cand, folder / cand.replace("sources/", "Sources/", 1)):
                if not p.is_file() and not p.is_symlink():
                    continue
                real = _inside(root, p)
                if real is None:
                    raise InvalidInput(f"{cand} leads out of the project's folder (a symlink?); a project reads "
                                       "its sources only from its own folder", path=label)
                size = real.stat().st_size
                if size > MAX_MEMBER_BYTES:
                    raise InvalidInput(f"{cand} is {size:,} bytes, more than the {MAX_MEMBER_BYTES:,} a project "
                                       "source may have", path=label)
                budget.take(size, cand)
                try:
                    return decode_text(real.read_bytes(), str(p), strict=True)
                except OSError as e:
                    raise InvalidInput(f"cannot read {cand}: {e.strerror or e}", path=label) from None
        return None
    return read


def _meta(zf: zipfile.ZipFile, label: str) -> dict | None:
    info = next((i for i in zf.infolist() if i.filename == META_MEMBER), None)
    if info is None:
        return None
    try:
        meta = json.loads(_read_member(zf, info, label).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None  # not ours, or damaged: the project is read as any other tool's
    return meta if isinstance(meta, dict) else None


def read_project(name: str, data: bytes) -> Package:
    """A project from bytes: a `.qdpx` zip, or the XML of a `.qde` (sources inline only)."""
    label = Path(name).name if name else "project"
    if data[:4] == b"PK\x03\x04" or zipfile.is_zipfile(io.BytesIO(data)):
        return _from_zip(label, io.BytesIO(data))
    if name.lower().endswith(".qdpx"):
        raise InvalidInput("not a zip archive (a .qdpx project is a zip holding project.qde)", path=label)
    return _from_qde(label, data, lambda _name: None)


def open_project(path: str | Path) -> Package:
    """A project from a file: a `.qdpx` archive, or a bare `.qde` whose `internal://` sources are
    read from `sources/` beside it."""
    path = Path(path)
    try:
        if zipfile.is_zipfile(path):
            return _from_zip(str(path), path)
        data = path.read_bytes()
    except OSError as e:
        raise InvalidInput(f"cannot read the file: {e.strerror or e}", path=str(path)) from None
    if path.suffix.lower() == ".qdpx":
        raise InvalidInput("not a zip archive (a .qdpx project is a zip holding project.qde)", path=str(path))
    budget = ReadBudget(MAX_READ_BYTES, str(path), "project bytes")
    budget.take(len(data), path.name)
    return _from_qde(str(path), data, _folder_reader(path.parent, str(path), budget))


def _from_zip(label: str, source) -> Package:
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as e:
        raise InvalidInput(f"not a readable zip archive: {e}", path=label) from None
    with zf:
        check_zip(zf, label, _limits())
        budget = ReadBudget(MAX_READ_BYTES, label, "project bytes")
        top = _project_member(zf, label)
        budget.take(top.file_size, top.filename)
        data = _read_member(zf, top, label)
        reader = _zip_reader(zf, label, budget)
        prefix = top.filename[: -len(PurePosixPath(top.filename).name)]
        read = (lambda n: reader(prefix + n) or reader(n)) if prefix else reader
        where = f"{label} ({top.filename})"
        return Package(label, where, refi_read.parse_project(data, where, read), data, _meta(zf, label))


def _project_member(zf: zipfile.ZipFile, label: str) -> zipfile.ZipInfo:
    """The archive's project file: `project.qde` as the standard names it (the shallowest, when a
    tool nests it in a folder), else the one `.qde` ATLAS.ti writes under the project's own name
    (`Interviews.qde`). Several `.qde` files and no `project.qde` is ambiguous and refused."""
    files = [i for i in zf.infolist() if not i.is_dir()]
    named = [i for i in files if PurePosixPath(i.filename).name.casefold() == PROJECT_MEMBER]
    if named:
        return min(named, key=lambda i: i.filename.count("/"))
    qde = [i for i in files if PurePosixPath(i.filename).suffix.casefold() == ".qde"]
    if not qde:
        raise InvalidInput("the archive holds no project.qde, so it is not a REFI-QDA project", path=label)
    depth = min(i.filename.count("/") for i in qde)
    top = [i for i in qde if i.filename.count("/") == depth]
    if len(top) > 1:
        raise InvalidInput("the archive holds several project files and no project.qde: "
                           + ", ".join(sorted(i.filename for i in top)[:5]), path=label)
    return top[0]


def _from_qde(label: str, data: bytes, read: Callable[[str], str | None]) -> Package:
    return Package(label, label, refi_read.parse_project(data, label, read), data, None)
