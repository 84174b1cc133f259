"""Whole-study archives: export -> import-study gives back every row of every table, ids included;
a damaged, altered or too-new archive is refused and nothing is written; an existing study is never
overwritten."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from studyapp.cli import main
from studyapp.errors import InvalidInput, StudyError
from studyapp.services.publish import exports
from studyapp.services.study.archive import export_study, import_study
from studyapp.services.study.study import status
from studyapp.store import Store, archive
from studyapp.store import migrations as schema


def _status(store: Store) -> dict:
    st = status(store)
    st.pop("path")
    return st


def _assert_same(a: Store, b: Store) -> None:
    ra, rb = archive.all_rows(a.conn), archive.all_rows(b.conn)
    assert sorted(ra) == sorted(rb)
    for table in ra:
        assert ra[table] == rb[table], f"table {table} differs after the round trip"
    assert _status(a) == _status(b)
    assert a.change_counter() == b.change_counter()


def _rewrite(src: Path, dst: Path, change) -> None:
    """Copy a zip member by member, letting `change(name, data)` return new data (or None to drop)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            data = change(name, zin.read(name))
            if data is not None:
                zout.writestr(name, data)


def test_round_trip_keeps_every_row_of_every_table(busy_study, tmp_path):
    out = tmp_path / "study.zip"
    result = export_study(busy_study, out)
    assert result.tables["annotations"] == busy_study.annotations.count()
    r = import_study(out, tmp_path / "copy")
    assert r.upgraded_with == []
    with Store.open(tmp_path / "copy") as copy:
        _assert_same(busy_study, copy)
        assert copy.annotations.replay() == copy.annotations.current_rows()
        assert copy.finals.replay() == copy.finals.current_rows()
        [v1, v2] = copy.codebooks.versions("tiny")
        assert copy.codebooks.get_version(v2["id"])["yaml"] == busy_study.codebooks.get_version(v2["id"])["yaml"]
        assert v1["hash"] != v2["hash"]
        assert copy.units.by_key("defect", "D4")["attrs"] == {"repo": "o/r", "labels": ["bug"], "n": 3}


def test_the_demo_study_round_trips(tmp_path, demo_copy):
    """The demo uses every feature (papers, transcripts and spans, defects, claims and their files)."""
    demo = demo_copy
    export_study(Store.open(demo), tmp_path / "demo.zip")
    import_study(tmp_path / "demo.zip", tmp_path / "copy")
    with Store.open(demo) as a, Store.open(tmp_path / "copy") as b:
        _assert_same(a, b)
        assert sum(archive.count(a.conn, t.name) > 0 for t in archive.tables(a.conn)) >= 12
    from studyapp.services.study.archive import study_files

    assert study_files(demo) == study_files(tmp_path / "copy")
    for rel in study_files(demo):
        assert (demo / rel).read_bytes() == (tmp_path / "copy" / rel).read_bytes()


def test_manifest_lists_migrations_counts_and_checksums(busy_study, tmp_path):
    out = tmp_path / "study.zip"
    export_study(busy_study, out)
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["migrations"] == busy_study.schema_migrations()
        assert manifest["tables"]["history"]["rows"] == busy_study.history.count()
        assert set(manifest["members"]) == set(zf.namelist()) - {"manifest.json"}
        assert "codebooks/tiny/1.yaml" in manifest["members"]
    assert set(manifest["tables"]) == {t.name for t in archive.tables(busy_study.conn)}


def test_every_feature_table_travels_without_code_changes(study, tmp_path, monkeypatch):
    """A table a feature adds in a new migration is found in sqlite_master and round-trips."""
    def x_notes(db):
        db.execute("CREATE TABLE x_notes (id INTEGER PRIMARY KEY, unit_id INTEGER REFERENCES units(id),"
                   " body BLOB, score REAL, tag)")

    monkeypatch.setattr(schema.migrations, "_migrations", list(schema.migrations._migrations))
    schema.migrations(name="x_notes_001")(x_notes)
    store = Store.open(study.folder)
    uid = store.units.by_key("defect", "D1")["id"]
    store.conn.executemany("INSERT INTO x_notes (unit_id, body, score, tag) VALUES (?, ?, ?, ?)",
                           [(uid, b"\x00\xffbytes", 0.1, 7), (uid, None, 1e300, "text"), (None, b"", -0.0, 2.0)])
    store.conn.execute("DELETE FROM x_notes WHERE id = 1")
    export_study(store, tmp_path / "x.zip")
    import_study(tmp_path / "x.zip", tmp_path / "copy")
    with Store.open(tmp_path / "copy") as copy:
        _assert_same(store, copy)
        assert [r[0] for r in copy.conn.execute("SELECT id FROM x_notes")] == [2, 3]
    store.close()


def test_an_older_study_is_upgraded_after_import(tmp_path):
    last = archive.known_migrations()[-1]
    (tmp_path / "old").mkdir()
    old = Store._connect(tmp_path / "old", stop_before=last)
    old.set_meta("title", "old study")
    export_study(old, tmp_path / "old.zip")
    r = import_study(tmp_path / "old.zip", tmp_path / "new")
    assert r.upgraded_with == [last]
    with Store.open(tmp_path / "new") as new:
        assert new.title == "old study" and last in new.schema_migrations()
    old.close()


def test_the_study_folder_files_travel_too(busy_study, tmp_path):
    (busy_study.folder / "claims").mkdir()
    (busy_study.folder / "claims" / "npm.csv").write_text("name,downloads\nleft-pad,1\n", encoding="utf-8")
    export_study(busy_study, tmp_path / "s.zip")
    import_study(tmp_path / "s.zip", tmp_path / "copy")
    assert (tmp_path / "copy" / "claims" / "npm.csv").read_text(encoding="utf-8") == "name,downloads\nleft-pad,1\n"


@pytest.fixture
def exported(busy_study, tmp_path) -> Path:
    out = tmp_path / "good.zip"
    export_study(busy_study, out)
    return out


def _refused(src: Path, target: Path, match: str, err=InvalidInput) -> None:
    with pytest.raises(err, match=match):
        import_study(src, target)
    assert not target.exists()
    assert not [p for p in target.parent.iterdir() if p.name.startswith(f".{target.name}.")]


def test_a_changed_row_fails_its_checksum(exported, tmp_path):
    bad = tmp_path / "bad.zip"
    _rewrite(exported, bad, lambda n, d: d.replace(b'"env"', b'"train"', 1) if n == "tables/annotations.jsonl" else d)
    _refused(bad, tmp_path / "copy", "checksum mismatch in tables/annotations.jsonl")


def test_a_changed_manifest_count_or_member_list_is_refused(exported, tmp_path):
    def fewer_rows(name, data):
        if name != "manifest.json":
            return data
        m = json.loads(data)
        m["tables"]["history"]["rows"] -= 1
        return json.dumps(m)

    _rewrite(exported, tmp_path / "a.zip", fewer_rows)
    _refused(tmp_path / "a.zip", tmp_path / "copy", "table 'history': .* rows, the manifest says")
    _rewrite(exported, tmp_path / "b.zip", lambda n, d: None if n == "tables/memos.jsonl" else d)
    _refused(tmp_path / "b.zip", tmp_path / "copy", "missing: tables/memos.jsonl")
    with zipfile.ZipFile(tmp_path / "b.zip", "a") as zf:
        zf.writestr("tables/memos.jsonl", b"")
        zf.writestr("../evil.txt", b"x")
    _refused(tmp_path / "b.zip", tmp_path / "copy", "not listed: ../evil.txt")


def test_a_newer_studyapp_archive_is_refused(exported, tmp_path):
    def newer(name, data):
        if name != "manifest.json":
            return data
        m = json.loads(data)
        m["migrations"].append("m999_from_the_future")
        return json.dumps(m)

    _rewrite(exported, tmp_path / "new.zip", newer)
    _refused(tmp_path / "new.zip", tmp_path / "copy", "newer studyapp.*m999_from_the_future", StudyError)


def test_not_a_zip_or_not_an_archive(tmp_path):
    (tmp_path / "x.zip").write_bytes(b"PK\x03\x04 truncated")
    _refused(tmp_path / "x.zip", tmp_path / "copy", "not a zip archive")
    with zipfile.ZipFile(tmp_path / "y.zip", "w") as zf:
        zf.writestr("hello.txt", "hi")
    _refused(tmp_path / "y.zip", tmp_path / "copy", "no manifest.json")


def test_import_never_overwrites_a_study_or_a_folder_with_files(exported, busy_study, tmp_path):
    before = Store.db_path(busy_study.folder).read_bytes()
    with pytest.raises(StudyError, match="already holds a study"):
        import_study(exported, busy_study.folder)
    assert Store.db_path(busy_study.folder).read_bytes() == before
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")
    with pytest.raises(StudyError, match="not an empty folder"):
        import_study(exported, tmp_path / "full")
    (tmp_path / "empty").mkdir()
    import_study(exported, tmp_path / "empty")
    assert Store.exists(tmp_path / "empty")


def test_export_picks_the_format_by_suffix(busy_study, tmp_path, monkeypatch):
    with pytest.raises(StudyError, match=r"no exporter for \.nope"):
        exports.export(busy_study, tmp_path / "s.nope")
    assert not (tmp_path / "s.nope").exists()
    seen = []
    monkeypatch.setitem(exports.EXPORTERS, ".fake", lambda store, out, **opts: seen.append((out.name, opts)))
    exports.export(busy_study, tmp_path / "s.FAKE", force=True)
    assert seen == [("s.FAKE", {"force": True})]
    assert ".zip" in exports.formats()


def test_export_keeps_an_existing_file_and_only_a_lead_exports(busy_study, tmp_path):
    (tmp_path / "s.zip").write_bytes(b"precious")
    with pytest.raises(StudyError, match="exists already"):
        export_study(busy_study, tmp_path / "s.zip")
    assert (tmp_path / "s.zip").read_bytes() == b"precious"
    from studyapp.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        export_study(busy_study, tmp_path / "t.zip", actor="bob")
    export_study(busy_study, tmp_path / "t.zip", actor="lea")


def test_cli_export_import_and_status(busy_study, tmp_path):
    run = CliRunner().invoke
    folder = str(busy_study.folder)
    r = run(main, ["export", folder, str(tmp_path / "s.zip")])
    assert r.exit_code == 0, r.output
    r = run(main, ["export", folder, str(tmp_path / "s.nope")])
    assert r.exit_code == 2 and "no exporter for .nope" in r.output
    r = run(main, ["import-study", str(tmp_path / "s.zip"), str(tmp_path / "copy")])
    assert r.exit_code == 0 and "imported 'Tiny'" in r.output
    r = run(main, ["import-study", str(tmp_path / "s.zip"), str(tmp_path / "copy")])
    assert r.exit_code == 2 and "never overwrites" in r.output
    a = json.loads(run(main, ["status", folder, "--format", "json"]).output)
    b = json.loads(run(main, ["status", str(tmp_path / "copy"), "--format", "json"]).output)
    a.pop("path"), b.pop("path")
    assert a == b
