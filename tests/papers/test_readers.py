"""Each export format reads into records with the right fields; each broken file names its line."""

from __future__ import annotations

import pytest

from studyapp.errors import InvalidInput
from studyapp.readers import read_papers, read_papers_bytes

from .conftest import DATA


@pytest.mark.parametrize("name, fmt, profile, n", [
    ("scopus.csv", "csv", "Scopus", 5), ("ieee.csv", "csv", "IEEE Xplore", 3), ("acm.bib", "bibtex", "", 4),
    ("wos.txt", "wos-tab", "Web of Science", 3), ("zotero.csv", "csv", "Zotero", 2), ("scopus.ris", "ris", "", 3),
    ("acm.csv", "csv", "ACM Digital Library", 1)])
def test_every_sample_reads_with_its_profile(name, fmt, profile, n):
    r = read_papers(DATA / name)
    assert (r.format, r.profile, len(r.records)) == (fmt, profile, n)
    assert [x.record for x in r.records] == list(range(1, n + 1))


def test_scopus_fields_are_mapped():
    rec = read_papers(DATA / "scopus.csv").records[0]
    assert rec.title.startswith("An Empirical Study of Pre-Trained Model Reuse")
    assert rec.year == 2023 and rec.doi == "10.5555/icse.2023.00206"
    assert rec.authors[0] == "Jiang W." and len(rec.authors) == 8
    assert rec.venue.startswith("Proceedings") and "model reuse" in rec.keywords
    assert rec.database == "Scopus" and rec.line == 2


def test_bibtex_decodes_latex_and_keeps_keys():
    recs = read_papers(DATA / "acm.bib").records
    castano = recs[3]
    assert castano.authors[0] == "Castaño, Joel" and castano.title == (
        "Analyzing the Evolution and Maintenance of ML Models on Hugging Face")
    assert castano.source_key == "castano2024evolution" and castano.line == 39


def test_ris_multi_line_abstract_and_lines():
    recs = read_papers(DATA / "scopus.ris").records
    assert [r.line for r in recs] == [1, 18, 28]
    assert recs[2].abstract.endswith("for deploying models on small devices.")
    assert recs[0].keywords == ["dataset", "model hubs"]


def test_wos_tab_delimited_tags():
    recs = read_papers(DATA / "wos.txt").records
    assert recs[1].doi == "10.5555/msr.2024.3644898" and recs[1].source_key == "WOS:000000000000002"


# A bad record is a problem of that record (its number, line and reason); the others are read.
# (Until the real-exports issue, one bad record refused the whole file.)
@pytest.mark.parametrize("name, record, line, words, kept", [
    ("broken.bib", 2, 8, "Expected a `=`", 2), ("broken.csv", 2, 3, "not valid CSV", 2),
    ("broken-cells.csv", 2, 3, "5 cells but the header has 4", 1)])
def test_a_broken_record_is_reported_and_the_rest_read(name, record, line, words, kept):
    out = read_papers(DATA / name)
    [p] = out.problems
    assert (p.record, p.line) == (record, line) and words in p.reason
    assert len(out.records) == kept and all(r.title for r in out.records)


def test_ris_record_without_er_ends_at_the_next_record():
    out = read_papers(DATA / "broken.ris")
    assert len(out.records) == 3 and not out.problems
    assert any("record 2 (line 6) has no 'ER  - ' line" in n for n in out.notes)
    out = read_papers_bytes(b"TY  - JOUR\nTI  - x\n", "x.ris")
    assert [r.title for r in out.records] == ["x"] and "ends with the file" in out.notes[0]


def test_unknown_suffix_and_bad_encoding():
    with pytest.raises(InvalidInput, match="cannot tell the format"):
        read_papers_bytes(b"x", "a.pdf")
    with pytest.raises(InvalidInput, match="not UTF-8") as e:
        read_papers_bytes(b"title\nok\n\x81\x8d bad\n", "a.csv")  # bytes no code page defines
    assert e.value.line == 3


def test_utf16_web_of_science_export():
    text = "PT\tTI\tPY\tUT\nJ\tA title about models\t2020\tWOS:1\n"
    r = read_papers_bytes(text.encode("utf-16"), "savedrecs.txt")
    assert r.profile == "Web of Science" and r.records[0].title == "A title about models"


def test_csv_without_title_column():
    with pytest.raises(InvalidInput, match="no title column"):
        read_papers_bytes(b"name,year\nx,2020\n", "x.csv")
