"""De-duplication of paper records: by DOI first, then by normalised title and year (rapidfuzz).

Duplicates are linked to the first-imported record (the primary), never deleted, and a reviewer
can split a wrong link; a split pair is never linked again automatically. Matching rules:
- same DOI (case-insensitive, `https://doi.org/` and `doi:` stripped) -> duplicate;
- the same normalised title and years at most one apart (a preprint and its published version), or
  no year on one side -> duplicate;
- same year and normalised titles at least `threshold` similar (rapidfuzz ratio, 0-100) -> duplicate;
- records carrying two different DOIs are linked only by an exact title match;
- titles of fewer than four words are never matched by title ("Editorial", "Introduction").

Fuzzy matching is blocked, so an import stays near-linear however many records share a year: a new
title is compared only with titles of its year that share one of its block keys: its first letters
(of the normalised, space-free title: 8 of them, or 16 or 32 where that block is full), its last
letters (likewise), or one of its two longest words. A 95% match allows two or three changed letters
in a 60-letter title, so one of those is nearly always the same; what blocking misses is a pair
changed at both ends and in its long words (on the Kitchenham 2010 search results plus a perturbed
copy of every title: 1 to 3 of about 1,570 matches, over four seeds). A block holds at most
`MAX_BLOCK` titles (the earliest), so a file built to be slow (thousands of titles alike in their
first 32 letters) is compared with at most a few hundred titles per record. Candidates are taken in
the order they were added, as the unblocked search took them, so a match the blocks reach is the
same match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from studyapp.errors import NotFound, StudyError
from studyapp.store import Store

DEFAULT_THRESHOLD = 95.0
MIN_TITLE_WORDS = 4
#: Letters of the normalised title (spaces removed) at each end that make a block key, shortest first:
#: a full block is refined by the next length.
BLOCK_CHARS = (8, 16, 32)
#: The most titles one block holds (and a new title is compared with through it).
MAX_BLOCK = 256


def norm_title(title: str | None) -> str:
    """Lower case, accents and punctuation removed, spaces collapsed: 'Pre-Trained {M}odels!' -> 'pre trained models'."""
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^0-9a-z]+", " ", text).strip()


def _doi_key(doi: str | None) -> str:
    """DOIs are case-insensitive; a record stored by hand (or by an older import) may keep its capitals."""
    return (doi or "").strip().casefold()


@dataclass(frozen=True)
class Match:
    primary_id: int
    method: str
    score: float


class Matcher:
    """Finds the primary record a new record duplicates, among the records added to it so far."""

    def __init__(self, splits: set[tuple[int, int]] = frozenset(), threshold: float = DEFAULT_THRESHOLD):
        self.splits = splits
        self.threshold = threshold
        self.by_doi: dict[str, int] = {}
        self.titles: dict[int, str] = {}
        self.order: dict[int, int] = {}
        self.blocks: dict[tuple, list[int]] = {}
        self.dois: dict[int, str] = {}
        self.exact: dict[str, list[tuple[int, int | None]]] = {}

    def _split(self, a: int | None, b: int) -> bool:
        return a is not None and (min(a, b), max(a, b)) in self.splits

    @staticmethod
    def _keys(t: str, year: int | None) -> list[list[tuple]]:
        """The title's block keys: its first letters, its last letters and its longest words, each
        from the broadest block to the narrowest."""
        letters = t.replace(" ", "")
        words = sorted(set(t.split()), key=lambda w: (-len(w), w))[:2]
        return [[(year, "^", letters[:n]) for n in BLOCK_CHARS], [(year, "$", letters[-n:]) for n in BLOCK_CHARS],
                *[[(year, "w", w)] for w in words]]

    def add(self, unit_id: int, title: str, year: int | None, doi: str) -> None:
        t = norm_title(title)
        doi = _doi_key(doi)
        if doi:
            self.by_doi.setdefault(doi, unit_id)
            self.dois[unit_id] = doi
        self.titles[unit_id] = t
        self.order[unit_id] = len(self.order)
        for keys in self._keys(t, year):
            for key in keys:
                block = self.blocks.setdefault(key, [])
                if len(block) < MAX_BLOCK:
                    block.append(unit_id)
        self.exact.setdefault(t, []).append((unit_id, year))

    def _candidates(self, t: str, year: int) -> dict[int, str]:
        """The titles a new title is compared with: per kind of key, the broadest block that is not
        full (or the narrowest), in the order they were added."""
        ids: set[int] = set()
        for keys in self._keys(t, year):
            blocks = [self.blocks.get(key, []) for key in keys]
            ids.update(next((b for b in blocks if len(b) < MAX_BLOCK), blocks[-1]))
        return {pid: self.titles[pid] for pid in sorted(ids, key=self.order.__getitem__)}

    def find(self, title: str, year: int | None, doi: str, unit_id: int | None = None) -> Match | None:
        doi = _doi_key(doi)
        if doi and doi in self.by_doi and not self._split(unit_id, self.by_doi[doi]):
            return Match(self.by_doi[doi], "doi", 100.0)
        t = norm_title(title)
        if len(t.split()) < MIN_TITLE_WORDS:
            return None
        for pid, y in self.exact.get(t, ()):
            if (year is None or y is None or abs(year - y) <= 1) and not self._split(unit_id, pid):
                return Match(pid, "title", 100.0)
        if year is None:
            return None
        choices = self._candidates(t, year)
        for _, score, pid in process.extract(t, choices, scorer=fuzz.ratio, score_cutoff=self.threshold, limit=5):
            if self._split(unit_id, pid):
                continue
            other = self.dois.get(pid)
            if doi and other and other != doi and score < 100:
                continue
            return Match(pid, "title", float(score))
        return None


def matcher_for(store: Store, threshold: float = DEFAULT_THRESHOLD) -> Matcher:
    """A matcher holding the study's primary (non-duplicate) papers."""
    repo = store.papers
    dups = repo.duplicate_map()
    m = Matcher(repo.split_pairs(), threshold)
    for u in store.units.list("paper", with_text=False):
        if u["id"] not in dups:
            m.add(u["id"], u["title"] or "", _year(u["attrs"].get("year")), u["attrs"].get("doi") or "")
    return m


def _year(v) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def dedup_study(store: Store, *, threshold: float = DEFAULT_THRESHOLD, actor: str | None = None) -> int:
    """Look again for duplicates among all primary papers (in import order); returns new links."""
    repo = store.papers
    dups = repo.duplicate_map()
    m = Matcher(repo.split_pairs(), threshold)
    n = 0
    with store.transaction():
        for u in store.units.list("paper", with_text=False):
            if u["id"] in dups:
                continue
            year, doi = _year(u["attrs"].get("year")), u["attrs"].get("doi") or ""
            hit = m.find(u["title"] or "", year, doi, u["id"])
            if hit:
                repo.link(u["id"], hit.primary_id, method=hit.method, score=hit.score, actor=actor)
                n += 1
            else:
                m.add(u["id"], u["title"] or "", year, doi)
    return n


def _paper(store: Store, key: str) -> dict:
    u = store.units.by_key("paper", key)
    if u is None:
        raise NotFound(f"no paper with key {key!r}")
    return u


def link_duplicate(store: Store, key: str, primary_key: str, *, actor: str | None = None) -> None:
    """A reviewer marks `key` as a duplicate of `primary_key` (a missed duplicate)."""
    repo = store.papers
    unit, primary = _paper(store, key), _paper(store, primary_key)
    dups = repo.duplicate_map()
    pid = dups.get(primary["id"], primary["id"])
    if pid == unit["id"]:
        raise StudyError(f"{primary_key!r} is already a duplicate of {key!r}")
    with store.transaction():
        for child, parent in dups.items():
            if parent == unit["id"]:
                repo.link(child, pid, method="manual", actor=actor)
        repo.link(unit["id"], pid, method="manual", actor=actor)


def split_duplicate(store: Store, key: str, *, actor: str | None = None) -> str:
    """Undo a wrong merge: `key` becomes a paper of its own again. Returns the former primary's key."""
    unit = _paper(store, key)
    pid = store.papers.split(unit["id"], actor=actor)
    return store.units.require(pid)["key"]


def duplicate_groups(store: Store) -> list[dict]:
    """Each primary with its linked duplicates (for review)."""
    groups: dict[int, dict] = {}
    for d in store.papers.duplicates():
        g = groups.setdefault(d["primary_id"], {"primary_key": d["primary_key"], "title": d["primary_title"],
                                                "source": d["primary_source"], "duplicates": []})
        g["duplicates"].append({k: d[k] for k in ("key", "title", "year", "source", "method", "score", "linked_by")})
    return list(groups.values())
