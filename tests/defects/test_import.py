"""Importing defects from tables and GitHub JSON: one unit per defect, several per issue, all or nothing."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from studyapp.errors import InvalidInput
from studyapp.readers.defects.markdown import issue_blocks
from studyapp.services.defects.imports import add_defect, import_defects
from tests.defects.conftest import write


def test_table_rows_of_one_issue_become_numbered_defects(defect_study, issues_csv):
    rep = import_defects(defect_study, [issues_csv])
    assert rep.imported == 4 and rep.files[0].issues == 3
    keys = [u["key"] for u in defect_study.units.list("defect")]
    assert keys == ["acme/detector#7:1", "acme/detector#7:2", "acme/detector#9:1", "other/seg#9:1"]
    first, second = defect_study.units.list("defect")[:2]
    assert first["attrs"]["issue"] == second["attrs"]["issue"] == "acme/detector#7"
    assert (first["attrs"]["defect"], second["attrs"]["defect"]) == (1, 2)
    assert first["title"] == "CUDA error on start" and "RuntimeError" in first["text"]
    assert first["attrs"]["url"] == "https://github.com/acme/detector/issues/7"
    # the sheet's labels are not copied into the units: a coder must not see them while labelling
    assert "Framework" in rep.files[0].not_imported_columns
    assert not any("PyTorch" in json.dumps(u["attrs"]) for u in defect_study.units.list("defect"))


def test_reimport_counts_duplicates_and_adds_only_new_defects(defect_study, issues_csv, tmp_path):
    import_defects(defect_study, [issues_csv])
    more = write(tmp_path / "more.csv", "URL,Title\nhttps://github.com/acme/detector/issues/7,a\n"
                                        "https://github.com/acme/detector/issues/7,b\n"
                                        "https://github.com/acme/detector/issues/7,c\n")
    rep = import_defects(defect_study, [more])
    assert (rep.imported, rep.duplicates) == (1, 2)
    assert defect_study.units.by_key("defect", "acme/detector#7:3")["attrs"]["defect"] == 3


def test_xlsx_with_given_columns(defect_study, tmp_path):
    path = tmp_path / "sheet.xlsx"
    pd.DataFrame({"Summary": ["Hangs", "Crashes"], "Details": ["x", "y"], "No.": [3, 4.0],
                  "Project": ["acme/detector", "acme/detector"]}).to_excel(path, index=False)
    rep = import_defects(defect_study, [path], columns={"Summary": "title", "Details": "body", "No.": "number",
                                                        "Project": "repo"})
    assert rep.imported == 2
    assert [u["key"] for u in defect_study.units.list("defect")] == ["acme/detector#3:1", "acme/detector#4:1"]


def test_github_json_rest_and_gh_shapes(defect_study, issues_json):
    rep = import_defects(defect_study, [issues_json])
    assert rep.imported == 2
    rest = defect_study.units.by_key("defect", "acme/detector#12:1")
    assert rest["attrs"]["url"] == "https://github.com/acme/detector/issues/12"
    assert rest["attrs"]["labels"] == ["bug"] and rest["attrs"]["comments"] == 2 and rest["attrs"]["author"] == "zoe"
    gh = defect_study.units.by_key("defect", "acme/detector#13:1")
    assert gh["attrs"]["created_at"].startswith("2021-02-01") and gh["attrs"]["comments"] == 1
    assert "Use AMP" in gh["text"] and "@max" in gh["text"]


def test_bad_input_names_the_record_and_changes_nothing(defect_study, issues_csv, tmp_path):
    before = defect_study.table_counts()
    bad = write(tmp_path / "bad.json", json.dumps([{"number": 1, "title": "ok"}, {"title": "no number"}]))
    with pytest.raises(InvalidInput) as e:  # a bad issue refuses the whole call with --strict ...
        import_defects(defect_study, [issues_csv, bad], strict=True, actor="lea")
    assert "bad.json" in str(e.value) and "record 2" in str(e.value)
    with pytest.raises(InvalidInput, match="no defect could be read"):  # ... and a file of nothing but bad ones always
        import_defects(defect_study, [write(tmp_path / "none.json", json.dumps([{"title": "x"}]))], actor="lea")
    mismatch = write(tmp_path / "mismatch.csv", "URL,Issue #\nhttps://github.com/a/b/issues/3,3\n"
                                                "https://github.com/a/b/issues/4,5\n")
    with pytest.raises(InvalidInput, match=r"mismatch.csv:3: .*issue 4 .* says 5"):
        import_defects(defect_study, [mismatch])
    with pytest.raises(InvalidInput, match="not valid JSON"):
        import_defects(defect_study, [write(tmp_path / "broken.json", "[{")])
    assert defect_study.table_counts() == before
    report = import_defects(defect_study, [bad], actor="lea").files[0]  # without it, the rest is imported
    assert report.imported == 1 and report.rejected == [{"record": 2, "line": None,
                                                         "reason": "the issue has no 'number' (and its URL names none)"}]


def test_add_defect_to_an_issue(defect_study, issues_csv):
    import_defects(defect_study, [issues_csv])
    uid = defect_study.units.by_key("defect", "acme/detector#9:1")["id"]
    new = defect_study.units.require(add_defect(defect_study, uid, actor="ana"))
    assert new["key"] == "acme/detector#9:2" and new["attrs"]["issue"] == "acme/detector#9"
    assert new["text"] == defect_study.units.require(uid)["text"]


def test_issue_text_blocks_keep_code_and_show_html_as_text():
    blocks = issue_blocks("Hello **x**\n\n```python\nimport torch\n```\n\n<img src=x onerror=alert(1)>\n\nbye")
    assert blocks[0] == ("markdown", "Hello **x**", None)
    assert blocks[1] == ("code", "import torch", "python")
    assert blocks[2][0] == "text" and "onerror" in blocks[2][1]
    assert blocks[3] == ("markdown", "bye", None)
