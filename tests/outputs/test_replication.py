"""The replication package on the demo study: every file is there and explained, no participant is
identifiable, only a lead may package, the study does not change (but the history says it was
packaged), and every agreement number is recomputed from the packaged codings with `studyapp irr`."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from studyapp.cli import main
from studyapp.errors import PermissionDenied, StudyError
from studyapp.services.interviews.imports import import_transcript_data
from studyapp.services.publish.replication import build_package
from studyapp.store import Store

#: Identifying attributes the test gives the demo's participants (the demo itself has none).
PEOPLE = {"P1": {"name": "Marguerite Okonkwo", "email": "m.okonkwo@example.org", "company": "Zephyrine Analytics"},
          "P2": {"name": "Tobias Lindqvist", "email": "tobias.lindqvist@example.org", "company": "Quillmoor GmbH"},
          "P3": {"name": "Priyanka Halvorsen", "email": "priyanka@example.org", "company": "Brackenfold Ltd"}}
NAMES = [v for attrs in PEOPLE.values() for v in attrs.values()] + ["Okonkwo", "Lindqvist", "Halvorsen", "Marguerite",
                                                                    "Tobias", "Priyanka"]
LISTED = ["README.md", "data_dictionary.md", "manifest.json", "SHA256SUMS", "codings.csv", "adjudicated.csv",
          "units.csv", "participants.csv", "agreement/agreement.md", "agreement/agreement.tex",
          "agreement/agreement.csv", "agreement/alpha.svg", "agreement/alpha.png", "claims/claims.yaml",
          "claims/validation.md", "claims/validation.json", "claims/evidence.md", "claims/evidence.tex",
          "prisma/prisma.json", "prisma/prisma.svg", "prisma/prisma.png"]


@pytest.fixture(scope="module")
def named_demo(demo_folder, tmp_path_factory) -> Path:
    """The demo with names, e-mails and employers on its participants, a transcript imported without
    pseudonymisation that names P2, one pseudonymised at import, and a rationale that names P1."""
    folder = tmp_path_factory.mktemp("named") / "study"
    shutil.copytree(demo_folder, folder)
    with Store.open(folder) as store:
        repo = store.transcripts
        repo.upsert_participants([(pid, {**repo.participant(pid), **extra}) for pid, extra in PEOPLE.items()],
                                 actor="test")
        import_transcript_data(store, [("follow-up-02.txt", b"Interviewer: Thanks again, Tobias.\n\n"
                                        b"P2: Happy to help. Tobias Lindqvist, Quillmoor GmbH, for the record.\n")],
                               participant="P2", actor="test")
        import_transcript_data(store, [("follow-up-03.txt", b"Interviewer: Thanks, Priyanka Halvorsen.\n\n"
                                        b"P3: We now pin every model revision.\n")],
                               participant="P3", pseudonyms=[("Priyanka Halvorsen", "P3")], actor="test")
        f = store.finals.export_rows()[0]
        uid = store.units.by_key(f["unit_kind"], f["unit"])["id"]
        store.finals.set(unit_id=uid, codebook=f["codebook"], field=f["field"], value=store.finals.for_unit(uid)[0]
                         ["value"], round=f["round"], rationale="as Marguerite Okonkwo put it in her e-mail to "
                         "m.okonkwo@example.org", by="alice")
    return folder


def _snapshot(folder: Path) -> dict:
    with Store.open(folder) as store:
        return {"annotations": store.annotations.current_rows(), "finals": store.finals.current_rows(),
                "units": store.units.count_by_kind(), "validations": store.claims.latest_validations(),
                "history": store.history.count(), "participants": store.transcripts.participants()}


@pytest.fixture(scope="module")
def package(named_demo, tmp_path_factory) -> tuple[Path, dict, dict, dict]:
    """`studyapp package` over an older file (--force), with the snapshots around it and its history entry."""
    before = _snapshot(named_demo)
    out = tmp_path_factory.mktemp("pkg") / "replication.zip"
    out.write_bytes(b"an older package")
    r = CliRunner().invoke(main, ["package", str(named_demo), str(out), "--force"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.parent.iterdir()) == ["replication.zip"]
    with Store.open(named_demo) as store:
        entry = store.history.recent(1)[0]
    return out, before, _snapshot(named_demo), entry


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_the_package_holds_every_listed_file(package):
    members = _members(package[0])
    assert set(LISTED) <= set(members)
    assert any(n.startswith("codebooks/") and n.endswith(".yaml") for n in members)
    assert {n[:-5] for n in members if n.startswith("codebooks/") and n.endswith(".yaml")} == \
        {n[:-3] for n in members if n.startswith("codebooks/") and n.endswith(".md")}
    assert any(n.startswith("saturation/") for n in members) and "claims/claims/npm-2023-08.csv" in members
    head = next(csv.reader(io.StringIO(members["codings.csv"].decode())))
    assert head[:5] == ["unit", "coder", "field", "value", "round"]
    head = next(csv.reader(io.StringIO(members["adjudicated.csv"].decode())))
    assert head[:6] == ["unit", "field", "value", "rationale", "lead", "round"]
    assert "```sql\nSELECT" in members["claims/validation.md"].decode()
    assert r"\toprule" in members["claims/evidence.tex"].decode()
    assert members["agreement/alpha.png"][:8] == b"\x89PNG\r\n\x1a\n" and members["prisma/prisma.svg"].startswith(b"<svg")


def test_no_participant_name_leaves_the_study(package):
    for name, data in _members(package[0]).items():
        low = data.lower()
        for secret in NAMES:
            assert secret.lower().encode() not in low, f"{secret!r} in {name}"
    members = _members(package[0])
    participants = list(csv.DictReader(io.StringIO(members["participants.csv"].decode())))
    assert [p["participant"] for p in participants] == ["P1", "P2", "P3"]
    assert {"role", "experience"} <= set(participants[0]) and not {"name", "email", "company"} & set(participants[0])
    units = {(u["unit_kind"], u["unit"]): u for u in csv.DictReader(io.StringIO(members["units.csv"].decode()))}
    assert units[("segment", "follow-up-02:2")]["text_withheld"] == "yes" and not units[("segment", "follow-up-02:2")]["text"]
    assert units[("segment", "follow-up-03:2")]["text"] == "We now pin every model revision."
    assert units[("segment", "follow-up-03:1")]["text"] == "Thanks, P3."
    manifest = json.loads(members["manifest.json"])
    assert manifest["redactions"] >= 2 and {"name", "email", "company"} <= set(manifest["dropped_attributes"])
    rationale = [r["rationale"] for r in csv.DictReader(io.StringIO(members["adjudicated.csv"].decode()))]
    assert any("as P1 put it" in r for r in rationale)


def test_identifying_data_leaves_only_when_the_lead_asks(named_demo, tmp_path):
    out = tmp_path / "with-names.zip"
    with Store.open(named_demo) as store:
        build_package(store, out, actor="alice", include_identifying=True, n_boot=0)
    members = _members(out)
    assert b"Tobias Lindqvist" in members["units.csv"] and b"Quillmoor GmbH" in members["participants.csv"]
    assert b"includes identifying data" in members["README.md"]


def test_only_a_lead_packages_and_nothing_is_written_otherwise(named_demo, tmp_path):
    out = tmp_path / "p.zip"
    with Store.open(named_demo) as store:
        for who in ("bob", None, "nobody"):
            with pytest.raises(PermissionDenied):
                build_package(store, out, actor=who)
    r = CliRunner().invoke(main, ["package", str(named_demo), str(out), "--by", "bob"])
    assert r.exit_code == 2 and "only a lead" in r.output
    assert not out.exists() and not list(tmp_path.iterdir())


def test_the_study_is_unchanged_but_its_history_records_the_package(package):
    out, before, after, entry = package
    assert {k: v for k, v in before.items() if k != "history"} == {k: v for k, v in after.items() if k != "history"}
    assert after["history"] == before["history"] + 1
    assert entry["action"] == "study.package" and entry["actor"] == "alice" and entry["new"]["file"] == out.name
    assert entry["detail"]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


def test_manifest_and_checksums_cover_every_file(package):
    members = _members(package[0])
    manifest = json.loads(members["manifest.json"])
    listed = manifest["files"]
    assert set(listed) == set(members) - {"manifest.json", "SHA256SUMS"}
    for name, meta in listed.items():
        assert hashlib.sha256(members[name]).hexdigest() == meta["sha256"] and len(members[name]) == meta["bytes"]
    sums = dict(reversed(line.split("  ", 1)) for line in members["SHA256SUMS"].decode().splitlines())
    assert sums == {n: m["sha256"] for n, m in listed.items()}


def test_the_data_dictionary_explains_every_file_and_column(package):
    members = _members(package[0])
    dictionary = members["data_dictionary.md"].decode()
    for name, data in members.items():
        assert f"## `{name}`" in dictionary, name
        if name.endswith(".csv"):
            for col in next(csv.reader(io.StringIO(data.decode()))):
                assert f"| `{col}` |" in dictionary, (name, col)
    assert "See the file's description." not in dictionary.split("## `claims/claims/")[0]


def _readme_commands(members: dict[str, bytes]) -> list[list[str]]:
    text = members["README.md"].decode()
    block = text.split("### Agreement", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    return [shlex.split(line)[1:] for line in block.splitlines() if line.startswith("studyapp irr")]


def test_the_readme_commands_recompute_every_agreement_row(package, tmp_path, monkeypatch):
    members = _members(package[0])
    (tmp_path / "codings.csv").write_bytes(members["codings.csv"])
    monkeypatch.chdir(tmp_path)
    rows = list(csv.DictReader(io.StringIO(members["agreement/agreement.csv"].decode())))
    commands = _readme_commands(members)
    assert len(commands) == len(rows) > 20
    kinds = set()
    runner = CliRunner()
    for args, row in zip(commands, rows):
        r = runner.invoke(main, args + ["--n-boot", "0"])
        assert r.exit_code == 0, (args, r.output)
        got = next(iter(json.loads(r.stdout)["fields"].values()))
        for ours, theirs in (("krippendorff_alpha", "krippendorff_alpha"), ("percent_agreement", "percent_agreement"),
                             ("cohen_kappa" if got["n_coders"] == 2 else "fleiss_kappa", "kappa")):
            if row[theirs] == "":
                assert got[ours] is None, (args, ours)
            else:
                assert got[ours] == pytest.approx(float(row[theirs]), abs=1e-6), (args, ours)
        kinds.add("level" if "@level" in row["field"] else row["level"])
    assert {"nominal", "level", "multi (MASI)"} <= kinds


def test_alpha_and_its_interval_from_the_shell_match_the_report(package, tmp_path):
    members = _members(package[0])
    (tmp_path / "codings.csv").write_bytes(members["codings.csv"])
    rows = list(csv.DictReader(io.StringIO(members["agreement/agreement.csv"].decode())))
    i, row = next((i, r) for i, r in enumerate(rows) if r["level"] == "nominal" and r["alpha_ci95"]
                  and "@" not in r["field"] and r["rounds"] == "main")
    args = _readme_commands(members)[i]
    assert args[:3] == ["irr", "--long", "codings.csv"] and f"field={row['field']}" in args
    out = subprocess.run([sys.executable, "-m", "studyapp", *args], capture_output=True, text=True, cwd=tmp_path,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)["fields"]["value"]
    assert got["krippendorff_alpha"] == pytest.approx(float(row["krippendorff_alpha"]), abs=1e-6)
    assert got["alpha_ci95"] == pytest.approx([float(x) for x in row["alpha_ci95"].split(";")], abs=1e-6)


def test_an_existing_file_is_kept_without_force(named_demo, tmp_path):
    out = tmp_path / "pkg.zip"
    out.write_bytes(b"keep me")
    r = CliRunner().invoke(main, ["package", str(named_demo), str(out)])
    assert r.exit_code == 2 and "exists" in r.output and out.read_bytes() == b"keep me"
    assert zipfile.is_zipfile(tmp_path / "pkg.zip") is False and [p.name for p in tmp_path.iterdir()] == ["pkg.zip"]


def test_a_given_dataset_must_exist(named_demo, tmp_path):
    with Store.open(named_demo) as store, pytest.raises(StudyError, match="no dataset"):
        build_package(store, tmp_path / "p.zip", actor="alice", dataset=tmp_path / "missing.db")
