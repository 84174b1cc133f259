"""The three codebooks shipped in codebooks/ load, and the published labels of the real studies match them."""

from __future__ import annotations

import pandas as pd
import pytest

from studyapp.domain.codebook_yaml import load_codebook
from studyapp.domain.values import normalise
from studyapp.paths import CODEBOOKS_DIR
from tests.conftest import shared_or_skip

SHIPPED = ["ptm-reuse-slr", "ptm-reuse-interviews", "dl-reengineering-defects"]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_codebook_loads(name):
    cb = load_codebook(CODEBOOKS_DIR / f"{name}.yaml")
    assert cb.id == name and cb.fields
    for f in cb.fields:
        assert f.label and (f.definition or f.type == "text"), f.id


def test_slr_codebook_has_screening_criteria_for_both_stages():
    cb = load_codebook(CODEBOOKS_DIR / "ptm-reuse-slr.yaml")
    kinds = {c.kind for c in cb.criteria}
    assert kinds == {"include", "exclude"}
    assert {c.stage for c in cb.criteria} >= {"both", "full_text"}


def test_defect_codebook_root_cause_is_a_second_level_under_each_stage():
    cb = load_codebook(CODEBOOKS_DIR / "dl-reengineering-defects.yaml")
    stage, cause = cb.require_field("dl_stage"), cb.require_field("root_cause")
    assert cause.parent_field == "dl_stage"
    for top in ("environment", "data-pipeline", "modeling", "training"):
        assert top in {c.id for c in stage.codes}
        assert any(c.id == top and c.children for c in cause.codes)
    assert cb.require_field("impacts").is_multi


@pytest.mark.shared
def test_every_published_defect_label_matches_a_code():
    df = pd.read_csv(shared_or_skip("dl-reengineering", "defects.csv"))
    cb = load_codebook(CODEBOOKS_DIR / "dl-reengineering-defects.yaml")
    columns = {"Framework": "framework", "Same Code?": "same_code", "Same Data?": "same_data",
               "Impacts": "impacts", "Part of Implementation": "dl_stage", "Reporter": "reporter",
               "Defect types": "code_error", "Root Causes": "root_cause", "Manifestation": "manifestation",
               "Repo type": "repository_type"}
    for column, field_id in columns.items():
        field = cb.require_field(field_id)
        for i, raw in enumerate(df[column], start=2):
            normalise(field, raw)  # raises UnknownCode naming the value


@pytest.mark.shared
def test_every_published_interview_code_matches():
    df = pd.read_csv(shared_or_skip("ptm-reuse-interviews", "interview_codes_by_participant.csv"))
    cb = load_codebook(CODEBOOKS_DIR / "ptm-reuse-interviews.yaml")
    fields = {"attribute": "attributes", "challenge": "challenges", "model_selection_factor": "selection_factors"}
    for row in df.itertuples():
        normalise(cb.require_field(fields[row.category]), row.code)
