"""A small study with every kind of unit, for rendering pages with Streamlit's AppTest."""

from __future__ import annotations

import pytest

from studyapp.services.coding import CodingRow, code_many




@pytest.fixture
def ui_study(study, monkeypatch):
    """The tiny defect study plus a transcript with segments, some codings, a memo and a claim."""
    [tid] = study.units.add_many([{"kind": "transcript", "key": "int-1", "title": "int-1", "text": "x"}])
    study.units.add_many([{"kind": "segment", "key": f"int-1:{i}", "parent_id": tid, "seq": i,
                           "title": "P1", "text": f"turn {i} <script>alert(1)</script>", "attrs": {"speaker": "P1"}}
                          for i in range(1, 4)])
    study.units.add_many([{"kind": "paper", "key": "P1", "title": "A paper", "text": "Abstract",
                           "attrs": {"year": "2024"}}])
    d1 = study.units.by_key("defect", "D1")["id"]
    code_many(study, [CodingRow(d1, "tiny", "stage", "bob", "env"), CodingRow(d1, "tiny", "stage", "chen", "train")])
    study.memos.add(text="check the stage definition", coder="bob", unit_id=d1)
    study.claims.upsert("C1", text="Most defects are environment defects", type="quantitative",
                        data={"metric": "coding_share", "sources": [{"paper": "P1", "quote": "most"}]})
    monkeypatch.setenv("STUDYAPP_STUDY", str(study.folder))
    return study
