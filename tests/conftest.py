"""Shared fixtures: tiny studies built in a temporary folder, and the location of ../shared."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from studyapp.services.coding.coding import CodingRow, code_many
from studyapp.services.study.study import init_study

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


@pytest.fixture
def study(tmp_path: Path, tiny_codebook: Path):
    """A study with the tiny codebook, a lead and two coders, and three defects."""
    store = init_study(tmp_path / "study", title="Tiny", codebooks=[tiny_codebook])
    store.coders.add("lea", "lead")
    store.coders.add("bob")
    store.coders.add("chen")
    store.units.add_many([{"kind": "defect", "key": f"D{i}", "title": f"Defect {i}", "text": "body"}
                          for i in range(1, 4)])
    yield store
    store.close()


@pytest.fixture
def ui_study(study, monkeypatch):
    """The tiny defect study plus a transcript with segments, some codings, a memo and a claim."""
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
    monkeypatch.setenv("STUDYAPP_STUDY", str(study.folder))
    return study
