"""Disagreements are listed only in open rounds; only a lead adjudicates, with a rationale."""

from __future__ import annotations

import pytest

from studyapp.errors import PermissionDenied, StudyError, UnknownCode
from studyapp.services.agreement.adjudication import adjudicate, disagreements
from studyapp.services.agreement.reliability_data import reliability_data
from studyapp.services.coding.coding import CodingRow, code_many, open_reconciliation


@pytest.fixture
def coded(study):
    ids = [study.units.by_key("defect", f"D{i}")["id"] for i in (1, 2, 3)]
    code_many(study, [
        CodingRow(ids[0], "tiny", "stage", "bob", "env"), CodingRow(ids[0], "tiny", "stage", "chen", "train"),
        CodingRow(ids[1], "tiny", "stage", "bob", "env"), CodingRow(ids[1], "tiny", "stage", "chen", "env"),
        CodingRow(ids[2], "tiny", "stage", "bob", "train"),
        CodingRow(ids[0], "tiny", "impacts", "bob", "crash;speed"), CodingRow(ids[0], "tiny", "impacts", "chen", "crash"),
    ])
    return study, ids


def test_matrix_aligns_units_by_id_and_keeps_missing(coded):
    study, ids = coded
    data = reliability_data(study, "tiny", "stage")
    assert data.coders == ["bob", "chen"] and [u for u, _ in data.units] == ids
    table = [[v if isinstance(v, str) else None for v in row] for row in data.labels().values.tolist()]
    assert table == [["env", "env", "train"], ["train", "env", None]]


def test_disagreements_hidden_until_reconciliation_opens(coded):
    study, ids = coded
    d = disagreements(study, "tiny", "stage")
    assert d.rows == [] and d.hidden_rounds == ["main"]
    open_reconciliation(study, "main", actor="lea")
    d = disagreements(study, "tiny", "stage")
    assert [(r["key"], r["values"]) for r in d.rows] == [("D1", {"bob": "Environment", "chen": "Training"})]
    multi = disagreements(study, "tiny", "impacts")
    assert multi.rows[0]["values"] == {"bob": "Crash, Speed", "chen": "Crash"}


def test_only_a_lead_adjudicates_in_an_open_round_with_a_rationale(coded):
    study, ids = coded
    kw = dict(unit_id=ids[0], codebook_id="tiny", field_id="stage", value="train", round_id="main")
    with pytest.raises(PermissionDenied):
        adjudicate(study, rationale="x", actor="lea", **kw)
    open_reconciliation(study, "main", actor="lea")
    with pytest.raises(PermissionDenied):
        adjudicate(study, rationale="x", actor="bob", **kw)
    with pytest.raises(StudyError, match="rationale"):
        adjudicate(study, rationale="  ", actor="lea", **kw)
    with pytest.raises(UnknownCode):
        adjudicate(study, rationale="x", actor="lea", **{**kw, "value": "gpu"})
    adjudicate(study, rationale="trace shows the loss diverging", actor="lea", **kw)
    d = disagreements(study, "tiny", "stage")
    assert d.resolved == 1 and d.rows[0]["final"] == "Training"
    assert study.annotations.replay() == study.annotations.current_rows(), "coders' values untouched"
    assert [h["action"] for h in study.history.for_unit(ids[0])][0] == "final.set"
