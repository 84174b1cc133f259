"""`studyapp irr`: agreement from rater files, through click and once as a real process."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from studyapp import stats
from studyapp.cli import main

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

ANN = "id,stage,severity\nu1,env,1\nu2,train,2\nu3,env,3\nu4,data,2\nu5,train,1\nu6,env,\n"
BO = "id,stage,severity\nu1,env,1\nu2,train,3\nu3,data,3\nu4,data,2\nu5,train,1\nu6,env,2\n"


def run(*args, **kw):
    return CliRunner().invoke(main, ["irr", *map(str, args)], catch_exceptions=False, **kw)


@pytest.fixture
def raters(tmp_path):
    a, b = tmp_path / "ann.csv", tmp_path / "bo.csv"
    a.write_text(ANN, encoding="utf-8")
    b.write_text(BO, encoding="utf-8")
    return a, b


def test_json_through_a_real_process(raters):
    p = subprocess.run([sys.executable, "-m", "studyapp", "irr", *map(str, raters), "--key", "id",
                        "--format", "json"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert set(out) == {"fields"} and list(out["fields"]) == ["stage", "severity"]
    stage = out["fields"]["stage"]
    for key in ("n_units", "n_coders", "percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha",
                "alpha_ci95", "gwet_ac1", "undefined_reason"):
        assert key in stage, key
    assert (stage["n_units"], stage["n_coders"]) == (6, 2)
    # the same numbers as the statistics package on the same labels
    labels = [["env", "train", "env", "data", "train", "env"], ["env", "train", "data", "data", "train", "env"]]
    assert stage["cohen_kappa"] == pytest.approx(stats.cohen_kappa(labels).value)
    assert stage["krippendorff_alpha"] == pytest.approx(stats.krippendorff_alpha(labels).value)
    assert stage["percent_agreement"] == pytest.approx(5 / 6)
    lo, hi = stage["alpha_ci95"]
    assert lo <= stage["krippendorff_alpha"] <= hi
    assert out["fields"]["severity"]["n_units"] == 6 and out["fields"]["severity"]["n_pairable"] == 5


def test_rows_are_aligned_by_key_not_order(tmp_path, raters):
    a, _ = raters
    shuffled = tmp_path / "cy.csv"
    lines = BO.splitlines()
    shuffled.write_text("\n".join([lines[0]] + lines[2:] + lines[1:2]) + "\n", encoding="utf-8")  # rotated
    by_key = json.loads(run(a, shuffled, "--key", "id", "--format", "json").output)
    assert by_key["fields"]["stage"]["percent_agreement"] == pytest.approx(5 / 6)
    by_order = json.loads(run(a, shuffled, "--format", "json", "--fields", "stage").output)
    assert by_order["fields"]["stage"]["percent_agreement"] < 5 / 6


def test_key_union_leaves_missing_units_missing(tmp_path, raters):
    a, _ = raters
    short = tmp_path / "cy.csv"
    short.write_text("id,stage\nu2,train\nu1,env\nu9,env\n", encoding="utf-8")
    out = json.loads(run(a, short, "--key", "id", "--fields", "stage", "--format", "json").output)["fields"]["stage"]
    assert out["n_units"] == 7 and out["n_pairable"] == 2 and out["percent_agreement"] == 1.0


def test_index_columns_are_never_fields_and_three_coders(tmp_path):
    files = []
    for name, labels in (("a", "xyxx"), ("b", "xyyx"), ("c", "xyxx")):
        p = tmp_path / f"{name}.csv"
        p.write_text(",,label\n" + "".join(f"{i},{i},{v}\n" for i, v in enumerate(labels)), encoding="utf-8")
        files.append(p)
    # pandas names the blank headers 'Unnamed: 0' and 'Unnamed: 1'
    out = json.loads(run(*files, "--format", "json").output)["fields"]
    assert list(out) == ["label"]
    assert out["label"]["n_coders"] == 3 and out["label"]["cohen_kappa"] is None
    assert out["label"]["fleiss_kappa"] is not None


def test_normalize_merges_variants_and_keeps_json_clean(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("k\nYes\nno \nyes\n", encoding="utf-8")
    b.write_text("k\nyes\nNo\n yes\n", encoding="utf-8")
    r = run(a, b, "--normalize", "--format", "json")
    out = json.loads(r.stdout)["fields"]["k"]
    assert out["percent_agreement"] == 1.0 and out["categories"] == ["no", "yes"]
    assert "merged" in r.stderr and "'Yes'" in r.stderr
    assert out["merged_labels"] == {"no": ["No", "no "], "yes": [" yes", "Yes", "yes"]}
    raw = json.loads(run(a, b, "--format", "json").stdout)["fields"]["k"]
    assert raw["percent_agreement"] < 1.0


def test_missing_markers_and_empty_cells(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("k\nx\nnan\n\ny\n", encoding="utf-8")
    b.write_text("k\nx\nx\n  \ny\n", encoding="utf-8")
    plain = json.loads(run(a, b, "--format", "json").stdout)["fields"]["k"]
    assert plain["n_units"] == 3 and plain["n_pairable"] == 3
    marked = json.loads(run(a, b, "--format", "json", "--missing", "nan").stdout)["fields"]["k"]
    assert marked["n_pairable"] == 2 and marked["percent_agreement"] == 1.0


def test_long_file_with_default_and_named_columns(tmp_path):
    p = tmp_path / "long.csv"
    p.write_text("unit,coder,value\n1,ann,a\n1,bo,a\n2,ann,b\n2,bo,a\n3,ann,b\n3,bo,b\n4,ann,a\n",
                 encoding="utf-8")
    out = json.loads(run("--long", p, "--format", "json").stdout)["fields"]["value"]
    assert (out["n_units"], out["n_coders"], out["n_pairable"]) == (4, 2, 3)
    assert out["percent_agreement"] == pytest.approx(2 / 3)
    q = tmp_path / "long2.csv"
    q.write_text("item;who;code\n".replace(";", ",") + p.read_text().split("\n", 1)[1], encoding="utf-8")
    out2 = json.loads(run("--long", q, "--unit", "item", "--coder", "who", "--value", "code",
                          "--format", "json").stdout)["fields"]["code"]
    assert out2["krippendorff_alpha"] == pytest.approx(out["krippendorff_alpha"])


def test_xlsx_rater_files(tmp_path):
    paths = []
    for name, vals in (("ann", [1, 2, 3, 2]), ("bo", [1, 2, 2, 2])):
        p = tmp_path / f"{name}.xlsx"
        pd.DataFrame({"id": ["a", "b", "c", "d"], "score": vals}).to_excel(p, index=False)
        paths.append(p)
    out = json.loads(run(*paths, "--key", "id", "--level", "ordinal", "--format", "json").stdout)["fields"]
    assert list(out) == ["score"] and out["score"]["categories"] == ["1", "2", "3"]
    assert out["score"]["level"] == "ordinal"
    expected = stats.krippendorff_alpha([[1, 2, 3, 2], [1, 2, 2, 2]], level="ordinal").value
    assert out["score"]["krippendorff_alpha"] == pytest.approx(expected)


def test_interval_level_needs_numbers(tmp_path, raters):
    r = run(*raters, "--key", "id", "--level", "interval", "--fields", "stage")
    assert r.exit_code == 2 and "is not a number" in r.stderr and "ann.csv" in r.stderr
    ok = json.loads(run(*raters, "--key", "id", "--level", "interval", "--fields", "severity",
                        "--format", "json").stdout)
    assert ok["fields"]["severity"]["krippendorff_alpha"] is not None


def test_degenerate_field_is_null_with_a_reason(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("k\nx\nx\nx\n", encoding="utf-8")
    b.write_text("k\nx\nx\nx\n", encoding="utf-8")
    out = json.loads(run(a, b, "--format", "json").stdout)["fields"]["k"]
    assert out["krippendorff_alpha"] is None and out["cohen_kappa"] is None and out["alpha_ci95"] is None
    assert "0/0" in out["undefined_reason"] and out["percent_agreement"] == 1.0
    table = run(a, b).stdout
    assert "n/a" in table and "k: every value is 'x'" in table


def test_every_format_prints_the_same_numbers(raters):
    args = [*raters, "--key", "id", "--n-boot", "200"]
    data = json.loads(run(*args, "--format", "json").stdout)["fields"]
    alpha = data["stage"]["krippendorff_alpha"]
    table = run(*args).stdout
    assert f"{alpha:.3f}" in table and "Krippendorff (2004)" in table and data["stage"]["alpha_band"] in table
    rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").stdout)))
    assert [r["field"] for r in rows] == ["stage", "severity"]
    assert float(rows[0]["krippendorff_alpha"]) == pytest.approx(alpha)
    assert float(rows[0]["alpha_ci_low"]) == pytest.approx(data["stage"]["alpha_ci95"][0])
    md = run(*args, "--format", "markdown").stdout
    assert md.startswith("| field |") and f"| {alpha:.3f} |" in md
    tex = run(*args, "--format", "latex").stdout
    assert all(rule in tex for rule in (r"\toprule", r"\midrule", r"\bottomrule")) and f"{alpha:.3f}" in tex


def test_latex_escapes_field_names(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for p in (a, b):
        p.write_text("Issue #,50% & more\n1,x\n2,y\n", encoding="utf-8")
    tex = run(a, b, "--format", "latex").stdout
    assert r"Issue \#" in tex and r"50\% \& more" in tex


@pytest.mark.parametrize("make,args,message", [
    (lambda d: None, ["missing.csv", "{b}"], "missing.csv: file not found"),
    (lambda d: (d / "x.csv").write_text("q,r\n1,2\n"), ["{a}", "{x}"], "no field column in common"),
    (lambda d: None, ["{a}", "{b}", "--key", "nope"], "no key column 'nope'"),
    (lambda d: (d / "x.csv").write_text("id,stage\nu1,env\n"), ["{a}", "{x}"], "1 rows, but"),
    (lambda d: (d / "x.xlsx").write_bytes(b"not a zip file"), ["{a}", "{x}"], "x.xlsx: cannot be read"),
    (lambda d: (d / "x.csv").write_bytes(b"id,stage\nu1,\x81\x8d\n"), ["{a}", "{x}"], "x.csv:2: not UTF-8"),
    (lambda d: (d / "x.csv").write_text("id,stage\nu1,env\nu1,data\n"), ["{a}", "{x}", "--key", "id"],
     "x.csv:3: key 'u1' appears twice"),
    (lambda d: None, ["{a}", "{b}", "--fields", "stage,colour"], "no column 'colour'"),
    (lambda d: (d / "x.csv").write_text("unit,coder\n1,a\n"), ["--long", "{x}"], "no value column 'value'"),
    (lambda d: (d / "x.csv").write_text("unit,coder,value\n1,a,x\n1,a,y\n"), ["--long", "{x}"],
     "x.csv:3: unit '1' has a second value from coder 'a'"),
    (lambda d: (d / "x.csv").write_text("unit,coder,value\n1,a,x\n2,b,y\n3,c,z\n1,a,w\n"), ["--long", "{x}"],
     "x.csv:5: unit '1' has a second value from coder 'a' (first on line 2)"),
    (lambda d: (d / "x.csv").write_text("unit,coder,value\n1,a,x\n2, ,y\n"), ["--long", "{x}"],
     "x.csv:3: row without a coder"),
    (lambda d: (d / "x.csv").write_text("unit,coder,value,round\n1,a,x,r1\n1,a,y,r2\n2,a,z,r2\n2,a,q,r2\n"),
     ["--long", "{x}", "--where", "round=r2"], "x.csv:5: unit '2' has a second value from coder 'a' (first on line 4)"),
])
def test_bad_input_exits_with_file_and_problem(tmp_path, raters, make, args, message):
    make(tmp_path)
    names = {"a": raters[0], "b": raters[1], "x": tmp_path / ("x.xlsx" if "x.xlsx" in message else "x.csv")}
    r = run(*[a.format(**names) for a in args])
    assert r.exit_code != 0
    assert r.stderr.startswith("error: ") and message in r.stderr, r.stderr
    assert r.stdout == ""


def test_usage_errors(raters):
    assert run(raters[0]).exit_code == 2
    assert run(*raters, "--long", raters[0]).exit_code == 2
    assert run(*raters, "--unit", "u").exit_code == 2
    r = run("--help")
    assert r.exit_code == 0 and "--long" in r.output and "--normalize" in r.output


def test_real_rater_rounds_give_a_finite_alpha_per_field():
    folder = SHARED / "data" / "dl-reengineering" / "rater-rounds"
    if not (folder / "Final1.csv").exists():
        pytest.skip("../shared/data/dl-reengineering/rater-rounds is not here (CI has it)")
    p = subprocess.run([sys.executable, "-m", "studyapp", "irr", str(folder / "Final1.csv"),
                        str(folder / "Final2.csv"), "--format", "json", "--n-boot", "200"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    fields = json.loads(p.stdout)["fields"]
    assert "Unnamed: 0" not in fields and {"DL Stage", "Root Causes", "Manifestation"} <= set(fields)
    for name, f in fields.items():
        assert f["n_coders"] == 2 and f["n_units"] > 100, name
        assert math.isfinite(f["krippendorff_alpha"]), name
        assert f["alpha_ci95"][0] <= f["krippendorff_alpha"] <= f["alpha_ci95"][1], name


def test_the_long_reader_gives_every_cell_where_it_belongs(tmp_path):
    """The long file's table, read column-wise, equals one built cell by cell (units and coders in
    order of first appearance, missing markers and blanks as missing)."""
    import random

    from studyapp.readers.raters import read_long_file

    rnd = random.Random(3)
    cells = {}
    for u in range(60):
        for c in rnd.sample(["ann", "bo", "cy", "di"], rnd.randint(1, 4)):
            cells[(f"u{u}", c)] = rnd.choice(["env", "train", "NA", "", "data"])
    path = tmp_path / "long.csv"
    path.write_text("unit,coder,value\n" + "".join(f"{u},{c},{v}\n" for (u, c), v in cells.items()))
    t = read_long_file(path, missing=["NA"])
    units = list(dict.fromkeys(u for u, _ in cells))
    coders = list(dict.fromkeys(c for _, c in cells))
    assert list(t.units) == units and list(t.coders) == coders
    m = t.fields["value"]
    for (u, c), v in cells.items():
        assert m[coders.index(c), units.index(u)] == (None if v in ("NA", "") else v), (u, c, v)
    assert sum(x is not None for x in m.ravel()) == sum(v not in ("NA", "") for v in cells.values())
