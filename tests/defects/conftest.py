"""Fixtures for the defect tests: a study with the shipped defect taxonomy, two coders and a lead."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from studyapp.paths import CODEBOOKS_DIR
from studyapp.services.study.study import init_study

CB = "dl-reengineering-defects"

ISSUES_CSV = textwrap.dedent("""\
    ,URL,Title,Body,Framework,DL stage,Root cause,Impacts,General code error type,Reporter type
    0,https://github.com/acme/detector/issues/7,CUDA error on start,"Runs into `CUDA error`:

    ```
    RuntimeError: CUDA out of memory
    ```",PyTorch,Environment,GPU usage bug,Crash; memory exhaustion,External interface,Re-user
    1,https://github.com/acme/detector/issues/7,CUDA error on start,same issue second defect,pytorch,environment,API defects,crash,Internal interface,re-user
    2,https://github.com/acme/detector/issues/9,mAP lower than paper,Gets 31.2 instead of 33.0,Pytorch,Training,Hyperparameters,Bad performance (lower accuracy),Algorithm/method,Adaptor
    3,https://github.com/other/seg/issues/9,Loss is NaN,<script>alert(1)</script> loss becomes nan,TensorFlow,Training,Loss function,Numerical instability,Logic,enhancer
    """)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def defect_study(tmp_path: Path):
    store = init_study(tmp_path / "study", title="Defects", codebooks=[CODEBOOKS_DIR / f"{CB}.yaml"])
    store.coders.add("lea", "lead")
    store.coders.add("ana")
    store.coders.add("ben")
    yield store
    store.close()


@pytest.fixture
def issues_csv(tmp_path: Path) -> Path:
    return write(tmp_path / "issues.csv", ISSUES_CSV)


@pytest.fixture
def issues_json(tmp_path: Path) -> Path:
    rest = [{"number": 12, "title": "Import fails", "body": "ImportError: no module", "state": "open",
             "html_url": "https://github.com/acme/detector/issues/12",
             "url": "https://api.github.com/repos/acme/detector/issues/12",
             "labels": [{"name": "bug"}], "created_at": "2021-01-02T03:04:05Z", "closed_at": None,
             "comments": 2, "user": {"login": "zoe"}}]
    gh = [{"number": 13, "title": "Slow training", "body": "Takes 3 days", "state": "CLOSED",
           "url": "https://github.com/acme/detector/issues/13", "labels": [{"name": "question"}],
           "createdAt": "2021-02-01T00:00:00Z", "closedAt": "2021-02-03T00:00:00Z",
           "comments": [{"author": {"login": "max"}, "body": "Use AMP; the cause is fp32.",
                         "createdAt": "2021-02-02T00:00:00Z"}]}]
    return write(tmp_path / "issues.json", json.dumps(rest) + "\n" + json.dumps(gh))
