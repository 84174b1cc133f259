"""Shared fixtures: tiny studies built in a temporary folder, and the location of ../shared."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from studyapp.services.study import init_study

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
