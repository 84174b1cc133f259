"""Extraction forms filled blind by two coders, claims with sources and merging, and the exports."""

from __future__ import annotations

import io

import openpyxl
import pytest

from studyapp.errors import NotFound, StudyError
from studyapp.services.papers import claims as paper_claims
from studyapp.services.papers import exports as paper_exports
from studyapp.services.papers import extraction


def test_only_included_papers_get_a_form(screened):
    keys = [u["key"] for u in extraction.included_papers(screened)]
    assert keys == ["jiang2023empirical", "jiang2024peatmoss", "jones2024know", "jiang2024challenges",
                    "pepe2024document"]
    ids = screened.units.ids_by_key("paper")
    with pytest.raises(StudyError, match="only papers included"):
        extraction.save(screened, ids["doe2022finetuning"], "bob", {"contribution": "tool"})


def test_two_coders_extract_blind(screened):
    pid = screened.units.ids_by_key("paper")["jiang2024peatmoss"]
    assert extraction.save(screened, pid, "bob", {"contribution": "dataset", "method": ["mining"],
                                                  "sample_size": 281638, "notes": "PeaTMOSS"}) == 4
    extraction.save(screened, pid, "chen", {"contribution": "Dataset", "method": "mining; qualitative-analysis"})
    form = extraction.form(screened, pid, "bob")
    assert form.values == {"contribution": "dataset", "method": ["mining"], "sample_size": 281638.0,
                           "notes": "PeaTMOSS"}
    assert {r["coder"] for r in extraction.extraction_table(screened, "bob")} == {"bob"}
    assert extraction.progress(screened)[1]["coders"] == 2
    screened.rounds.set_reconciliation(extraction.ROUND, True, actor="lea")
    rows = extraction.extraction_table(screened, "bob")
    assert [(r["coder"], r["method"]) for r in rows] == [
        ("bob", "Repository or registry mining"), ("chen", "Repository or registry mining, Qualitative content analysis")]
    with pytest.raises(StudyError):
        extraction.save(screened, pid, "bob", {"contribution": "not-a-code"})


def test_claims_with_sources_and_merging(screened):
    c1 = paper_claims.add_claim(screened, text="Model cards often lack limitations", unit_key="pepe2024document",
                                quote="how often this information is missing", page="3", actor="bob")
    c2 = paper_claims.add_claim(screened, text="Documentation is incomplete", unit_key="jiang2023empirical",
                                quote="missing attributes", page="7", type="quantitative", validated=True, actor="chen")
    assert (c1, c2) == ("slr-001", "slr-002")
    merged = paper_claims.merge_claims(screened, [c1, c2], text="Documentation of PTMs is incomplete", actor="lea")
    got = screened.claims.get(merged)
    assert got["type"] == "quantitative" and got["data"]["validated_quantitatively"] is True
    assert got["data"]["merged_from"] == [c1, c2]
    assert [s["unit_key"] for s in got["data"]["sources"]] == ["pepe2024document", "jiang2023empirical"]
    assert [c["id"] for c in paper_claims.paper_claims(screened)] == [merged]
    assert len(paper_claims.paper_claims(screened, include_merged=True)) == 3
    assert [c["id"] for c in paper_claims.paper_claims(screened, unit_key="pepe2024document")] == [merged]
    with pytest.raises(StudyError, match="already merged"):
        paper_claims.merge_claims(screened, [c1, merged], text="again")
    with pytest.raises(NotFound):
        paper_claims.add_claim(screened, text="x", unit_key="nope", quote="q")
    with pytest.raises(StudyError, match="quote"):
        paper_claims.add_claim(screened, text="x", unit_key="jiang2023empirical", quote=" ")
    paper_claims.add_source(screened, merged, unit_key="jones2024know", quote="claims", page="1")
    assert len(paper_claims.sources(screened.claims.get(merged))) == 3


def test_exports(screened):
    bib = paper_exports.included_bibtex(screened)
    assert bib.count("@") == 5 and "@inproceedings{jiang2024peatmoss," in bib
    assert "author = {Jiang W. and Yasmin J." in bib
    csv_text = paper_exports.included_csv(screened)
    assert csv_text.splitlines()[0].startswith("key,title,authors") and len(csv_text.splitlines()) == 6
    scr = paper_exports.screening_csv(screened).splitlines()
    assert len(scr) == 14 and any(line.startswith("jiang2023naming,") and line.endswith("excluded,E5") for line in scr)
    pid = screened.units.ids_by_key("paper")["jones2024know"]
    extraction.save(screened, pid, "bob", {"contribution": "review"})
    assert "jones2024know" in paper_exports.extraction_csv(screened, "bob")
    data, name, _ = paper_exports.export(screened, "extraction-xlsx", "bob")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert name == "extraction.xlsx" and wb["extraction"]["A2"].value == "jones2024know"
    assert wb["fields"]["A2"].value == "contribution"
