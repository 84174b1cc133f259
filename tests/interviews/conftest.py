"""Fixtures for the interview tests: sample transcripts, a DOCX made with python-docx, and a study
with the interview codebook, coders and imported transcripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from studyapp.services.interviews.imports import import_transcripts
from studyapp.services.study.study import init_study

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "tests" / "data" / "transcripts"
CODEBOOK = REPO / "codebooks" / "ptm-reuse-interviews.yaml"


def make_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_heading("Interview 6", level=1)
    d.add_paragraph("Interviewer: Where do you look for models?")
    p = d.add_paragraph("P6: On the hub, sorted by downloads.")
    p.add_run().add_break()
    p.add_run("Sometimes on Papers with Code.")
    d.add_paragraph("")
    d.add_paragraph("Interviewer:")
    d.add_paragraph("And deployment?")
    d.add_paragraph("P6: We quantize before serving.")
    d.save(str(path))
    return path


@pytest.fixture
def docx_sample(tmp_path: Path) -> Path:
    return make_docx(tmp_path / "interview-06.docx")


@pytest.fixture
def istudy(tmp_path: Path):
    """A study with the interview codebook, lead lea, coders bob and chen, and three transcripts."""
    store = init_study(tmp_path / "study", title="Interviews", codebooks=[CODEBOOK])
    store.coders.add("lea", "lead")
    store.coders.add("bob")
    store.coders.add("chen")
    import_transcripts(store, [SAMPLES / "interview-03.vtt"], participant="P3")
    import_transcripts(store, [SAMPLES / "interview-04.srt", SAMPLES / "interview-05.txt"])
    yield store
    store.close()


def seg(store, key: str) -> dict:
    return store.units.by_key("segment", key)
