"""Fixtures for the attack suite: a small coded study, its archive, and a CLI runner that proves a
command failed with a message and not with a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from studyapp.cli import main
from studyapp.services.coding.coding import CodingRow, code_many
from studyapp.services.study.archive import export_study


@pytest.fixture
def coded(study):
    """The tiny study (lea leads, bob and chen code) with values by both coders, a final, a memo."""
    d1, d2, d3 = (study.units.by_key("defect", f"D{i}")["id"] for i in (1, 2, 3))
    code_many(study, [CodingRow(d1, "tiny", "stage", "bob", "env"), CodingRow(d1, "tiny", "stage", "chen", "env"),
                      CodingRow(d2, "tiny", "stage", "bob", "train"), CodingRow(d2, "tiny", "stage", "chen", "env"),
                      CodingRow(d3, "tiny", "impacts", "chen", ["crash", "speed"]),
                      CodingRow(d3, "tiny", "effort", "bob", 3.0)])
    study.finals.set(unit_id=d2, codebook="tiny", field="stage", value="env", by="lea", rationale="agreed")
    study.memos.add(text="stage unclear", coder="bob", unit_id=d1)
    return study


@pytest.fixture
def exported(coded, tmp_path) -> Path:
    out = tmp_path / "good.zip"
    export_study(coded, out)
    return out


def run_cli(*args: str, code: int = 2) -> str:
    """Run `studyapp ARGS`; assert the exit code and that no traceback escaped; return the output."""
    r = CliRunner().invoke(main, [str(a) for a in args])
    out = r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), f"traceback: {r.exc_info!r}\n{out}"
    assert "Traceback" not in out, out
    assert r.exit_code == code, out
    return out
