"""Fixtures for the SLR tests: a study with the shipped SLR codebook, a lead and two reviewers."""

from __future__ import annotations

from pathlib import Path

import pytest

from studyapp.services.study.study import init_study

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
    from studyapp.services.papers.imports import import_papers

    import_papers(slr, [DATA / f for f in GOOD], search_string='"pre-trained model" AND reuse', actor="lea")
    return slr


TA = {"jiang2023empirical": ("include", "include"), "jiang2023ptmtorrent": ("include", "maybe"),
      "jiang2024peatmoss": ("include", "include"), "doe2022finetuning": ("exclude:E1", "exclude:E1"),
      "jones2024know": ("include", "include"), "jiang2024challenges": ("include", "exclude:E1"),
      "pepe2024document": ("include", "include"), "castano2024evolution": ("include", "include"),
      "jiang2023naming": ("include", "include"), "lee2024taxonomy": ("maybe", "include"),
      "smith2023keynote": ("exclude:E2", "exclude:E2"), "taylor2021survey": ("exclude:E1", "exclude:E1"),
      "montes2022discrepancies": ("include", None)}
FT = {"jiang2023empirical": ("include", "include"), "jiang2023ptmtorrent": ("exclude:E3", "exclude:E3"),
      "jiang2024peatmoss": ("include", "include"), "jones2024know": ("include", "include"),
      "jiang2024challenges": ("include", "include"), "pepe2024document": ("include", "include"),
      "castano2024evolution": ("exclude:not-retrieved", "exclude:not-retrieved"),
      "jiang2023naming": ("exclude:E5", "exclude:E3"), "lee2024taxonomy": ("exclude:E3", "exclude:E3")}


def screen_all(store, table: dict, stage: str) -> None:
    from studyapp.services.papers import screening as S

    ids = store.units.ids_by_key("paper")
    for key, votes in table.items():
        for coder, vote in zip(("bob", "chen"), votes):
            if vote:
                decision, _, reason = vote.partition(":")
                S.decide(store, ids[key], coder, stage, decision, reason or None)


@pytest.fixture
def screened(imported):
    """Both stages screened by bob and chen; lea resolved one conflict at each stage."""
    from studyapp.services.papers import screening as S

    ids = imported.units.ids_by_key("paper")
    screen_all(imported, TA, "ta")
    S.open_stage_reconciliation(imported, "ta", actor="lea")
    S.resolve(imported, ids["jiang2024challenges"], "ta", "include", None, "studies reengineering of reused models",
              actor="lea")
    screen_all(imported, FT, "ft")
    S.open_stage_reconciliation(imported, "ft", actor="lea")
    S.resolve(imported, ids["jiang2023naming"], "ft", "exclude", "E5", "the journal version supersedes it",
              actor="lea")
    return imported
