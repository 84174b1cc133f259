"""The review part of the demo study (`extend`, run by `services.demo` after the common parts).

From `data/demo/papers/`: duplicates found by the same de-duplication an import runs (plus the
links a reviewer adds by hand, where the automatic rules cannot know: a preprint of another year),
bob's and chen's blind screening decisions at both stages (`screening.csv`), alice's resolutions of
conflicts (`resolutions.csv`), and a backward snowballing round (`snowball.csv`). Everything goes
through the services the app uses, so the demo's PRISMA counts are the study's own. The title and
abstract stage keeps one conflict open for a newcomer to resolve.
"""

from __future__ import annotations

import csv
from pathlib import Path

from studyapp.errors import InvalidInput, StudyError
from studyapp.services.papers import dedup, screening
from studyapp.services.papers import imports as papers_import
from studyapp.store import Store

LEAD = "alice"
#: (record, the record it duplicates): found by a reviewer, not by DOI or title + year.
MANUAL_LINKS = (("P41", "P04"),)


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _paper_id(store: Store, key: str, path: Path, n: int) -> int:
    u = store.units.by_key("paper", key)
    if u is None:
        raise InvalidInput(f"no paper with key {key!r}", path=str(path), record=n)
    return u["id"]


def extend(store: Store, source_dir: str | Path) -> None:
    folder = Path(source_dir) / "papers"
    if not folder.is_dir() or not store.units.count("paper"):
        return
    dedup.dedup_study(store, actor=LEAD)
    for key, primary in MANUAL_LINKS:
        if store.units.by_key("paper", key) and store.units.by_key("paper", primary):
            dedup.link_duplicate(store, key, primary, actor=LEAD)
    for stage in ("ta", "ft"):
        _decisions(store, folder / "screening.csv", stage)
        screening.open_stage_reconciliation(store, stage, actor=LEAD)
        _resolutions(store, folder / "resolutions.csv", stage)
    _snowball(store, folder / "snowball.csv")


def _rows_at(store: Store, path: Path, stage: str, apply) -> None:
    """`apply(paper id, row)` for each row of `path` at `stage`; a refusal names the file and record."""
    if not path.exists():
        return
    for n, r in enumerate(_rows(path), start=1):
        if r["stage"] != stage:
            continue
        try:
            apply(_paper_id(store, r["paper"], path, n), r)
        except StudyError as e:
            raise InvalidInput(e.message, path=str(path), record=n) from None


def _decisions(store: Store, path: Path, stage: str) -> None:
    _rows_at(store, path, stage, lambda uid, r: screening.decide(store, uid, r["coder"], stage, r["decision"],
                                                                 r.get("reason") or None))


def _resolutions(store: Store, path: Path, stage: str) -> None:
    _rows_at(store, path, stage, lambda uid, r: screening.resolve(store, uid, stage, r["decision"],
                                                                  r.get("reason") or None, r["rationale"],
                                                                  actor=r.get("by") or LEAD))


def _snowball(store: Store, path: Path) -> None:
    if not path.exists():
        return
    rounds: dict[str, int] = {}
    for n, r in enumerate(_rows(path), start=1):
        direction = r["direction"]
        if direction not in rounds:
            rounds[direction] = papers_import.start_snowball_round(store, direction, actor=LEAD,
                                                                   note="demo: snowballing from included papers")
        try:
            papers_import.snowball_record(store, rounds[direction], r["from"], direction, title=r["title"],
                                          year=int(r["year"]) if r.get("year") else None,
                                          authors=[a.strip() for a in r.get("authors", "").split(";") if a.strip()],
                                          doi=r.get("doi", ""), venue=r.get("venue", ""),
                                          abstract=r.get("abstract", ""), actor=LEAD)
        except StudyError as e:
            raise InvalidInput(e.message, path=str(path), record=n) from None
