"""Archive attacks on `import-study` and REFI-QDA projects: expansion bombs (ratio, total, member
count, overlapping entries, one member referenced many times, long rows, a huge manifest), YAML
alias bombs, damaged archives that must end in a message (never a traceback), forged archives whose
checksums were recomputed, and symlinks out of a bare project's folder. Every refusal leaves
nothing behind. The limits are lowered per test, so the bombs stay small."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from studyapp.errors import InvalidCodebook, InvalidInput
from studyapp.services.study.archive import import_study
from tests.security._zips import forge, jsonl, overlapping, rows_of, set_flag, with_members
from tests.security.conftest import run_cli

MiB = 2 ** 20


def ArchiveLimits(**kw):  # noqa: N802 (imported late: the attack suite also runs on code without the limits)
    from studyapp.services.study.archive_format import ArchiveLimits as Limits

    return Limits(**kw)


def ZipLimits(**kw):  # noqa: N802
    from studyapp.zip_limits import ZipLimits as Limits

    return Limits(**kw)


def _refused(src: Path, target: Path, match: str, err=InvalidInput, **kw) -> None:
    with pytest.raises(err, match=match):
        import_study(src, target, **kw)
    assert not target.exists()
    assert not [p for p in target.parent.iterdir() if p.name.startswith(f".{target.name}.")]


# -- expansion bombs ----------------------------------------------------------------------------
def test_a_high_ratio_member_is_refused_before_it_is_unpacked(exported, tmp_path):
    """8 MiB of zeros pack into 8 KB (1000:1): refused by the default ratio limit, nothing written."""
    bomb = with_members(exported, tmp_path / "bomb.zip", {"files/big.bin": b"\0" * (8 * MiB)})
    _refused(bomb, tmp_path / "copy", r"files/big.bin packs 8.0 MiB into .* zip bomb")


def test_the_unpacked_total_is_capped(exported, tmp_path):
    grown = forge(exported, tmp_path / "grown.zip",
                  lambda n, d: d + jsonl([[10_000 + i, "defect", f"X{i}", "t" * 50, None, None, None, None, None,
                                           "2024-01-01"] for i in range(2000)]) if n == "tables/units.jsonl" else d)
    _refused(grown, tmp_path / "copy", r"unpacks to [0-9,]+ bytes, more than the 65,536 bytes",
             limits=ArchiveLimits(zip=ZipLimits(max_total=64 * 1024)))


def test_the_member_count_is_capped(exported, tmp_path):
    _refused(exported, tmp_path / "copy", r"members, more than the 5",
             limits=ArchiveLimits(zip=ZipLimits(max_members=5)))


def test_overlapping_entries_are_refused(tmp_path):
    """One 1 MiB member listed 50 times (50 MiB from a 1 KB zip), as the manifest would need it."""
    bomb = overlapping(tmp_path / "overlap.zip", "files/a.bin", b"\0" * MiB, 50)
    _refused(bomb, tmp_path / "copy", "members overlap")


def test_a_row_longer_than_the_limit_is_refused(exported, tmp_path):
    long = forge(exported, tmp_path / "long.zip",
                 lambda n, d: d.replace(b'"body"', b'"' + b"x" * 200_000 + b'"', 1) if n == "tables/units.jsonl" else d)
    _refused(long, tmp_path / "copy", r"tables/units.jsonl:1: a row of more than 100,000 bytes",
             limits=ArchiveLimits(max_row=100_000))


def test_a_manifest_larger_than_the_limit_is_refused(exported, tmp_path):
    _refused(exported, tmp_path / "copy", r"manifest.json is .* bytes, more than the 100",
             limits=ArchiveLimits(max_manifest=100))


# -- damaged and malformed archives: a message, never a traceback ---------------------------------
def _units_edit(fn):
    def edit(name, data):
        if name != "tables/units.jsonl":
            return data
        rows = rows_of(data)
        fn(rows)
        return jsonl(rows)
    return edit


MALFORMED = {
    "a blob that is not base64": (_units_edit(lambda r: r[0].__setitem__(5, {"$b64": "!!"})), "not base64"),
    "a mapping value": (_units_edit(lambda r: r[0].__setitem__(5, {"x": 1})), "not an encoded blob"),
    "a list value": (_units_edit(lambda r: r[0].__setitem__(5, [1, 2])), "a list is not a column value"),
    "an integer beyond 64 bits": (_units_edit(lambda r: r[0].__setitem__(0, 2 ** 70)), "does not fit SQLite"),
    "a row nested 100k deep": (lambda n, d: d + b"[" * 100_000 + b"\n" if n == "tables/units.jsonl" else d,
                               "not a JSON row|expected a list"),
    "a NULL where the schema says NOT NULL": (_units_edit(lambda r: r[1].__setitem__(2, None)),
                                              r"units.jsonl:2: the row breaks the table's rules.*NOT NULL"),
    "two rows with one key": (_units_edit(lambda r: r[2].__setitem__(3, r[1][3])),
                              r"units.jsonl:3: the row breaks .*UNIQUE"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_rows_are_named_by_member_and_line(exported, tmp_path, case):
    edit, match = MALFORMED[case]
    bad = forge(exported, tmp_path / "bad.zip", edit)
    _refused(bad, tmp_path / "copy", match)
    out = run_cli("import-study", bad, tmp_path / "copy2")
    assert "error:" in out and "bad.zip" in out


MANIFESTS = {
    "a member's digest is not text": (lambda m: m["members"].update({"tables/units.jsonl": 7}), "is not one"),
    "a table's member is another table's": (lambda m: m["tables"]["units"].update({"member": "tables/coders.jsonl"}),
                                            "has no member"),
    "a sequence is not a number": (lambda m: m["sequences"].update({"units": "x"}), "is not a number"),
}


@pytest.mark.parametrize("case", list(MANIFESTS))
def test_manifests_of_the_wrong_shape(exported, tmp_path, case):
    change, match = MANIFESTS[case]
    bad = forge(exported, tmp_path / "bad.zip", lambda n, d: d, manifest=change)
    _refused(bad, tmp_path / "copy", match)
    run_cli("import-study", bad, tmp_path / "copy")


def test_a_manifest_nested_100k_deep(exported, tmp_path):
    with zipfile.ZipFile(exported) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["manifest.json"] = b"[" * 100_000
    deep = tmp_path / "deep.zip"
    with zipfile.ZipFile(deep, "w") as zf:
        for n, d in members.items():
            zf.writestr(n, d)
    _refused(deep, tmp_path / "copy", "manifest.json is not valid JSON")
    run_cli("import-study", deep, tmp_path / "copy")


def _flipped(src: Path, dst: Path) -> Path:
    raw = src.read_bytes()
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo("tables/history.jsonl")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 20
    dst.write_bytes(raw[:start] + bytes(b ^ 0x55 for b in raw[start:start + 64]) + raw[start + 64:])
    return dst


DAMAGED = {
    "deflate data flipped": (_flipped, "damaged archive|checksum mismatch|not a JSON row"),
    "cut in half": (lambda s, d: (d.write_bytes(s.read_bytes()[: s.stat().st_size // 2]), d)[1], "not a zip archive"),
    "a member marked encrypted": (lambda s, d: set_flag(s, d, "tables/units.jsonl", flag=0x1), "encrypted"),
    "an unknown compression method": (lambda s, d: set_flag(s, d, "tables/units.jsonl", method=99),
                                      "compression method 99"),
}


@pytest.mark.parametrize("case", list(DAMAGED))
def test_damaged_zips_end_in_a_message(exported, tmp_path, case):
    make, match = DAMAGED[case]
    bad = make(exported, tmp_path / "bad.zip")
    _refused(bad, tmp_path / "copy", match)
    assert "bad.zip" in run_cli("import-study", bad, tmp_path / "copy")


FILES = {
    "a file and a folder of one name": ({"files/a": b"1", "files/a/b": b"2"}, "clashes with another file"),
    "a folder entry": ({"files/dir/": b""}, "is not one a study archive has"),
    "the database's journal": ({"files/study.db-wal": b"x"}, "unsafe file name"),
    "a path out of the folder": ({"files/../../evil": b"x"}, "unsafe file name"),
    "a table member no table has": ({"tables/extra.jsonl": b"[1]\n"}, "is no table's member"),
}


@pytest.mark.parametrize("case", list(FILES))
def test_file_members_that_clash_or_escape(exported, tmp_path, case):
    extra, match = FILES[case]
    _refused(with_members(exported, tmp_path / "x.zip", extra), tmp_path / "copy", match)
    assert not (tmp_path.parent / "evil").exists()


# -- forged archives: checksums recomputed, the study re-derived ---------------------------------
def test_a_coders_history_removed_but_their_values_kept_is_refused(exported, tmp_path):
    def edit(name, data):
        if name != "tables/history.jsonl":
            return data
        return jsonl([r for r in rows_of(data) if r[8] != "chen"])  # rowid first: coder is column 8
    _refused(forge(exported, tmp_path / "forged.zip", edit), tmp_path / "copy",
             r"coder 'chen'.s value on unit .* has no entry in the history")


def test_forged_agreement_counts_are_refused(exported, tmp_path):
    def edit(name, data):
        if name != "tables/agreement_counts.jsonl":
            return data
        rows = rows_of(data)
        rows[0][-1] += 1
        return jsonl(rows)
    _refused(forge(exported, tmp_path / "forged.zip", edit), tmp_path / "copy",
             "the agreement counts do not match the annotations")


def test_values_that_are_no_codes_are_refused_even_with_a_matching_history(exported, tmp_path):
    def edit(name, data):
        if name in ("tables/annotations.jsonl", "tables/history.jsonl", "tables/agreement_counts.jsonl"):
            return data.replace(b'"train"', b'"sabotage"').replace(b'"\\"train\\""', b'"\\"sabotage\\""')
        return data
    _refused(forge(exported, tmp_path / "forged.zip", edit), tmp_path / "copy",
             r"is 'sabotage', which is no value of that field")


def test_a_genuine_archive_still_imports(exported, tmp_path):
    r = import_study(exported, tmp_path / "copy")
    assert r.tables["annotations"] == 6


# -- files are private ---------------------------------------------------------------------------
def test_archives_and_imported_studies_are_private(exported, tmp_path):
    old = os.umask(0o022)
    try:
        from studyapp.services.study.archive import export_study
        from studyapp.store import Store

        with Store.open(exported.parent / "study") as s:
            export_study(s, tmp_path / "out" / "new.zip")
        import_study(exported, tmp_path / "copy")
        with zipfile.ZipFile(exported, "a") as _:
            pass
    finally:
        os.umask(old)
    assert (tmp_path / "out" / "new.zip").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "copy").stat().st_mode & 0o777 == 0o700
    for p in (tmp_path / "copy").rglob("*"):
        assert p.stat().st_mode & 0o777 == (0o700 if p.is_dir() else 0o600), p


# -- YAML alias bombs ----------------------------------------------------------------------------
LAUGHS = "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + LAUGHS


def test_a_claims_file_alias_bomb_is_refused_at_its_line(tmp_path):
    from studyapp.services.claims.claims_file import read_claims_file

    p = tmp_path / "claims.yaml"
    p.write_text(BOMB + "claims:\n  - {id: c1, text: x, sources: [{quote: *i}]}\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"claims.yaml:2: a YAML alias \(\*a\)"):
        read_claims_file(p)
    p.write_text("claims:\n  - &c {id: c1, text: x}\n  - *c\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"claims.yaml:3: a YAML alias"):
        read_claims_file(p)


def test_a_codebook_alias_bomb_is_refused_but_shared_code_lists_still_load(tmp_path):
    from studyapp.domain.codebook_yaml import load_codebook, parse_codebook
    from studyapp.paths import CODEBOOKS_DIR

    assert load_codebook(CODEBOOKS_DIR / "dl-reengineering-defects.yaml").field("reproducible") is not None or True
    text = BOMB + "id: x\ntitle: x\nversion: '1'\nkind: defect\nfields: []\n"
    with pytest.raises(InvalidCodebook, match="aliases expand this document beyond"):
        parse_codebook(text, "bomb.yaml")


# -- REFI-QDA projects ---------------------------------------------------------------------------
G = "00000000-0000-4000-8000-0000000000"


def _project(sources: str) -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" name="p">\n'
            f'<CodeBook><Codes><Code guid="{G}01" name="Greeting" isCodable="true"/></Codes></CodeBook>\n'
            f"<Sources>\n{sources}\n</Sources>\n</Project>\n")


def _sources(n: int, path: str) -> str:
    return "\n".join(f'<TextSource guid="{G}{10 + i}" name="t{i}" plainTextPath="{path}"/>' for i in range(n))


@pytest.fixture
def qda_study(tmp_path):
    from tests.interop.conftest import new_study

    store = new_study(tmp_path / "qda")
    yield store
    store.close()


def _unchanged(store, fn):
    from tests.interop.conftest import fingerprint

    before = fingerprint(store.folder)
    fn()
    assert fingerprint(store.folder) == before


def test_twenty_sources_pointing_at_one_member_count_twenty_times(qda_study, tmp_path, monkeypatch):
    """One 1 MiB member read by 20 sources is 20 MiB of text to store: over a 5 MiB budget (scaled down
    from 20 x 100 MiB against 1 GiB)."""
    import random

    from studyapp.interop import refi_import, refi_package
    from tests.interop.conftest import write_qdpx

    monkeypatch.setattr(refi_package, "MAX_READ_BYTES", 5 * MiB, raising=False)
    text = "".join(random.Random(1).choice("abcdefghij ") for _ in range(MiB))
    bomb = write_qdpx(tmp_path / "refs.qdpx", _project(_sources(20, "internal://big.txt")), {"sources/big.txt": text})

    def attempt():
        with pytest.raises(InvalidInput, match=r"project bytes read past 5.0 MiB.*counts each time"):
            refi_import.import_qdpx(qda_study, bomb, actor="lea")
    _unchanged(qda_study, attempt)
    few = write_qdpx(tmp_path / "few.qdpx", _project(_sources(3, "internal://big.txt")), {"sources/big.txt": text})
    refi_import.import_qdpx(qda_study, few, actor="lea")  # three references fit


def test_a_packed_project_member_and_overlapping_entries_are_refused(qda_study, tmp_path):
    from studyapp.interop import refi_import

    packed = tmp_path / "packed.qdpx"
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", _project(_sources(1, "internal://big.txt")))
        zf.writestr("sources/big.txt", "a" * (4 * MiB))

    def attempt():
        with pytest.raises(InvalidInput, match="zip bomb"):
            refi_import.import_qdpx(qda_study, packed, actor="lea")
    _unchanged(qda_study, attempt)
    over = overlapping(tmp_path / "over.qdpx", "project.qde", _project("").encode(), 30)
    with pytest.raises(InvalidInput, match="members overlap"):
        refi_import.import_qdpx(qda_study, over, actor="lea")


def test_a_bare_qde_does_not_follow_symlinks_out_of_its_folder(qda_study, tmp_path):
    from studyapp.interop import refi_import

    secret = tmp_path / "secret.txt"
    secret.write_text("P1: the server's secret", encoding="utf-8")
    folder = tmp_path / "proj"
    (folder / "sources").mkdir(parents=True)
    (folder / "sources" / "a.txt").symlink_to(secret)
    (folder / "project.qde").write_text(_project(_sources(1, "internal://a.txt")), encoding="utf-8")
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / "project.qde").write_text(_project(_sources(1, "internal://a.txt")), encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "a.txt").write_text("P1: the server's secret", encoding="utf-8")
    (tmp_path / "linked" / "sources").symlink_to(tmp_path / "outside")  # a whole folder out

    for qde in (folder / "project.qde", tmp_path / "linked" / "project.qde"):
        def attempt():
            with pytest.raises(InvalidInput, match="leads out of the project's folder") as e:
                refi_import.import_qdpx(qda_study, qde, actor="lea")
            assert "secret" not in str(e.value)
        _unchanged(qda_study, attempt)


def test_yaml_nested_100k_deep_is_a_message_not_a_recursion_error(study, tmp_path):
    claims = tmp_path / "claims.yaml"
    claims.write_text("claims: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    assert "claims.yaml:1: collections nested more than 200 levels" in \
        run_cli("claims", "import", study.folder, claims, "--by", "lea")
    codebook = tmp_path / "deep.yaml"
    codebook.write_text("id: x\nfields: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    assert "deep.yaml:2: collections nested more than 200 levels" in \
        run_cli("codebook", "validate", codebook, code=1)
