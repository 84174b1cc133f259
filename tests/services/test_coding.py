"""Coding through the services: values checked against the codebook, bulk all-or-nothing, blindness."""

from __future__ import annotations

import pytest

from studyapp.errors import InvalidInput, NotFound, PermissionDenied, UnknownCode
from studyapp.services.coding.codebooks import add_codebook, codebook_version
from studyapp.services.coding.coding import (
    CodingRow,
    code_many,
    code_unit,
    open_reconciliation,
    visible_annotations,
)


def _uid(study, key="D1"):
    return study.units.by_key("defect", key)["id"]


def test_values_match_codes_by_id_or_label_case_and_space_insensitively(study):
    u = _uid(study)
    code_unit(study, CodingRow(u, "tiny", "stage", "bob", "  environment "))
    code_unit(study, CodingRow(u, "tiny", "impacts", "bob", "crash; BAD PERFORMANCE (lower  accuracy)"))
    code_unit(study, CodingRow(u, "tiny", "effort", "bob", "2.5"))
    got = {a["field"]: a["value"] for a in visible_annotations(study, u, "bob")}
    assert got == {"stage": "env", "impacts": ["accuracy", "crash"], "effort": 2.5}


def test_unknown_value_is_reported_and_nothing_is_written(study):
    u = _uid(study)
    rows = [CodingRow(u, "tiny", "stage", "bob", "env"), CodingRow(u, "tiny", "stage", "chen", "Pytorch")]
    with pytest.raises(UnknownCode) as e:
        code_many(study, rows)
    assert e.value.record == 2 and "'Pytorch' is not a code of field 'stage'" in str(e.value)
    assert study.annotations.count() == 0


@pytest.mark.parametrize("row, error", [
    (CodingRow(1, "tiny", "stage", "nobody", "env"), NotFound),
    (CodingRow(1, "tiny", "nofield", "bob", "env"), NotFound),
    (CodingRow(1, "tiny", "stage", "bob", "env", round="pilot"), NotFound),
    (CodingRow(1, "tiny", "effort", "bob", "-3"), InvalidInput),
    (CodingRow(1, "tiny", "effort", "bob", "lots"), InvalidInput),
])
def test_bad_rows_are_refused(study, row, error):
    with pytest.raises(error):
        code_unit(study, row)
    assert study.annotations.count() == 0


def test_child_code_must_sit_under_the_chosen_parent(study):
    u = _uid(study)
    code_unit(study, CodingRow(u, "tiny", "stage", "bob", "train"))
    with pytest.raises(UnknownCode, match="belongs under 'env'"):
        code_unit(study, CodingRow(u, "tiny", "cause", "bob", "api"))
    code_unit(study, CodingRow(u, "tiny", "cause", "bob", "loss"))
    code_many(study, [CodingRow(u, "tiny", "stage", "chen", "env"), CodingRow(u, "tiny", "cause", "chen", "gpu")])


def test_coders_are_blind_until_a_lead_opens_reconciliation(study):
    u = _uid(study)
    code_unit(study, CodingRow(u, "tiny", "stage", "bob", "env"))
    code_unit(study, CodingRow(u, "tiny", "stage", "chen", "train"))
    assert [a["coder"] for a in visible_annotations(study, u, "bob")] == ["bob"]
    assert [a["coder"] for a in visible_annotations(study, u, "lea")] == []
    with pytest.raises(PermissionDenied):
        open_reconciliation(study, "main", actor="bob")
    open_reconciliation(study, "main", actor="lea")
    assert sorted(a["coder"] for a in visible_annotations(study, u, "bob")) == ["bob", "chen"]


def test_old_annotations_keep_their_codebook_version(study, tiny_codebook):
    u = _uid(study)
    code_unit(study, CodingRow(u, "tiny", "stage", "bob", "env"))
    tiny_codebook.write_text(tiny_codebook.read_text().replace('version: "1"', 'version: "2"'))
    cb, v2, is_new = add_codebook(study, tiny_codebook)
    assert is_new and cb.version == "2"
    code_unit(study, CodingRow(u, "tiny", "stage", "chen", "env"))
    versions = {a["coder"]: a["codebook_version"] for a in study.annotations.for_unit(u)}
    assert versions["chen"] == v2 and versions["bob"] < v2
    assert codebook_version(study, "tiny", versions["bob"])[0].version == "1"
