"""`studyapp irr --long` reads one field and round of a long file (`--where`) and sets of codes
(`--multi`), so a replication package's codings.csv recomputes the study's agreement report."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from studyapp.cli import main
from studyapp.errors import InvalidInput
from studyapp.services.agreement.irr_files import irr_from_long_file
from studyapp.stats import summarize

LONG = """unit,coder,field,value,round
u1,a,stage,env,main
u1,b,stage,env,main
u2,a,stage,train,main
u2,b,stage,env,main
u3,a,stage,train,main
u3,b,stage,train,main
u1,a,stage,train,pilot
u1,b,stage,env,pilot
u1,a,impacts,crash;speed,main
u1,b,impacts,crash,main
u2,a,impacts,speed,main
u2,b,impacts,speed,main
u3,a,impacts,crash,main
u3,b,impacts,crash;speed,main
"""


@pytest.fixture
def long_file(tmp_path):
    p = tmp_path / "codings.csv"
    p.write_text(LONG, encoding="utf-8")
    return p


def _run(*args):
    r = CliRunner().invoke(main, ["irr", *map(str, args)])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["fields"]["value"]


def test_where_selects_one_field_and_round(long_file):
    got = _run("--long", long_file, "--where", "field=stage", "--where", "round=main", "--n-boot", "0",
               "--format", "json")
    assert got["n_units"] == 3 and got["percent_agreement"] == pytest.approx(2 / 3)
    direct = summarize([[0, 1, 1], [0, 0, 1]], "nominal", ["env", "train"], n_boot=0)
    assert got["krippendorff_alpha"] == pytest.approx(direct.value("krippendorff_alpha"))


def test_multi_compares_sets_with_masi(long_file):
    got = _run("--long", long_file, "--where", "field=impacts", "--multi", ";", "--n-boot", "0", "--format", "json")
    sets = [[frozenset({"crash", "speed"}), frozenset({"speed"}), frozenset({"crash"})],
            [frozenset({"crash"}), frozenset({"speed"}), frozenset({"crash", "speed"})]]
    direct = summarize(sets, "nominal", n_boot=0)
    assert got["level"] == "multi (MASI)"
    assert got["krippendorff_alpha"] == pytest.approx(direct.value("krippendorff_alpha_masi"))


def test_where_errors_name_the_problem(long_file):
    r = CliRunner().invoke(main, ["irr", "--long", str(long_file), "--where", "colour=red"])
    assert r.exit_code == 2 and "no column 'colour'" in r.output
    r = CliRunner().invoke(main, ["irr", "--long", str(long_file), "--where", "field=nope"])
    assert r.exit_code == 2 and "no row has field = 'nope'" in r.output
    r = CliRunner().invoke(main, ["irr", str(long_file), str(long_file), "--where", "field=stage"])
    assert r.exit_code == 2 and "go with --long" in r.output
    with pytest.raises(InvalidInput, match="second value"):
        irr_from_long_file(long_file, where={"field": "stage"})  # two rounds: u1 coded twice by a
