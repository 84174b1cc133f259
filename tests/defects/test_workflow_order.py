"""The workflow view is the same on every run: ties among codes, causes and manifestations are
ordered by their ids, not by Python's hash seed (sets of (field, code) pairs iterate in an order that
changes with PYTHONHASHSEED)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = """
import json, sys
from studyapp.services.defects.workflow import workflow_view
from studyapp.store import Store
with Store.open(sys.argv[1]) as store:
    v = workflow_view(store, coder="bob")
print(json.dumps([[s["id"], [c["code"] for c in s["interview"]["codes"]], [c["code"] for c in s["root_causes"]],
                   [m["code"] for m in s["manifestations"]]] for s in v["stages"]]))
"""


def test_the_workflow_view_does_not_change_with_the_hash_seed(demo_copy):
    outs = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        p = subprocess.run([sys.executable, "-c", SCRIPT, str(demo_copy)], capture_output=True, text=True, env=env,
                           cwd=REPO, timeout=120)
        assert p.returncode == 0, p.stderr
        outs.add(p.stdout)
    assert len(outs) == 1, outs
    assert any(codes for _, codes, _, _ in json.loads(outs.pop()))
