"""Fixtures for the REFI-QDA tests: a coded interview study (two coders, spans, segment codes beyond
spans, two rounds, memos on a segment, a transcript, a code and the study), and helpers to write
hand-made projects and to fingerprint a study file."""

from __future__ import annotations

import hashlib
import sqlite3
import zipfile
from pathlib import Path

import pytest

from studyapp.services.interviews.imports import import_transcripts
from studyapp.services.interviews.spans import (
    add_code_memo,
    add_segment_memo,
    add_span,
    tag_segment,
)
from studyapp.services.study.study import init_study
from studyapp.store import Store

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "tests" / "data" / "transcripts"
CODEBOOK = REPO / "codebooks" / "ptm-reuse-interviews.yaml"
CB = "ptm-reuse-interviews"


def seg(store: Store, key: str) -> dict:
    return store.units.by_key("segment", key)


def span_at(store: Store, key: str, coder: str, quote: str, codes: list[str], **kw) -> int:
    s = seg(store, key)
    start = s["text"].index(quote)
    return add_span(store, s["id"], coder, start, start + len(quote), codes, codebook=CB, expected_text=quote, **kw)


@pytest.fixture
def coded(tmp_path: Path):
    """The interview study, coded by bob and chen (lea leads): spans with nested codes, a code given
    to a segment beyond its spans, a note on a span, a pilot round, and four kinds of memo."""
    store = init_study(tmp_path / "original", title="PTM reuse interviews", codebooks=[CODEBOOK])
    store.coders.add("lea", "lead")
    store.coders.add("bob")
    store.coders.add("chen")
    store.rounds.ensure("pilot", "Pilot")
    import_transcripts(store, [SAMPLES / "interview-03.vtt"], participant="P3")
    import_transcripts(store, [SAMPLES / "interview-04.srt", SAMPLES / "interview-05.txt"])
    span_at(store, "interview-05:2", "bob", "café", ["attributes:documentation"], note="the café example")
    span_at(store, "interview-05:2", "bob", "😀", ["attributes:demos"])
    span_at(store, "interview-05:2", "chen", "The model card.", ["attributes:documentation", "attributes:demos"])
    span_at(store, "interview-05:4", "bob", "latency on CPU", ["attributes:latency"])
    span_at(store, "interview-05:4", "chen", "latency", ["attributes:latency"])
    span_at(store, "interview-05:4", "chen", "CPU", ["attributes:latency"], round="pilot")
    for key in ("interview-03:2", "interview-03:4", "interview-04:2"):
        text = seg(store, key)["text"]
        word = text.split()[0]
        span_at(store, key, "bob", word, ["attributes:popularity"])
        tag_segment(store, seg(store, key)["id"], "chen", ["attributes:popularity"], codebook=CB)
    tag_segment(store, seg(store, "interview-03:2")["id"], "chen", ["attributes:quality"], codebook=CB)
    tag_segment(store, seg(store, "interview-04:2")["id"], "bob", ["challenges:model-search"], codebook=CB)
    add_segment_memo(store, seg(store, "interview-05:2")["id"], "bob", "Emoji as a sign of demo quality?")
    add_code_memo(store, CB, "attributes:latency", "lea", "Merge with cost estimation later.")
    t = store.units.by_key("transcript", "interview-04")
    store.memos.add(text="Audio was poor after minute 12.", coder="chen", target_kind="unit", unit_id=t["id"])
    store.memos.add(text="Saturation reached after interview 5.", coder="lea", target_kind="study")
    yield store
    store.close()


def new_study(folder: Path, *codebooks: Path) -> Store:
    """An empty study whose lead is lea (only a lead imports)."""
    store = init_study(folder, title="Imported", codebooks=list(codebooks))
    store.coders.add("lea", "lead")
    return store


def write_qdpx(path: Path, qde: str, files: dict[str, bytes | str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde.encode("utf-8"))
        for name, data in (files or {}).items():
            zf.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return path


def fingerprint(folder: Path) -> str:
    """SHA-256 of the study file after a WAL checkpoint: equal means byte-for-byte unchanged."""
    db = Path(folder) / "study.db"
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return hashlib.sha256(db.read_bytes()).hexdigest()
