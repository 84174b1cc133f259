"""Transcript, participant and code-table readers: turns, times, offsets and file:line errors."""

from __future__ import annotations

import pytest

from studyapp.errors import InvalidInput
from studyapp.readers import parse_transcript, read_transcript_file
from studyapp.readers.transcripts.codes import parse_code_table
from studyapp.readers.transcripts.participants import (
    parse_participants,
    parse_pseudonyms,
)
from studyapp.readers.transcripts.text import split_turns
from tests.interviews.conftest import SAMPLES


def test_vtt_voices_join_into_turns_and_keep_times():
    fmt, turns = read_transcript_file(SAMPLES / "interview-03.vtt")
    assert fmt == "vtt"
    assert [(t.speaker, t.start, t.end) for t in turns] == [
        ("Interviewer", "00:00:01.000", "00:00:04.200"), ("Ana Souza", "00:00:05.000", "00:00:13.000"),
        ("Interviewer", "00:00:14.000", "00:00:16.000"), ("Ana Souza", "00:00:16.500", "00:00:21.250")]
    assert turns[1].text == "Mostly by downloads and likes on the hub. Then I check the license, because legal asks about it."
    assert turns[1].line == 8


def test_srt_name_labels():
    fmt, turns = read_transcript_file(SAMPLES / "interview-04.srt")
    assert fmt == "srt" and [t.speaker for t in turns] == ["Interviewer", "P4"]
    assert turns[1].text.endswith("We had to fine-tune for a week.") and turns[1].start == "00:00:03.500"


def test_text_crlf_and_non_ascii_are_stored_with_newlines():
    _, turns = read_transcript_file(SAMPLES / "interview-05.txt")
    assert [t.speaker for t in turns] == ["Interviewer", "P5", "Interviewer", "P5"]
    assert turns[1].text == "The model card.\nThen the examples: café, naïve, 😀."
    assert "\r" not in "".join(t.text for t in turns)
    assert [t.line for t in turns] == [1, 4, 7, 10]


def test_docx_paragraphs_and_soft_breaks(docx_sample):
    fmt, turns = read_transcript_file(docx_sample)
    assert fmt == "docx"
    assert [(t.speaker, t.text) for t in turns] == [
        (None, "Interview 6"), ("Interviewer", "Where do you look for models?"),
        ("P6", "On the hub, sorted by downloads.\nSometimes on Papers with Code."),
        ("Interviewer", "And deployment?"), ("P6", "We quantize before serving.")]
    assert turns[2].line == 3


def test_timed_layouts_of_transcription_services():
    turns = split_turns("[00:00:05] P1: Hello\n[00:01:02] Interviewer: Why?\nMore.")
    assert [(t.speaker, t.start, t.text) for t in turns] == [("P1", "00:00:05.000", "Hello"),
                                                             ("Interviewer", "00:01:02.000", "Why?\nMore.")]
    turns = split_turns("Ann Lee  0:05\nHi.\n\nBo 1:02:03\nYes.\nMeeting at 10:30")
    assert [(t.speaker, t.start, t.text) for t in turns] == [("Ann Lee", "00:00:05.000", "Hi."),
                                                             ("Bo", "01:02:03.000", "Yes.\nMeeting at 10:30")]


def test_prose_without_labels_splits_into_paragraphs():
    turns = split_turns("First paragraph\nstill first.\n\n\nSecond.")
    assert [(t.speaker, t.text, t.line) for t in turns] == [(None, "First paragraph\nstill first.", 1),
                                                            (None, "Second.", 5)]


@pytest.mark.parametrize("data,name,line,needle", [
    (b"WEBVTT\n\n00:00:01.000 --> 00:0x:03.500\nhi\n", "a.vtt", 3, "WebVTT"),
    (b"1\n00:00:01,000 --> 00:00:0x,500\nhi\n\n2\n00:00:04,000 --> 00:00:06,000\nok\n", "a.srt", 2, "SRT"),
    (b"caf\x81\x8d\nsecond line", "a.txt", 1, "UTF-8"),  # bytes no code page defines (cp1252 is read now)
])
def test_bad_files_name_file_and_line(data, name, line, needle):
    with pytest.raises(InvalidInput) as e:
        parse_transcript(data, name)
    assert e.value.path == name and e.value.line == line and needle in e.value.message


def test_not_a_docx_and_unknown_suffix():
    with pytest.raises(InvalidInput, match="not a Word"):
        parse_transcript(b"plain", "x.docx")
    with pytest.raises(InvalidInput, match="cannot tell the format"):
        parse_transcript(b"plain", "x.pdf")
    with pytest.raises(InvalidInput, match="empty"):
        parse_transcript(b"  \n\n", "x.txt")


def test_participants_trailing_empty_columns_and_prefix():
    text = "Participant,Role,Company type,,\n1,Lead,Startup,,\n2,Engineer,Big tech,,"
    t = parse_participants(text, name="p.csv", id_prefix="P")
    assert [(p.id, p.attrs) for p in t.participants] == [("P1", {"Role": "Lead", "Company type": "Startup"}),
                                                         ("P2", {"Role": "Engineer", "Company type": "Big tech"})]
    assert t.dropped_columns == 2 and t.id_column == "Participant"


@pytest.mark.parametrize("text,line,needle", [
    ("id,role,\n1,a,\n2,b,oops\n", 3, "no header"),
    ("id,role\n1,a\n1,b\n", 3, "again"),
    ("id,role\n1,a\n,b\n", 3, "no participant id"),
])
def test_participants_errors(text, line, needle):
    with pytest.raises(InvalidInput, match=needle) as e:
        parse_participants(text, name="p.csv")
    assert e.value.line == line


def test_code_table_columns_and_errors():
    rows = parse_code_table("participant,category,code\nP1,a,x\n\nP2,b,y\n", name="c.csv")
    assert [(r.participant, r.code, r.line) for r in rows] == [("P1", "x", 2), ("P2", "y", 4)]
    with pytest.raises(InvalidInput, match="no code") as e:
        parse_code_table("participant,code\nP1,\n", name="c.csv")
    assert e.value.line == 2
    with pytest.raises(InvalidInput, match="no code column"):
        parse_code_table("a,b\n1,2\n", name="c.csv", code="codes")


def test_pseudonym_list():
    assert parse_pseudonyms("name,replacement\nAna Souza,P3\nAna\n", name="n.csv") == [
        ("Ana Souza", "P3", 2), ("Ana", None, 3)]
