"""No raw output where people read (issue 14 #9): field labels, not ids, in agreement tables and
exports; human column names in UI tables (CSV/JSON keep their ids: they are a data interface);
numbers at 3-4 significant digits and whole numbers as integers; Home's recent changes as
sentences without sign-ins; a validated claim names its dataset as the study does, not by a
temporary path; interview claims are qualitative."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studyapp.render import tables
from studyapp.services.agreement import report
from studyapp.services.claims.claims_file import check_claim
from studyapp.services.claims.report import cell
from studyapp.services.claims.validation import latest
from studyapp.services.study import history
from studyapp.store import Store
from tests.conftest import copy_demo

DEFECTS = "dl-reengineering-defects"


@pytest.fixture(scope="module")
def demo(demo_template, tmp_path_factory):
    """A copy of the session's demo study (built once per worker, not once per module)."""
    store = Store.open(copy_demo(demo_template, tmp_path_factory.mktemp("raw") / "demo"))
    yield store
    store.close()


def test_latex_and_markdown_agreement_tables_name_fields_by_label_csv_json_keep_ids(demo):
    tex = report.render(demo, "latex", DEFECTS, n_boot=0)
    assert r"is\_defect" not in tex and "Reengineering defect?" in tex
    md = report.render(demo, "markdown", DEFECTS, n_boot=0)
    assert "| is_defect |" not in md and "Reengineering defect?" in md
    assert "krippendorff_alpha" not in md and "undefined_reason" not in md and "n_units" not in md
    csv_head = report.render(demo, "csv", DEFECTS, n_boot=0).splitlines()
    assert csv_head[0].startswith("codebook,field,level") and any(",is_defect," in r for r in csv_head[1:])
    assert {r["field"] for r in json.loads(report.render(demo, "json", DEFECTS, n_boot=0))["rows"]} >= {"is_defect"}


def test_ui_tables_have_human_column_names():
    import pandas as pd

    raw = pd.DataFrame(columns=["field", "n_units", "krippendorff_alpha", "undefined_reason", "p_value", "alpha_band"])
    shown = tables.human_table(raw)
    assert not [c for c in shown.columns if "_" in c], list(shown.columns)
    assert list(shown.columns)[:4] == ["Field", "Units", "Krippendorff's α", "Why undefined"]
    labelled = tables.human_table(pd.DataFrame({"field": ["is_defect"]}), {"is_defect": "Reengineering defect?"})
    assert labelled["Field"][0] == "Reengineering defect?"
    assert all("_" not in v for v in tables.HUMAN_COLUMNS.values())


@pytest.mark.parametrize(("value", "text"), [(0.3229166666666667, "0.3229"), (1000.0, "1000"), (1000, "1000"),
                                             (5.887681874725057e-07, "5.888e-07"), (20.670791273200912, "20.67"),
                                             (None, "—"), ([0.2924017738212867, 1.0], "[0.2924, 1]")])
def test_numbers_read_as_numbers(value, text):
    assert tables.number_text(value) == text


def test_claims_report_prints_whole_numbers_as_integers():
    assert cell(1000.0) == "1000" and cell(0.3229166666666667) == "0.323"


def test_recent_changes_are_sentences_without_sign_ins(demo):
    demo.history.log("coder.sign_in", actor="alice", coder="alice")  # what signing in records
    rows, sign_ins = history.recent_sentences(demo, "alice", 15)
    assert rows and sign_ins >= 1
    text = " ".join(r["Change"] for r in rows)
    assert "coder.sign_in" not in text and "None" not in text and "sign_in" not in text
    assert any(r["Change"].startswith("alice validated claim C1-turnover") for r in rows)


def test_a_validation_names_its_dataset_as_the_study_does_not_by_a_temporary_path(demo):
    for cid, rec in latest(demo).items():
        ds = rec.get("dataset")
        if ds is not None:
            assert not Path(ds).is_absolute(), (cid, ds)
            assert ds == "datasets/sample.db"
        for c in rec.get("checks") or []:
            for q in c.get("queries") or []:
                assert "/tmp/" not in q["sql"] and str(demo.folder) not in q["sql"], q["sql"]
    # claims over interview codings draw on no dataset
    assert latest(demo)["C7-security"].get("dataset") is None


def test_interview_claims_are_qualitative(demo):
    claims = {c["id"]: c for c in demo.claims.list()}
    assert claims["C7-security"]["type"] == "qualitative" and claims["C8-missing-attributes"]["type"] == "qualitative"
    assert claims["C1-turnover"]["type"] == "quantitative"
    inferred = check_claim({"id": "X", "text": "t", "metric": "coding_count", "test": "none", "rule": "count == 3",
                            "params": {"codebook": "c", "field": "f", "code": "x", "of": "participants"},
                            "sources": [{"kind": "interview", "unit_key": "i:1", "quote": "q"}]})
    assert inferred["type"] == "qualitative"


def test_the_claims_page_shows_old_absolute_dataset_paths_by_name():
    from studyapp.ui.claims.views import dataset_shown

    assert dataset_shown("/tmp/.demo-build-x/study/datasets/sample.db") == "sample.db"
    assert dataset_shown("datasets/sample.db") == "datasets/sample.db"
