"""Whole-study archives: `export_study` writes a zip that `import_study` turns back into the same study.

Everything travels: codebook versions (YAML text and hashes), coders, rounds, units with their
attributes, imports, annotations, finals, the whole history, memos, claims, and every table a feature
added (papers, spans, defects...), because tables are discovered from the schema, not listed.
Ids and rowids are kept, so after `import_study` every table holds exactly the rows it held.

Layout of the zip:
  manifest.json                     format, studyapp version, title, applied migrations, per table its
                                    columns, rowid flag, row count and member; a sha256 per member
  tables/<table>.jsonl              one JSON array per row (rowid first when dumped); blobs as {"$b64": ...}
  codebooks/<codebook>/<id>.yaml    each stored codebook version's text, for people reading the archive
  files/<path>                      the study folder's other files (claims' data files, datasets/...):
                                    claims' relative paths resolve against the study folder

The export reads one snapshot (safe while coders write). The import refuses a zip whose manifest or
checksums do not match, or whose migrations this studyapp does not know (made by a newer version),
and never writes into an existing study: it builds the study in a hidden folder beside NEWDIR and
renames it into place only when every row is in, counted, checked and the file passes an integrity
check. Newer migrations than the archive's are then applied as for any older study.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

from studyapp import __version__
from studyapp.domain.roles import require_lead
from studyapp.errors import InvalidInput, StudyError
from studyapp.store import Store, archive
from studyapp.store.columns import now

FORMAT = "studyapp-study"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_CHUNK = 1_000


@dataclass(frozen=True)
class ExportResult:
    path: Path
    tables: dict[str, int]
    migrations: list[str]
    bytes: int
    seconds: float


@dataclass(frozen=True)
class ImportResult:
    path: Path
    title: str
    tables: dict[str, int]
    migrations: list[str]
    upgraded_with: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _encode(v: Any) -> Any:
    return {"$b64": base64.b64encode(v).decode("ascii")} if isinstance(v, (bytes, memoryview)) else v


def _decode(v: Any) -> Any:
    return base64.b64decode(v["$b64"]) if isinstance(v, dict) else v


def _member(table: str) -> str:
    return f"tables/{quote(table, safe='')}.jsonl"


def _write_table(zf: zipfile.ZipFile, conn, spec: archive.TableSpec) -> tuple[str, int, str]:
    member, digest, n = _member(spec.name), hashlib.sha256(), 0
    with zf.open(member, "w", force_zip64=True) as fh:
        lines: list[str] = []
        for row in archive.rows(conn, spec):
            lines.append(json.dumps([_encode(v) for v in row], ensure_ascii=False))
            n += 1
            if len(lines) >= _CHUNK:
                data = ("\n".join(lines) + "\n").encode("utf-8")
                digest.update(data)
                fh.write(data)
                lines = []
        if lines:
            data = ("\n".join(lines) + "\n").encode("utf-8")
            digest.update(data)
            fh.write(data)
    return member, n, digest.hexdigest()


def study_files(folder: Path) -> list[Path]:
    """The study folder's own files besides the database: no hidden files, no symlinks, no SQLite
    journals of study.db."""
    db = Store.db_path(folder).name
    skip = {db, db + "-wal", db + "-shm", db + "-journal"}
    out = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or p.is_symlink() or not p.is_file():
            continue
        if len(rel.parts) == 1 and rel.name in skip:
            continue
        out.append(rel)
    return out


def _write_file(zf: zipfile.ZipFile, src: Path, member: str) -> str:
    digest = hashlib.sha256()
    with open(src, "rb") as fin, zf.open(member, "w", force_zip64=True) as fout:
        while chunk := fin.read(1 << 20):
            digest.update(chunk)
            fout.write(chunk)
    return digest.hexdigest()


def export_study(store: Store, out_path: str | Path, *, actor: str | None = None, force: bool = False,
                 files: bool = True, **_: Any) -> ExportResult:
    """Write the whole study to the zip `out_path` (see the module docstring). With `actor`, only a
    lead may export (the archive holds every coder's values). An existing file is kept unless `force`.
    `files=False` leaves out the study folder's other files (large datasets, say)."""
    if actor is not None:
        require_lead(store, actor, "export a study")
    out = Path(out_path)
    if out.exists() and not force:
        raise StudyError(f"{out} exists already (use --force to replace it)")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.partial")
    t0 = time.perf_counter()
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf, archive.read_snapshot(store.conn):
            members: dict[str, str] = {}
            tables: dict[str, dict] = {}
            for spec in archive.tables(store.conn):
                member, n, digest = _write_table(zf, store.conn, spec)
                members[member] = digest
                tables[spec.name] = {**spec.as_dict(), "rows": n, "member": member}
            for latest in store.codebooks.list_latest():
                for v in store.codebooks.versions(latest["codebook"]):
                    text = store.codebooks.get_version(v["id"])["yaml"].encode("utf-8")
                    member = f"codebooks/{quote(v['codebook'], safe='')}/{v['id']}.yaml"
                    zf.writestr(member, text)
                    members[member] = hashlib.sha256(text).hexdigest()
            folder = Path(store.folder)
            for rel in study_files(folder) if files else []:
                if (folder / rel).resolve() == out.resolve():
                    continue
                member = "files/" + rel.as_posix()
                members[member] = _write_file(zf, folder / rel, member)
            manifest = {
                "format": FORMAT, "format_version": FORMAT_VERSION, "studyapp_version": __version__,
                "exported_at": now(), "exported_by": actor, "title": store.title,
                "change_counter": store.change_counter(), "migrations": store.schema_migrations(),
                "sequences": archive.sequences(store.conn), "tables": tables, "members": members,
            }
            zf.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return ExportResult(path=out, tables={k: t["rows"] for k, t in tables.items()},
                        migrations=manifest["migrations"], bytes=out.stat().st_size,
                        seconds=time.perf_counter() - t0)



# import -------------------------------------------------------------------------------------------

def read_manifest(zf: zipfile.ZipFile, src: Path) -> dict:
    """The archive's manifest, checked for shape, format version, members and known migrations."""
    try:
        manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except KeyError:
        raise InvalidInput(f"not a studyapp study archive: no {MANIFEST}", path=src) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
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
    for name, t in manifest["tables"].items():
        if not isinstance(t, dict) or t.get("member") not in listed or not isinstance(t.get("rows"), int):
            raise InvalidInput(f"{MANIFEST}: table {name!r} has no member or row count", path=src)
    return manifest


def _check_digest(digest: str, expected: str, member: str, src: Path) -> None:
    if digest != expected:
        raise InvalidInput(f"checksum mismatch in {member}: the archive was changed or damaged", path=src)


def _rows(zf: zipfile.ZipFile, manifest: dict, name: str, spec: archive.TableSpec, src: Path) -> Iterator[tuple]:
    """The rows of one table member, checked line by line; its checksum is compared at the end."""
    t = manifest["tables"][name]
    member, width = t["member"], len(spec.columns) + (1 if spec.rowid else 0)
    digest = hashlib.sha256()
    with zf.open(member) as fh:
        for lineno, raw in enumerate(fh, start=1):
            digest.update(raw)
            try:
                row = json.loads(raw)
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise InvalidInput(f"{member}:{lineno}: not a JSON row ({e})", path=src) from None
            if not isinstance(row, list) or len(row) != width:
                raise InvalidInput(f"{member}:{lineno}: expected a list of {width} values", path=src)
            yield tuple(_decode(v) for v in row)
    _check_digest(digest.hexdigest(), manifest["members"][member], member, src)


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


def _extract_files(zf: zipfile.ZipFile, manifest: dict, dest: Path, src: Path) -> None:
    """Write the `files/...` members into the new study folder, checking each name stays inside it
    and each checksum matches."""
    for member, expected in manifest["members"].items():
        if not member.startswith("files/"):
            continue
        rel = Path(member[len("files/"):])
        if rel.is_absolute() or ".." in rel.parts or not rel.parts or "\\" in member \
                or rel.as_posix() in {Store.db_path(".").name} or any(p.startswith(".") for p in rel.parts):
            raise InvalidInput(f"unsafe file name in the archive: {member!r}", path=src)
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with zf.open(member) as fin, open(target, "wb") as fout:
            while chunk := fin.read(1 << 20):
                digest.update(chunk)
                fout.write(chunk)
        _check_digest(digest.hexdigest(), expected, member, src)


def _load(zf: zipfile.ZipFile, manifest: dict, db_path: Path, src: Path) -> None:
    loader = archive.StudyLoader(db_path)
    try:
        loader.create_schema(manifest["migrations"])
        have = loader.tables()
        _check_tables(manifest, have, src)
        with loader.loading():
            for name, t in manifest["tables"].items():
                n = loader.load(have[name], _rows(zf, manifest, name, have[name], src))
                if n != t["rows"]:
                    raise InvalidInput(f"table {name!r}: {n} rows, the manifest says {t['rows']}", path=src)
            loader.set_sequences(manifest["sequences"])
    finally:
        loader.close()


def import_study(archive_path: str | Path, new_dir: str | Path) -> ImportResult:
    """Make a new study in `new_dir` (absent or an empty folder) from an archive made by `export_study`."""
    src, new_dir = Path(archive_path), Path(new_dir)
    t0 = time.perf_counter()
    _check_target(new_dir)
    try:
        zf = zipfile.ZipFile(src)
    except FileNotFoundError:
        raise StudyError(f"{src}: no such file") from None
    except (zipfile.BadZipFile, OSError) as e:
        raise InvalidInput(f"not a zip archive ({e})", path=src) from None
    tmp = new_dir.parent / f".{new_dir.name}.import-{uuid.uuid4().hex[:8]}"
    with zf:
        manifest = read_manifest(zf, src)
        for member, expected in manifest["members"].items():
            if not member.startswith(("tables/", "files/")):
                _check_digest(hashlib.sha256(zf.read(member)).hexdigest(), expected, member, src)
        tmp.mkdir(parents=True)
        try:
            try:
                _extract_files(zf, manifest, tmp, src)
                _load(zf, manifest, Store.db_path(tmp), src)
            except zipfile.BadZipFile as e:
                raise InvalidInput(f"damaged archive ({e})", path=src) from None
            with Store.open(tmp) as store:
                migrations = store.schema_migrations()
                title = store.title
                counts = {spec.name: archive.count(store.conn, spec.name) for spec in archive.tables(store.conn)}
                problems = archive.integrity_check(store.conn)
            if problems:
                raise StudyError(f"the imported study failed its integrity check: {'; '.join(problems[:5])}")
            _check_target(new_dir)
            if new_dir.exists():
                new_dir.rmdir()
            os.rename(tmp, new_dir)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return ImportResult(path=new_dir, title=title, tables=counts, migrations=migrations,
                        upgraded_with=[m for m in migrations if m not in manifest["migrations"]],
                        seconds=time.perf_counter() - t0)
