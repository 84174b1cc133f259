"""Turnover of the top-k across snapshot files, for `studyapp turnover` and the Claims page.

Each file is one snapshot (a CSV with a name column and a downloads column, or a dataset file), taken
in the order given: name the files by date so the shell sorts them. The report has exactly the keys
`{"snapshots": [{"name", "remained", "newcomers", "returning"}], "distinct_ever"}`; the first
snapshot's counts are null (there is nothing before it to compare with).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from studyapp.datasets.metrics import turnover as t
from studyapp.errors import InvalidInput


def turnover_report(paths: Sequence[str | Path], *, k: int = 1000) -> dict:
    if not paths:
        raise InvalidInput("give at least one snapshot file")
    if k < 1:
        raise InvalidInput("--top must be at least 1")
    snaps = t.load([str(p) for p in paths], k=k, dataset=None, base=None, runs=[])
    rows, distinct = t.counts(snaps, k)
    return {"snapshots": [{"name": r["name"], "remained": r["remained"], "newcomers": r["newcomers"],
                           "returning": r["returning"]} for r in rows],
            "distinct_ever": distinct}


def turnover_table(report: dict) -> str:
    """The report as aligned text."""
    lines = [f"{'snapshot':<24} {'remained':>9} {'newcomers':>10} {'returning':>10}"]
    for s in report["snapshots"]:
        cells = ["-" if s[k] is None else str(s[k]) for k in ("remained", "newcomers", "returning")]
        lines.append(f"{s['name']:<24} {cells[0]:>9} {cells[1]:>10} {cells[2]:>10}")
    lines.append(f"distinct ever in the top list: {report['distinct_ever']}")
    return "\n".join(lines)
