"""One test per class of real-export failure (issue "real exports import"), each on a real file of
tests/data/real/ where one could be had with a license, else on text written to the format."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from studyapp.errors import InvalidInput
from studyapp.readers import detect, read, read_path
from studyapp.readers.text import decode

REAL = Path(__file__).resolve().parents[1] / "data" / "real"


def test_decode_rule_reports_the_encoding_it_used():
    d = decode((REAL / "srt" / "windows-1252.srt").read_bytes(), "w.srt")
    assert d.encoding == "cp1252" and d.guessed and "Windows-1252" in d.note
    assert decode((REAL / "srt" / "gb2312.srt").read_bytes(), "g.srt").encoding == "gb18030"
    assert decode("café".encode("utf-8"), "u.txt").note == ""
    with pytest.raises(InvalidInput, match="not UTF-8") as e:
        decode(b"ok\n\x81\x8d\n", "x.csv")  # bytes no code page defines
    assert e.value.line == 2
    with pytest.raises(InvalidInput, match="not UTF-8"):
        decode("café".encode("cp1252"), "codebook.yaml", strict=True)  # files the team writes: UTF-8 only


def test_bibtex_field_names_any_case_and_duplicate_fields():
    text = "@article{a,\n  Title = {Models},\n  Author = {Ann Lee},\n  Year = {2020},\n  Journal = {J}\n}\n"
    [r] = read("papers", text.encode(), "wos.bib").records
    assert (r.title, r.year, r.venue, r.authors) == ("Models", 2020, "J", ["Ann Lee"])
    out = read_path("papers", REAL / "scopus" / "Scopus_bib_example.bib")
    assert len(out.records) == 3 and any("funding_details" in n for n in out.notes)


def test_zotero_biblatex_journaltitle_is_the_venue():
    text = "@article{k,\n  title = {T},\n  journaltitle = {Journal of Reuse},\n  date = {2021-03}\n}\n"
    [r] = read("papers", text.encode(), "zotero.bib").records
    assert r.venue == "Journal of Reuse" and r.year == 2021


@pytest.mark.parametrize("rel, n, fmt", [("ovid/ovid_psycinfo.ris", 6, "ris"), ("ovid/Ovid_ris_example.ris", 4, "ris"),
                                         ("wos/example_wos.ris", 2, "wos"), ("wos/web_of_science.txt", 10, "ris"),
                                         ("pubmed/pubmed_endnote.txt", 6, "ris"), ("wos/wos_plaintext.txt", 50, "wos"),
                                         ("pubmed/single.nbib", 1, "medline"), ("pubmed/PubMed_example.txt", 3, "medline"),
                                         ("wos/wos_tab_delimited_win_utf8.txt", 50, "wos-tab")])
def test_format_is_detected_from_the_content(rel, n, fmt):
    out = read_path("papers", REAL / rel)
    assert out.format == fmt and len([r for r in out.records if r.title]) == n


def test_a_disagreeing_suffix_is_a_note():
    out = read_path("papers", REAL / "wos" / "example_wos.ris")
    assert any("named .ris but holds Web of Science" in x for x in out.notes)


def test_ris_preamble_and_stray_carriage_return():
    text = ('Provider: JSTOR http://www.jstor.org\nDatabase: JSTOR\nContent: text/plain; charset="UTF-8"\n\n\n'
            "TY  - JOUR\nTI  - One\nER  - \n\rTY  - CONF\nTI  - Two\nER  - \n")
    out = read("papers", text.encode(), "jstor.ris")
    assert [r.title for r in out.records] == ["One", "Two"] and "preamble" in out.notes[0]


def test_wos_tab_delimited_with_a_quote_inside_a_field():
    text = 'PT\tAU\tTI\tSO\tPY\tUT\nJ\tLee, A\tThe "best" model\tJ Soft\t2021\tWOS:1\nJ\tDoe, B\tTwo\tJ Soft\t2022\tWOS:2\n'
    out = read("papers", text.encode(), "savedrecs.txt")
    assert out.format == "wos-tab" and [r.title for r in out.records] == ['The "best" model', "Two"]


def test_csv_bad_row_reported_rest_kept_and_springer_embase_columns():
    text = 'Document Title,Authors,Publication Title,Publication Year,DOI\n"A "quoted" title",X,V,2020,\nGood,Y,V,2021,\n'
    out = read("papers", text.encode(), "ieee.csv")
    assert [r.title for r in out.records] == ["Good"] and out.problems[0].line == 2
    springer = read_path("papers", REAL / "springer" / "springer.csv")
    assert springer.profile == "SpringerLink" and all(r.title and r.year for r in springer.records)
    embase = read_path("papers", REAL / "embase" / "embase.csv")
    assert embase.profile == "Embase" and all(r.authors for r in embase.records)
    pubmed = read("papers", b"PMID,Title,Authors,Citation,First Author,Journal/Book,Publication Year,DOI\n"
                            b"1,T,\"Lee A, Doe B\",c,Lee A,J Med,2020,10.1/x\n", "pubmed.csv")
    [r] = pubmed.records
    assert pubmed.profile == "PubMed" and r.venue == "J Med" and r.authors == ["Lee A", "Doe B"]


def test_netflix_and_youtube_webvtt():
    out = read_path("transcripts", REAL / "netflix" / "netflix_chicas_del_cable.vtt")
    assert out.read == 865 and all(t.speaker is None for t in out.records)
    yt = read_path("transcripts", REAL / "youtube" / "youtube_dl.vtt")
    text = " ".join(t.text for t in yt.records)
    assert "yeah what" in text and text.count("this will happen is I'm telling") == 1  # rolling repeat dropped


def test_srt_without_numbers_and_windows_1252():
    out = read_path("transcripts", REAL / "srt" / "no-indexes.srt")
    assert out.read == 7
    out = read_path("transcripts", REAL / "srt" / "windows-1252.srt")
    assert out.read == 1332 and any("Windows-1252" in n for n in out.notes)
    assert not any(t.speaker for t in out.records)  # subtitle colons make no speakers
    assert len(out.records) > 100  # paragraphs by pause, not 3 turns of false speakers


def test_no_false_speakers_from_colons_in_answers():
    text = ("Interviewer: What changed?\nP1: Covid: everything moved online.\nAnd then Covid: again.\n"
            "Interviewer: And vaccines?\nP1: Pfizer: first.\n")
    out = read("transcripts", text.encode(), "t.txt")
    assert [t.speaker for t in out.records] == ["Interviewer", "P1", "Interviewer", "P1"]


def test_qualcoder_bracket_speakers():
    out = read_path("transcripts", REAL / "qualcoder" / "transcript.txt")
    assert {t.speaker for t in out.records} == {"id1", "id2", "id3"}


def test_word_transcript_without_speakers_is_split_into_paragraphs():
    from docx import Document

    doc = Document()
    for i in range(5):
        doc.add_paragraph(f"Paragraph {i} of a narrative answer with no speaker label.")
    buf = io.BytesIO()
    doc.save(buf)
    out = read("transcripts", buf.getvalue(), "story.docx")
    assert [t.text for t in out.records] == [f"Paragraph {i} of a narrative answer with no speaker label."
                                             for i in range(5)]


def test_docx_entity_bomb_is_refused_without_traceback(tmp_path):
    bomb = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
            '<w:t>&b;</w:t></w:r></w:p></w:body></w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", bomb)
    with pytest.raises(InvalidInput, match="DOCTYPE"):
        read("transcripts", buf.getvalue(), "bomb.docx")


def test_github_number_from_url_paginate_and_gh_json():
    out = read("defects", json.dumps([{"url": "https://github.com/a/b/issues/42", "title": "t"}]).encode(), "i.json")
    assert out.records[0].number == 42 and out.records[0].issue == "a/b#42"
    assert len(read_path("defects", REAL / "github" / "rest-issues-paginate.json").records) == 13
    assert [r.number for r in read_path("defects", REAL / "gh" / "issueList.json").records] == [1, 2, 4]
    assert len(read_path("defects", REAL / "gh" / "issue-list-json.json").records) == 3


@pytest.mark.parametrize("data, words", [(b"", "empty"), (b"  \n", "empty"), (b"[" * 100_000, "nested")])
def test_empty_and_deep_json_are_refused(data, words):
    with pytest.raises(InvalidInput, match=words):
        read("defects", data, "issues.json", fmt="github-json")


def test_detect_names_the_reader():
    reader, notes = detect("papers", (REAL / "pubmed" / "single.nbib").read_bytes(), "x.txt")
    assert reader.format == "medline" and notes
