"""De-duplication rules, manual links and splits that stay split."""

from __future__ import annotations

import pytest

from studyapp.errors import NotFound, StudyError
from studyapp.services.papers import dedup
from studyapp.services.papers.imports import import_papers

from .conftest import DATA


def test_title_normalisation():
    assert dedup.norm_title("Pre-Trained Models: Gödel's   Study!") == "pre trained models godel s study"


def test_matcher_rules():
    m = dedup.Matcher()
    m.add(1, "An empirical study of pre-trained model reuse", 2023, "10.1/a")
    m.add(2, "Editorial", 2023, "")
    assert m.find("Something else entirely", 2020, "10.1/a").method == "doi"
    hit = m.find("An empirical study of pre-trained models reuse", 2023, "")
    assert hit.primary_id == 1 and hit.method == "title" and 95 <= hit.score < 100
    assert m.find("An empirical study of pre-trained model reuse", 2021, "") is None
    assert m.find("An Empirical Study of Pre-Trained Model Reuse.", 2024, "10.1/preprint").score == 100
    assert m.find("An empirical study of pre-trained model reuse", None, "").score == 100
    assert m.find("An empirical study of pre-trained models reuse", None, "") is None
    assert m.find("An empirical study of pre-trained models reuse", 2023, "10.1/other") is None
    assert m.find("Editorial", 2023, "") is None


def test_split_undoes_a_wrong_merge_and_sticks(imported):
    dup = imported.units.by_key("paper", "jiang2023naminga")["id"]
    assert dedup.split_duplicate(imported, "jiang2023naminga", actor="lea") == "jiang2023naming"
    assert dup not in imported.papers.duplicate_map()
    assert dedup.dedup_study(imported, actor="lea") == 0
    assert any(h["action"] == "paper.split" for h in imported.history.for_unit(dup))
    with pytest.raises(NotFound):
        dedup.split_duplicate(imported, "jiang2023naminga")


def test_manual_link_moves_the_group(imported):
    dedup.link_duplicate(imported, "taylor2021survey", "montes2022discrepancies", actor="lea")
    dmap = imported.papers.duplicate_map()
    ids = imported.units.ids_by_key("paper")
    assert dmap[ids["taylor2021survey"]] == ids["montes2022discrepancies"]
    with pytest.raises(StudyError, match="already a duplicate"):
        dedup.link_duplicate(imported, "montes2022discrepancies", "taylor2021survey")


def test_dedup_study_finds_links_made_without_dedup(slr):
    import_papers(slr, [DATA / "scopus.csv", DATA / "ieee.csv"], dedup=False)
    assert slr.papers.duplicate_map() == {}
    assert dedup.dedup_study(slr) == 1
