"""Importing real-format exports: counts per file, duplicates across sources, nothing half-written."""

from __future__ import annotations

import pytest

from studyapp.errors import InvalidInput
from studyapp.services.papers.dedup import duplicate_groups
from studyapp.services.papers.imports import import_papers, import_uploads

from .conftest import DATA


def test_counts_per_file(imported):
    reports = {i["file"]: i for i in imported.imports.list()}
    got = {f: (r["n_read"], r["n_imported"], r["n_duplicates"], r["n_rejected"]) for f, r in reports.items()}
    assert got == {"scopus.csv": (5, 4, 0, 1), "ieee.csv": (3, 2, 1, 0), "acm.bib": (4, 2, 2, 0),
                   "wos.txt": (3, 2, 1, 0), "zotero.csv": (2, 1, 1, 0), "scopus.ris": (3, 1, 2, 0),
                   "acm.csv": (1, 1, 0, 0)}
    assert reports["scopus.csv"]["report"]["rejections"] == [{"record": 5, "line": 6, "reason": "no title"}]
    assert all(r["search_string"] == '"pre-trained model" AND reuse' for r in reports.values())
    assert imported.units.count("paper") == 20
    assert len(imported.papers.duplicate_map()) == 7


def test_duplicates_across_sources_are_linked_not_deleted(imported):
    groups = {g["title"][:20]: {(d["source"], d["method"]) for d in g["duplicates"]} for g in duplicate_groups(imported)}
    assert groups["An Empirical Study o"] == {("IEEE Xplore", "doi")}
    assert groups["What Do We Know Abou"] == {("acm", "title")}
    assert groups["How do Hugging Face "] == {("Zotero", "title")}
    assert groups["Naming Practices of "] == {("Scopus", "title")}
    assert imported.papers.source_counts() == {"Scopus": 7, "IEEE Xplore": 3, "Web of Science": 3,
                                                    "acm": 4, "ACM Digital Library": 1, "Zotero": 2}


def test_units_carry_source_search_and_metadata(imported):
    u = imported.units.by_key("paper", "jiang2023empiricala")
    assert u["attrs"]["source"] == "IEEE Xplore" and u["attrs"]["search"].startswith('"pre-trained')
    assert u["attrs"]["authors"].startswith("W. Jiang; N. Synovic") and u["attrs"]["year"] == 2023
    assert imported.units.by_key("paper", "castano2024evolution")["attrs"]["authors"].startswith("Castaño, Joel")


@pytest.mark.parametrize("broken", ["broken.bib", "broken.csv", "broken-cells.csv"])
def test_a_bad_record_is_rejected_and_strict_imports_nothing(slr, broken):
    before = (slr.table_counts(), slr.change_counter())
    with pytest.raises(InvalidInput, match="--strict") as e:
        import_papers(slr, [DATA / "zotero.csv", DATA / broken], strict=True, actor="lea")
    assert e.value.path.endswith(broken) and e.value.line and e.value.record == 2
    assert (slr.table_counts(), slr.change_counter()) == before
    reports = import_papers(slr, [DATA / "scopus.csv", DATA / broken], actor="lea")
    [x] = reports[1].rejected
    assert x["record"] == 2 and x["line"] and reports[1].imported + reports[1].duplicates >= 1


def test_a_file_that_yields_nothing_imports_nothing(slr, tmp_path):
    bad = tmp_path / "wos.bib"
    bad.write_text("@article{a,\n  Author = {X},\n  Year = {2020}\n}\n", encoding="utf-8")
    before = (slr.table_counts(), slr.change_counter())
    with pytest.raises(InvalidInput, match="no record could be imported: 1 read, 1 rejected") as e:
        import_papers(slr, [DATA / "scopus.csv", bad], actor="lea")
    assert "no title" in e.value.message and (slr.table_counts(), slr.change_counter()) == before


def test_a_failure_while_writing_rolls_back(slr, monkeypatch):
    from studyapp.services.papers import imports as papers_import

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(papers_import, "matcher_for", boom)
    with pytest.raises(RuntimeError):
        import_papers(slr, [DATA / "scopus.csv"])
    assert slr.units.count("paper") == 0 and slr.imports.list() == []


def test_importing_again_links_everything_as_duplicates(imported):
    reports = import_papers(imported, [DATA / "scopus.csv"], source="Scopus")
    assert (reports[0].imported, reports[0].duplicates, len(reports[0].rejected)) == (0, 4, 1)


def test_upload_reads_bytes_with_the_same_rules(slr):
    reports = import_uploads(slr, [("found.ris", (DATA / "scopus.ris").read_bytes())], source="Scopus",
                             search_string="TITLE-ABS-KEY(model)", actor="lea")
    assert reports[0].imported == 3 and reports[0].source == "Scopus"


def test_keys_are_readable_and_unique(imported):
    keys = set(imported.units.ids_by_key("paper"))
    assert {"jiang2023empirical", "jiang2023naming", "jiang2023naminga", "castano2024evolution"} <= keys
    assert "10.5555/msr.2024.3644907" not in keys
