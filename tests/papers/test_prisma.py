"""PRISMA 2020 counts from the study's own decisions, the SVG and the PNG."""

from __future__ import annotations

from studyapp.services.papers import prisma
from studyapp.services.papers.imports import snowball_record, start_snowball_round


def test_counts_follow_the_decisions(screened):
    c = prisma.prisma_counts(screened)
    assert (c["identified"], c["duplicates_removed"], c["screened"]) == (20, 7, 13)
    assert (c["excluded_screening"], c["awaiting_screening"], c["sought"]) == (3, 1, 9)
    assert (c["not_retrieved"], c["assessed"], c["included"]) == (1, 8, 5)
    assert c["excluded_reasons"] == {"E3: No empirical evidence": 2, "E5: Superseded or full text unavailable": 1}
    assert c["awaiting_full_text"] == 0 and c["included_total"] == 5 and c["other_methods"] is None
    assert sum(c["databases"].values()) == c["identified"]


def test_snowballing_fills_the_other_methods_column(screened):
    rnd = start_snowball_round(screened, "backward", note="references of included papers", actor="lea")
    rep = snowball_record(screened, rnd, "jiang2023empirical", "backward", title="Model Zoos in the Wild: Reuse "
                          "Practices of Pre-trained Models", year=2022, actor="bob")
    dup = snowball_record(screened, rnd, "jiang2023empirical", "backward", title="How do Hugging Face Models "
                          "Document Datasets, Bias, and Licenses? An Empirical Study", year=2024, actor="bob")
    assert (rep.imported, dup.duplicates) == (1, 1)
    c = prisma.prisma_counts(screened)
    assert c["identified"] == 20
    o = c["other_methods"]
    assert o["sources"] == {"Backward citation searching": 2}
    assert (o["identified"], o["duplicates_removed"], o["screened"], o["awaiting_screening"]) == (2, 1, 1, 1)
    svg = prisma.prisma_svg(c)
    assert "Identification of studies via other methods" in svg and "Backward (n = 2)" in svg


def test_svg_and_png(screened):
    svg = prisma.prisma(screened, "svg")
    assert svg.startswith("<svg") and "Records screened" in svg and "(n = 13)" in svg
    assert "Studies included in review (n = 5)" in svg and "E3: No empirical evidence (n = 2)" in svg
    png = prisma.prisma(screened, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_escapes_source_names(slr):
    from studyapp.readers.papers.records import PaperRecord, ReadResult
    from studyapp.services.papers.imports import import_results

    import_results(slr, [("x.csv", ReadResult([PaperRecord(1, 2, title="A paper on <models> & reuse")], "csv"))],
                   source="<Scopus & co>")
    svg = prisma.prisma(slr, "svg")
    assert "&lt;Scopus &amp; co&gt; (n = 1)" in svg
