"""The defect commands: import defects and labels, crosstab, distribution, workflow, add."""

from __future__ import annotations

import json

from click.testing import CliRunner

from studyapp.cli import main
from studyapp.store import Store
from tests.defects.conftest import CB, write


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_import_label_and_crosstab_from_the_shell(defect_study, issues_csv, issues_json, tmp_path):
    folder = defect_study.folder
    defect_study.close()
    r = _run("import", "defects", folder, issues_csv, issues_json)
    assert r.exit_code == 0, r.output
    assert "issues.csv: 4 read, 4 imported" in r.output and "not imported: " in r.output
    bad = write(tmp_path / "bad.csv", "URL,DL stage\nhttps://github.com/acme/detector/issues/7,evalution\n")
    r = _run("import", "labels", folder, bad, "--coder", "ana", "--codebook", CB)
    assert r.exit_code == 2 and "'evalution' on line(s) 2" in r.output
    r = _run("import", "labels", folder, issues_csv, "--coder", "ana", "--codebook", CB, "--key", "URL",
             "--column", "Root cause=root_cause", "--column", "Reporter type=reporter", "--round", "pilot")
    assert r.exit_code == 0, r.output
    assert "4 rows -> 4 units" in r.output and "Root cause=root_cause" in r.output
    r = _run("crosstab", folder, "--rows", "dl_stage", "--cols", "code_error", "--level", "1")
    out = json.loads(r.output)
    assert {"rows", "cols", "counts", "chi2", "p", "cramers_v"} <= set(out)
    assert out["rows"] == ["environment", "training"] and out["counts"][0][out["cols"].index("interface")] == 2
    r = _run("crosstab", folder, "--rows", "dl_stage", "--cols", "impacts", "--coder", "ana", "--format", "table")
    assert "undefined (impacts is a multi-select field" in r.output
    assert _run("crosstab", folder, "--rows", "dl_stage", "--cols", "nope").exit_code == 2
    r = _run("defects", "distribution", folder, "reporter")
    assert "Re-user" in r.output and "50.0%" in r.output
    r = _run("defects", "workflow", folder, "--format", "dot")
    assert r.output.startswith("digraph")
    r = _run("defects", "add", folder, "acme/detector#9:1")
    assert "added defect acme/detector#9:2" in r.output
    with Store.open(folder) as store:
        assert store.units.count("defect") == 7
