"""The claim and dataset commands: exact JSON shapes, formats, and clear errors with exit status 2."""

from __future__ import annotations

import json
import textwrap

from click.testing import CliRunner

from studyapp.cli import main

KEYS = ["claim", "metric", "value", "test", "statistic", "p_value", "effect_size", "ci95", "n", "verdict", "reason"]


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_turnover_json_shape(tmp_path):
    for i, names in enumerate(["a b c d", "a b e f", "c a b g"], start=1):
        rows = "\n".join(f"{n},{100 - j}" for j, n in enumerate(names.split()))
        (tmp_path / f"2024-0{i}.csv").write_text("name,downloads\n" + rows + "\n", encoding="utf-8")
    r = _run("turnover", *sorted(tmp_path.glob("*.csv")), "--top", 3, "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == {"snapshots": [
        {"name": "2024-01", "remained": None, "newcomers": None, "returning": None},
        {"name": "2024-02", "remained": 2, "newcomers": 1, "returning": 0},
        {"name": "2024-03", "remained": 2, "newcomers": 0, "returning": 1}], "distinct_ever": 4}
    assert "distinct ever in the top list: 4" in _run("turnover", *sorted(tmp_path.glob("*.csv")), "--top", 3).output
    (tmp_path / "bad.csv").write_text("name,downloads\nx,lots\n", encoding="utf-8")
    bad = _run("turnover", tmp_path / "bad.csv")
    assert bad.exit_code == 2 and "bad.csv:2: downloads 'lots' is not a number" in bad.output


def test_dataset_sample_and_info(tmp_path):
    out = tmp_path / "s.db"
    r = _run("dataset", "sample", out, "--models", 300, "--seed", 2)
    assert r.exit_code == 0 and "300 models" in r.output and "synthetic" in r.output
    info = _run("dataset", "info", out)
    assert "PeaTMOSS DIST (ESEM 2024, 76 tables)" in info.output and "SYNTHETIC" in info.output
    assert "model_to_base_model" in info.output
    js = json.loads(_run("dataset", "info", out, "--format", "json").output)
    assert js["schema"] == "peatmoss-dist" and js["synthetic"] and js["tables"]["model"] == 300
    q = _run("dataset", "query", out, "DROP TABLE model")
    assert q.exit_code == 2 and "only SELECT or WITH" in q.output
    assert _run("dataset", "info", tmp_path / "nope.db").exit_code == 2


def test_validate_formats_from_a_claims_file(tmp_path, sample_db):
    claims = tmp_path / "claims.yaml"
    claims.write_text(textwrap.dedent(f"""\
        dataset: {sample_db}
        claims:
          - id: A
            text: Fine-tunes concentrate on few base models.
            metric: descendant_concentration
            params: {{top_share: 0.05}}
            rule: value > 0.1
          - id: B
            text: Base models with more downloads have more fine-tunes.
            metric: descendants_downloads
            test: spearman
            alternative: greater
            rule: rho >= 0.2 and p < 0.01
        """), encoding="utf-8")
    r = _run("validate", "--claims", claims, "--format", "json")
    assert r.exit_code == 0, r.output
    recs = json.loads(r.output)
    assert [list(x) for x in recs] == [KEYS, KEYS] and [x["claim"] for x in recs] == ["A", "B"]
    assert recs[0]["verdict"] == "supported" and recs[1]["test"] == "spearman" and isinstance(recs[1]["n"], int)
    md = _run("validate", "--claims", claims, "--format", "markdown").output
    assert md.startswith("| claim | metric |") and "| A | descendant_concentration |" in md
    assert "supported" in _run("validate", "--claims", claims).output
    claims.write_text("claims:\n  - id: A\n    text: x\n    metric: nope\n", encoding="utf-8")
    bad = _run("validate", "--claims", claims)
    assert bad.exit_code == 2 and "claims.yaml:4: claim A: unknown metric 'nope'" in bad.output


def test_study_claims_import_validate_list_export(study, sample_db, tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("claims:\n  - id: E\n    text: Most defects are environment defects.\n    metric: coding_share\n"
                 "    params: {codebook: tiny, field: stage, code: env}\n", encoding="utf-8")
    assert "imported 1 claim" in _run("claims", "import", study.folder, f).output
    recs = json.loads(_run("validate", study.folder, "--dataset", sample_db, "--format", "json").output)
    assert recs[0]["claim"] == "E" and recs[0]["verdict"] == "inconclusive"  # nothing is coded yet
    assert "E\tinconclusive\tMost defects" in _run("claims", "list", study.folder).output
    assert "metric: coding_share" in _run("claims", "export", study.folder).output
