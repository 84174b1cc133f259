"""Fixtures for the team tests: a study with something in every core table, and spawned writers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from studyapp.services.coding.coding import CodingRow, code_many, open_reconciliation

HERE = Path(__file__).resolve().parent


@pytest.fixture
def writers(monkeypatch):
    """The `_writers` module, importable by spawned processes (the suite uses importlib mode)."""
    monkeypatch.syspath_prepend(str(HERE))
    import _writers

    yield _writers
    sys.modules.pop("_writers", None)


@pytest.fixture
def busy_study(study, tiny_codebook):
    """The tiny study after some months of work: two codebook versions, a pilot round reconciled,
    values changed and cleared, finals changed, memos edited, claims, an import."""
    store = study
    d1, d2, d3 = (store.units.by_key("defect", f"D{i}")["id"] for i in (1, 2, 3))
    store.rounds.ensure("pilot", "Pilot", actor="lea")
    code_many(store, [CodingRow(d1, "tiny", "stage", "bob", "env", round="pilot"),
                      CodingRow(d1, "tiny", "cause", "bob", "api", round="pilot", note="looks like an API"),
                      CodingRow(d1, "tiny", "stage", "chen", "train", round="pilot"),
                      CodingRow(d1, "tiny", "impacts", "chen", ["crash", "speed"], round="pilot"),
                      CodingRow(d2, "tiny", "effort", "bob", 2.5, round="pilot")])
    code_many(store, [CodingRow(d1, "tiny", "stage", "chen", "env", round="pilot")])
    code_many(store, [CodingRow(d1, "tiny", "impacts", "chen", None, round="pilot")])
    open_reconciliation(store, "pilot", actor="lea")
    store.finals.set(unit_id=d1, codebook="tiny", field="stage", value="train", round="pilot", by="lea",
                     rationale="first reading")
    store.finals.set(unit_id=d1, codebook="tiny", field="stage", value="env", round="pilot", by="lea",
                     rationale="both coders agree after talking")
    code_many(store, [CodingRow(d2, "tiny", "stage", "bob", "train"), CodingRow(d3, "tiny", "note", "chen", "odd <b>")])
    tiny_codebook.write_text(tiny_codebook.read_text() + "  - id: extra\n    type: text\n", encoding="utf-8")
    from studyapp.services.coding.codebooks import add_codebook

    add_codebook(store, tiny_codebook, actor="lea")
    code_many(store, [CodingRow(d3, "tiny", "extra", "bob", "new field, new version")])
    mid = store.memos.add(text="stage definition unclear", coder="bob", unit_id=d1)
    store.memos.edit(mid, "stage definition unclear for forks", actor="bob")
    store.claims.upsert("C1", text="Most defects are environment defects", type="quantitative",
                        data={"metric": "coding_share"}, actor="lea")
    iid = store.imports.start(kind="defects", file="issues.csv", actor="lea")
    store.units.add_many([{"kind": "defect", "key": "D4", "title": "ünïcode ✓", "text": "line\nbreak",
                           "attrs": {"repo": "o/r", "labels": ["bug"], "n": 3}}], import_id=iid, actor="lea")
    store.imports.finish(iid, n_read=1, n_imported=1, report={"rows": [1]}, actor="lea")
    return store
