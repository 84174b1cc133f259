"""Fixtures for the SLR tests: a study with the shipped SLR codebook, a lead and two reviewers."""

from __future__ import annotations

from pathlib import Path

import pytest

from studyapp.services.study import init_study

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "papers"
SLR_CODEBOOK = REPO / "codebooks" / "ptm-reuse-slr.yaml"
GOOD = ["scopus.csv", "ieee.csv", "acm.bib", "wos.txt", "zotero.csv", "scopus.ris", "acm.csv"]


@pytest.fixture
def slr(tmp_path: Path):
    store = init_study(tmp_path / "slr", title="PTM reuse SLR", codebooks=[SLR_CODEBOOK])
    store.coders.add("lea", "lead")
    store.coders.add("bob")
    store.coders.add("chen")
    yield store
    store.close()


@pytest.fixture
def imported(slr):
    from studyapp.services.papers_import import import_papers

    import_papers(slr, [DATA / f for f in GOOD], search_string='"pre-trained model" AND reuse', actor="lea")
    return slr
