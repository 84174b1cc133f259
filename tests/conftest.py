"""Shared fixtures: tiny studies built in a temporary folder, and the location of ../shared."""

from __future__ import annotations

import dataclasses
import os
import shutil
import textwrap
from pathlib import Path

import pytest

from studyapp.services.coding.coding import CodingRow, code_many
from studyapp.services.study import auth
from studyapp.services.study.study import init_study

#: Password hashing at production cost (scrypt N=2^17: 128 MiB, ~0.4 s) would make every sign-in and
#: set_password in the suite slow; tests hash at N=2^10 unless they ask for `auth.Policy()`
#: (tests/security/test_sign_in.py asserts the production numbers and times them).
auth.POLICY = dataclasses.replace(auth.POLICY, scrypt_n=2 ** 10)
#: AppTest runs app.py in-process: the tests drive single-user mode unless they set STUDYAPP_AUTH=1
#: (a bare `streamlit run` without the variable signs coders in; see ui/state.py).
os.environ.setdefault("STUDYAPP_AUTH", "0")

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO.parent / "shared").resolve()

TINY_CODEBOOK = textwrap.dedent("""\
    id: tiny
    title: Tiny defect codebook
    version: "1"
    kind: defect
    fields:
      - id: stage
        label: DL stage
        type: nominal
        codes:
          - {id: env, label: Environment, definition: Setting up libraries and hardware.}
          - {id: train, label: Training, definition: Fitting the model.}
      - id: cause
        label: Root cause
        type: nominal
        parent_field: stage
        codes:
          - id: env
            label: Environment
            children:
              - {id: api, label: API defect}
              - {id: gpu, label: GPU defect}
          - id: train
            label: Training
            children:
              - {id: loss, label: Loss function}
      - id: impacts
        type: multi
        codes:
          - {id: crash, label: Crash}
          - {id: speed, label: Speed}
          - {id: accuracy, label: Bad performance (lower accuracy)}
      - id: severity
        type: ordinal
        codes:
          - {id: low, label: Low}
          - {id: high, label: High}
      - id: effort
        type: number
        min: 0
      - id: note
        type: text
    """)


def shared_or_skip(*parts: str) -> Path:
    """A path under ../shared/data, or skip: the project's tests must pass without ../shared."""
    p = SHARED.joinpath("data", *parts)
    if not p.exists():
        pytest.skip(f"../shared/data/{'/'.join(parts)} is not here (CI has it)")
    return p


@pytest.fixture
def tiny_codebook(tmp_path: Path) -> Path:
    p = tmp_path / "tiny.yaml"
    p.write_text(TINY_CODEBOOK, encoding="utf-8")
    return p


def make_tiny_study(folder: Path, codebook: Path):
    """The tiny defect study: the tiny codebook, a lead and two coders, and three defects."""
    store = init_study(folder, title="Tiny", codebooks=[codebook])
    store.coders.add("lea", "lead")
    store.coders.add("bob")
    store.coders.add("chen")
    store.units.add_many([{"kind": "defect", "key": f"D{i}", "title": f"Defect {i}", "text": "body"}
                          for i in range(1, 4)])
    return store


def add_ui_data(study) -> None:
    """A transcript with segments, a paper, some codings, a memo and a claim (what every page shows)."""
    [tid] = study.units.add_many([{"kind": "transcript", "key": "int-1", "title": "int-1", "text": "x"}])
    study.units.add_many([{"kind": "segment", "key": f"int-1:{i}", "parent_id": tid, "seq": i,
                           "title": "P1", "text": f"turn {i} <script>alert(1)</script>", "attrs": {"speaker": "P1"}}
                          for i in range(1, 4)])
    study.units.add_many([{"kind": "paper", "key": "P1", "title": "A paper", "text": "Abstract",
                           "attrs": {"year": "2024"}}])
    d1 = study.units.by_key("defect", "D1")["id"]
    code_many(study, [CodingRow(d1, "tiny", "stage", "bob", "env"), CodingRow(d1, "tiny", "stage", "chen", "train")])
    study.memos.add(text="check the stage definition", coder="bob", unit_id=d1)
    study.claims.upsert("C1", text="Most defects are environment defects", type="quantitative",
                        data={"metric": "coding_share", "sources": [{"paper": "P1", "quote": "most"}]})


@pytest.fixture
def study(tmp_path: Path, tiny_codebook: Path):
    """A study with the tiny codebook, a lead and two coders, and three defects."""
    store = make_tiny_study(tmp_path / "study", tiny_codebook)
    yield store
    store.close()


@pytest.fixture
def ui_study(study, monkeypatch):
    """The tiny defect study plus a transcript with segments, some codings, a memo and a claim."""
    add_ui_data(study)
    monkeypatch.setenv("STUDYAPP_STUDY", str(study.folder))
    return study


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo study (data/demo) built once per test session (per worker when the suite runs in
    several processes); tests take a copy (`copy_demo`), never this folder itself."""
    from studyapp.services.demo.build import build_demo

    return build_demo(tmp_path_factory.mktemp("demo-template") / "demo")


def copy_demo(template: Path, dest: Path) -> Path:
    """A fresh copy of the built demo study at `dest`: the same rows and files a new build gives
    (the demo stores no path of its own folder), in milliseconds instead of seconds."""
    shutil.copytree(template, dest)
    return dest


@pytest.fixture
def demo_copy(demo_template, tmp_path) -> Path:
    """A copy of the demo study in this test's temporary folder, free to change."""
    return copy_demo(demo_template, tmp_path / "demo")
