"""Importing transcripts and participants into a study: segments, participants, pseudonymisation,
all-or-nothing imports, and the 11 real transcripts of the reengineering study."""

from __future__ import annotations

import re

import pytest

from studyapp.errors import InvalidInput
from studyapp.services.interviews.imports import (
    import_participants,
    import_transcript_data,
    import_transcripts,
)
from studyapp.services.study.study import init_study
from studyapp.store import Store
from tests.conftest import shared_or_skip
from tests.interviews.conftest import CODEBOOK, SAMPLES, seg


def test_segments_are_units_with_parent_key_and_attrs(istudy):
    t = istudy.units.by_key("transcript", "interview-03")
    segs = istudy.units.list("segment", parent_id=t["id"])
    assert [s["key"] for s in segs] == [f"interview-03:{i}" for i in range(1, 5)]
    assert segs[1]["attrs"] == {"speaker": "Ana Souza", "line": 8, "start": "00:00:05.000", "end": "00:00:13.000",
                                "participant": "P3", "interviewer": False}
    assert segs[0]["attrs"]["interviewer"] is True and segs[0]["attrs"]["participant"] is None
    assert t["attrs"]["participant"] == "P3" and t["attrs"]["format"] == "vtt"
    # a label that is a participant id names the participant; turns stay in import order
    assert seg(istudy, "interview-04:2")["attrs"]["speaker"] == "P4"
    assert [u["key"] for u in istudy.units.list("transcript")] == ["interview-03", "interview-04", "interview-05"]


def test_docx_imports(istudy, docx_sample):
    [r] = import_transcripts(istudy, [docx_sample], participant="P6")
    assert r.format == "docx" and r.segments == 5 and r.interviewers == ["Interviewer"]
    assert seg(istudy, "interview-06:3")["text"] == "On the hub, sorted by downloads.\nSometimes on Papers with Code."


def test_pseudonymisation_happens_before_anything_is_stored(tmp_path):
    store = init_study(tmp_path / "p", codebooks=[CODEBOOK])
    data = (SAMPLES / "interview-03.vtt").read_bytes()
    [r] = import_transcript_data(store, [("Ana Souza interview.vtt", data)], participant="P9",
                                 pseudonyms=[("Ana Souza", None), ("legal", "the lawyers")])
    assert r.key == "P9 interview" and r.replacements >= 4
    store.close()
    raw = b"".join(f.read_bytes() for f in (tmp_path / "p").iterdir())
    assert b"Souza" not in raw and not re.search(rb"\bAna\b", raw)
    with Store.open(tmp_path / "p") as store:
        assert seg(store, "P9 interview:2")["title"] == "P9"
        assert "the lawyers asks" in seg(store, "P9 interview:2")["text"]


def test_one_bad_file_writes_nothing(istudy, tmp_path):
    bad = tmp_path / "bad.vtt"
    bad.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\nhello\n", encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_text("P7: fine\n", encoding="utf-8")
    before = (istudy.units.count("segment"), istudy.history.count())
    with pytest.raises(InvalidInput) as e:
        import_transcripts(istudy, [good, bad])
    assert e.value.path == str(bad) and e.value.line == 3
    assert (istudy.units.count("segment"), istudy.history.count()) == before


def test_a_key_already_in_the_study_is_refused(istudy):
    with pytest.raises(InvalidInput, match="already in the study"):
        import_transcripts(istudy, [SAMPLES / "interview-04.srt"])


def test_interviewer_is_guessed_and_reported(istudy):
    text = "Speaker 1: What do you do?\nSpeaker 2: I train models.\nSpeaker 1: Why?\nSpeaker 2: For work.\n"
    [r] = import_transcript_data(istudy, [("guess.txt", text.encode())])
    assert r.interviewers == ["Speaker 1"] and "guessed" in r.warnings[0]
    [r] = import_transcript_data(istudy, [("given.txt", text.encode())], interviewers=["speaker 2"])
    assert r.interviewers == ["Speaker 2"] and not r.warnings


def test_participants_csv_links_transcripts_and_attributes(istudy, tmp_path):
    csv = tmp_path / "people.csv"
    csv.write_text("Participant,Role,Company type,transcript,,\n5,Lead,Startup,interview-05,,\n"
                   "4,Engineer,Big tech,,,\n", encoding="utf-8")
    r = import_participants(istudy, csv, id_prefix="P")
    assert (r.new, r.dropped_columns, r.linked) == (2, 2, [("P5", "interview-05")])
    assert istudy.transcripts.participants()["P5"] == {"Role": "Lead", "Company type": "Startup",
                                                             "transcript": "interview-05"}
    assert seg(istudy, "interview-05:2")["attrs"]["participant"] == "P5"
    assert seg(istudy, "interview-05:1")["attrs"]["participant"] is None
    again = import_participants(istudy, csv, id_prefix="P")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)


def test_bad_participants_file_changes_nothing(istudy, tmp_path):
    csv = tmp_path / "people.csv"
    csv.write_text("id,role\nP1,a\nP1,b\n", encoding="utf-8")
    before = istudy.history.count()
    with pytest.raises(InvalidInput, match="again") as e:
        import_participants(istudy, csv)
    assert e.value.line == 3 and istudy.history.count() == before


@pytest.mark.shared
def test_the_eleven_real_transcripts_import_with_their_speaker_turns(istudy):
    folder = shared_or_skip("dl-reengineering", "transcripts")
    files = sorted(folder.glob("*.txt"))
    assert len(files) == 11
    reports = import_transcripts(istudy, files)
    for f, r in zip(files, reports):
        raw = f.read_text(encoding="utf-8-sig")
        labels = re.findall(r"(?m)^(Interviewer|Leader \d|Speaker ?\d)\s*:", raw)
        assert r.segments == len(labels), f.name
        segs = istudy.units.list("segment", parent_id=istudy.units.by_key("transcript", f.stem)["id"])
        assert [s["attrs"]["speaker"] for s in segs] == labels, f.name
        stored = "".join(s["attrs"]["speaker"] + ":" + s["text"] for s in segs)
        assert re.sub(r"\s+", "", stored) == re.sub(r"\s+", "", raw), f"{f.name}: text lost or changed"
        assert all(s["text"] == s["text"].strip() and "\r" not in s["text"] for s in segs)
    leader = {r.key: r for r in reports}["Interview_leader2_3"]
    assert leader.speakers == {"Leader 2": 36, "Interviewer": 37, "Leader 3": 27}
    assert leader.interviewers == ["Interviewer"]
