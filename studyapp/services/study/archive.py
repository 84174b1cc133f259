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

import hashlib
import json
import os
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from studyapp import __version__
from studyapp.domain.roles import require_lead
from studyapp.errors import StudyError
from studyapp.files import claimed, clean_stale, os_error, private_dir, temp_name
from studyapp.services.study.archive_format import FORMAT, FORMAT_VERSION, MANIFEST, encode, member_name
from studyapp.services.study.archive_import import ImportResult, import_study, read_manifest
from studyapp.store import Store, archive
from studyapp.store.columns import now

__all__ = ["ExportResult", "ImportResult", "export_study", "import_study", "read_manifest", "study_files"]
_CHUNK = 1_000


@dataclass(frozen=True)
class ExportResult:
    path: Path
    tables: dict[str, int]
    migrations: list[str]
    bytes: int
    seconds: float


def _write_table(zf: zipfile.ZipFile, conn, spec: archive.TableSpec) -> tuple[str, int, str]:
    member, digest, n = member_name(spec.name), hashlib.sha256(), 0
    with zf.open(member, "w", force_zip64=True) as fh:
        lines: list[str] = []
        for row in archive.rows(conn, spec):
            lines.append(json.dumps([encode(v) for v in row], ensure_ascii=False))
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
    tmp = temp_name(out, ".partial")
    t0 = time.perf_counter()
    try:
        private_dir(out.parent)
        clean_stale(out.parent, f".{out.name}.*.partial")  # left by a killed export
        with claimed(tmp) as fh, zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf, \
                archive.read_snapshot(store.conn):
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
    except OSError as e:
        raise os_error(e, out, "writing the archive") from None
    finally:
        tmp.unlink(missing_ok=True)
    return ExportResult(path=out, tables={k: t["rows"] for k, t in tables.items()},
                        migrations=manifest["migrations"], bytes=out.stat().st_size,
                        seconds=time.perf_counter() - t0)
