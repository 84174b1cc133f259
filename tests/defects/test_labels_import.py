"""Importing a spreadsheet of labels as one coder's annotations: matching columns, values and units."""

from __future__ import annotations

import pytest

from studyapp.errors import InvalidInput, NotFound
from studyapp.services.coding.codebooks import codebook_version
from studyapp.services.coding.labels import UnknownLabels, import_labels
from studyapp.services.defects.imports import import_defects
from tests.defects.conftest import CB, write

MAP = """\
columns:
  Root cause: root_cause
  Reporter type: reporter
"""


@pytest.fixture
def imported(defect_study, issues_csv):
    import_defects(defect_study, [issues_csv])
    return defect_study


def _values(store, coder, field):
    out = {}
    for uid, cb, f, c, rnd, v in store.annotations.current_rows():
        if c == coder and f == field:
            out[store.units.get(uid)["key"]] = v
    return out


def test_labels_by_url_with_a_mapping_file(imported, issues_csv, tmp_path):
    rep = import_labels(imported, issues_csv, coder="ana", codebook=CB, key="URL",
                        map_file=write(tmp_path / "m.yaml", MAP), round="pilot")
    assert rep.rows == 4 and rep.units == 4 and rep.index_columns == ["Unnamed: 0"]
    assert rep.columns == {"Framework": "framework", "DL stage": "dl_stage", "Root cause": "root_cause",
                           "Impacts": "impacts", "General code error type": "code_error", "Reporter type": "reporter"}
    assert "Title" in rep.not_imported_columns and "Unnamed: 0" not in rep.columns
    stage = _values(imported, "ana", "dl_stage")
    assert stage == {"acme/detector#7:1": "environment", "acme/detector#7:2": "environment",
                     "acme/detector#9:1": "training", "other/seg#9:1": "training"}
    assert _values(imported, "ana", "impacts")["acme/detector#7:1"] == '["crash", "memory-exhaustion"]'
    assert _values(imported, "ana", "root_cause")["acme/detector#7:2"] == "environment.api"
    assert _values(imported, "ana", "code_error")["acme/detector#9:1"] == "algorithm-method"
    assert imported.rounds.get("pilot") is not None
    assert {r[4] for r in imported.annotations.current_rows()} == {"pilot"}
    # every write went through the history
    assert imported.annotations.replay() == imported.annotations.current_rows()


def test_unknown_values_are_listed_with_rows_and_nothing_is_written(imported, tmp_path):
    sheet = write(tmp_path / "labels.csv", "key,dl stage,impacts,framework\n"
                                           "acme/detector#7:1,evalution,crash;bad perf,pytorch\n"
                                           "acme/detector#7:2,Environment,crash,Pytorch \n"
                                           "acme/detector#9:1,evalution,crash,pytorch\n")
    before = imported.table_counts()
    with pytest.raises(UnknownLabels) as e:
        import_labels(imported, sheet, coder="ana", codebook=CB)
    found = {(u["field"], u["value"]): u["lines"] for u in e.value.unknown}
    assert found == {("dl_stage", "evalution"): [2, 4], ("impacts", "bad perf"): [2]}
    assert "'evalution' on line(s) 2, 4" in str(e.value) and "labels.csv" in str(e.value)
    assert imported.table_counts() == before
    fixed = write(tmp_path / "fix.yaml", "values:\n  dl_stage:\n    Evalution: training\n"
                                         "  impacts:\n    bad perf: accuracy\n")
    rep = import_labels(imported, sheet, coder="ana", codebook=CB, map_file=fixed)
    assert rep.key_column == "key" and rep.written == 9
    assert _values(imported, "ana", "dl_stage")["acme/detector#9:1"] == "training"


def test_add_unknown_writes_a_new_codebook_version(imported, tmp_path):
    sheet = write(tmp_path / "labels.csv", "key,DL stage,root cause\n"
                                           "acme/detector#7:1,environment,Driver mismatch\n"
                                           "acme/detector#9:1,Deployment,\n")
    old_cb, old_vid = codebook_version(imported, CB)
    rep = import_labels(imported, sheet, coder="ana", codebook=CB, add_unknown=True)
    cb, vid = codebook_version(imported, CB)
    assert vid != old_vid and rep.codebook_version == vid and cb.version == old_cb.version + "+1"
    assert rep.added_codes == {"dl_stage": ["deployment"], "root_cause": ["environment.driver-mismatch"]}
    assert cb.require_field("root_cause").code("environment.driver-mismatch").label == "Driver mismatch"
    assert cb.require_field("root_cause").path("environment.driver-mismatch") == ("environment",
                                                                                 "environment.driver-mismatch")
    assert cb.require_field("same_data").code("yes")  # the shared code list was not disturbed
    rows = imported.annotations.for_unit(imported.units.by_key("defect", "acme/detector#7:1")["id"])
    assert {r["codebook_version"] for r in rows} == {vid}
    assert len(imported.codebooks.versions(CB)) == 2


def test_issue_number_keys_take_the_issues_defects_in_order(imported, tmp_path):
    sheet = write(tmp_path / "n.csv", ",Issue #,DL Stage\n0,7.0,environment\n1,7,training\n")
    with pytest.raises(NotFound, match="ambiguous"):  # 9 is an issue in two repositories
        import_labels(imported, write(tmp_path / "amb.csv", "Issue #,DL Stage\n9,training\n"), coder="ana",
                      codebook=CB)
    import_labels(imported, sheet, coder="ben", codebook=CB)
    assert _values(imported, "ben", "dl_stage") == {"acme/detector#7:1": "environment",
                                                     "acme/detector#7:2": "training"}
    extra = write(tmp_path / "x.csv", "Issue #,DL Stage\n7,training\n7,training\n7,training\n")
    with pytest.raises(NotFound, match=r"line 4: this is row 3 of issue acme/detector#7, which has 2"):
        import_labels(imported, extra, coder="ana", codebook=CB)


def test_refusals_change_nothing(imported, tmp_path):
    before = imported.table_counts()
    ok = write(tmp_path / "ok.csv", "key,DL Stage\nacme/detector#7:1,environment\n")
    with pytest.raises(NotFound, match="no coder named 'zed'"):
        import_labels(imported, ok, coder="zed", codebook=CB)
    with pytest.raises(NotFound, match="no unit for 'nope'"):
        import_labels(imported, write(tmp_path / "u.csv", "key,DL Stage\nnope,environment\n"), coder="ana",
                      codebook=CB)
    with pytest.raises(InvalidInput, match="same unit twice"):
        import_labels(imported, write(tmp_path / "d.csv", "key,DL Stage\nacme/detector#7:1,environment\n"
                                                          "acme/detector#7:1,training\n"), coder="ana", codebook=CB)
    with pytest.raises(InvalidInput, match="no column is a field"):
        import_labels(imported, write(tmp_path / "f.csv", "key,colour\nacme/detector#7:1,red\n"), coder="ana",
                      codebook=CB)
    with pytest.raises(InvalidInput, match="not a code of 'dl_stage'"):
        import_labels(imported, ok, coder="ana", codebook=CB,
                      map_file=write(tmp_path / "bad.yaml", "values:\n  dl_stage:\n    x: nonsense\n"))
    assert imported.table_counts() == before
