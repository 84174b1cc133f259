"""Read-models of the Papers page's views: Screen, Conflicts, Extract, Claims, Records, PRISMA, Import.

Each view of `ui/views/papers.py` asks one function here for what it draws. Blindness is decided
below the page: the Screen view carries only the reviewer's own decisions; Conflicts carries other
reviewers' decisions only once a lead opened the stage's reconciliation; the Extract form is
pre-filled with the coder's own values. The costly reads of the Screen view (the prioritised queue,
the reviewer's decisions) are passed in, so the page hands over its cached copies (`ui.state.queue`,
`ui.state.my_decisions`, keyed on the stage's queue signature) and the tests call the plain services.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from studyapp.domain.codebook import Code, Codebook, Criterion, Keywords
from studyapp.errors import StudyError
from studyapp.services.papers import claims as paper_claims
from studyapp.services.papers import dedup, extraction, prisma, screening
from studyapp.services.papers import exports as paper_exports
from studyapp.services.papers import screening_keys
from studyapp.services.papers import queue as screening_queue
from studyapp.services.papers.queue import Queue
from studyapp.store import Store


def stage_criteria(store: Store, stage: str) -> tuple[list[Criterion], list[Code]]:
    """(inclusion criteria, exclusion reasons) at `stage`: the reasons are the screening codebook's
    codes (the SLR codebook's exclusion criteria, and at full text "not retrieved")."""
    st_ = screening.stage_of(stage)
    crit = screening.slr_codebook(store).criteria_for(st_.criteria_stage)
    reasons = screening.screening_codebook(store).require_field(st_.reason_field).codes
    return [c for c in crit if c.kind == "include"], list(reasons)


def _paper_count(store: Store) -> int:
    return store.units.count("paper")


# -- Screen -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScreenView:
    """One reviewer's screening at a stage. `current` is the paper to decide now (with its abstract):
    the revisited one, else the queue's `skip`-th. `mine` and `decisions` are the reviewer's own
    decisions only; nothing here holds another reviewer's."""

    stage: str
    has_papers: bool
    codebook_error: str | None = None
    queue: Queue | None = None
    mine: dict[int, tuple[str, str | None]] | None = None
    current: dict | None = None
    include: list[Criterion] | None = None
    exclude: list[Code] | None = None
    decisions: list[dict] | None = None
    keys: dict[str, str | None] | None = None
    keys_legend: str = ""
    keywords: Keywords = Keywords()
    slr_id: str | None = None


def screen_view(store: Store, coder: str, stage: str, *, skip: int = 0, revisit: int | None = None,
                queue: Callable[..., Queue] = screening_queue.queue,
                my_decisions: Callable[..., dict] = screening.my_decisions) -> ScreenView:
    if not _paper_count(store):
        return ScreenView(stage, False)
    try:
        slr = screening.slr_codebook(store)
    except StudyError as e:
        return ScreenView(stage, True, codebook_error=e.message)
    q = queue(store, stage, coder)
    mine = my_decisions(store, stage, coder)
    if revisit is not None:
        current = revisit
    elif q.ids:
        current = q.ids[skip % len(q.ids)]
    else:
        current = None
    inc, excl = stage_criteria(store, stage)
    rows = []
    if mine:
        units = {u["id"]: u for u in store.units.list("paper", with_text=False)}
        rows = [{"id": uid, "key": units[uid]["key"], "title": units[uid]["title"], "decision": d, "reason": r or ""}
                for uid, (d, r) in mine.items() if uid in units]
    reason_ids = [c.id for c in excl]
    return ScreenView(stage, True, None, q, mine, store.units.require(int(current)) if current is not None else None,
                      inc, excl, rows, screening_keys.exclusion_keys(reason_ids),
                      screening_keys.keys_legend(reason_ids, screening.stage_of(stage).id), slr.keywords,
                      slr.id)


# -- Conflicts --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ConflictsView:
    """Where screening stands (counts per stage, nobody's decisions) and one stage's conflicts:
    `conflicts.rows` hold every reviewer's decision only once the stage's reconciliation is open."""

    stage: str
    has_papers: bool
    setup_error: str | None = None
    status: dict[str, dict[str, int]] | None = None
    reviewers: int = 0
    reconciliation_open: bool = False
    conflicts: screening.Conflicts | None = None
    reasons: list[Code] | None = None


def conflicts_view(store: Store, viewer: str | None, stage: str) -> ConflictsView:
    """Sets screening up first, as the page always has (the generated screening codebook is stored
    once, idempotently)."""
    if not _paper_count(store):
        return ConflictsView(stage, False)
    try:
        screening.setup(store, actor=viewer)
    except StudyError as e:
        return ConflictsView(stage, True, setup_error=e.message)
    round_id = screening.stage_of(stage).round
    return ConflictsView(
        stage, True, None, {s: screening.status_counts(store, s) for s in screening.STAGES},
        screening.reviewers(store), bool(store.rounds.get(round_id)) and store.rounds.is_open(round_id),
        screening.conflicts(store, stage, viewer), stage_criteria(store, stage)[1])


# -- Extract and Claims -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ExtractView:
    """The extraction form of one included paper for one coder, pre-filled with their own values in
    the extraction round only; `filled` are the papers whose form they have begun."""

    setup_error: str | None = None
    codebook: Codebook | None = None
    papers: list[dict] | None = None
    filled: set[int] | None = None
    unit_id: int | None = None
    form: extraction.Form | None = None
    coders_on_paper: int = 0
    claims: list[dict] | None = None


def extract_view(store: Store, coder: str, unit_id: int | None = None) -> ExtractView:
    """`unit_id` is the paper chosen (the first included one when it is None or not included)."""
    try:
        cb = extraction.setup(store)
    except StudyError as e:
        return ExtractView(setup_error=e.message)
    papers = extraction.included_papers(store)
    if not papers:
        return ExtractView(codebook=cb, papers=[])
    progress = {p["key"]: p for p in extraction.progress(store)}
    ids = [p["id"] for p in papers]
    uid = unit_id if unit_id in ids else ids[0]
    form = extraction.form(store, int(uid), coder)
    return ExtractView(None, cb, papers, extraction.filled_by(store, coder), uid, form,
                       progress.get(form.unit["key"], {}).get("coders", 0),
                       paper_claims.paper_claims(store, unit_key=form.unit["key"]))


@dataclass(frozen=True)
class PaperClaimsView:
    """Claims from papers (shared records, not blind) and the papers a claim may cite: the included
    ones, else every paper."""

    claims: list[dict]
    papers: list[str]

    @property
    def live(self) -> list[dict]:
        return [c for c in self.claims if not c["merged_into"]]


def paper_claims_view(store: Store, viewer: str | None, *, include_merged: bool = False) -> PaperClaimsView:
    claims = paper_claims.paper_claims(store, include_merged=include_merged)
    papers: list[str] = []
    if viewer:
        papers = [u["key"] for u in extraction.included_papers(store)] or \
            [u["key"] for u in store.units.list("paper", with_text=False)]
    return PaperClaimsView(claims, papers)


# -- Records, PRISMA, Import ------------------------------------------------------------------------

@dataclass(frozen=True)
class RecordsView:
    """Every search result (filtered by `query` on title or key) and the duplicate groups; duplicates
    are linked, never deleted."""

    total: int
    rows: list[dict]
    linked: int
    groups: list[dict]
    keys: list[str]


def records_view(store: Store, query: str = "") -> RecordsView:
    units = store.units.list("paper", with_text=False)
    if not units:
        return RecordsView(0, [], 0, [], [])
    groups = dedup.duplicate_groups(store)
    dup_of = {d["key"]: g["primary_key"] for g in groups for d in g["duplicates"]}
    rows = [{"key": u["key"], "title": u["title"], "year": str(u["attrs"].get("year") or ""),
             "source": u["attrs"].get("source"), "doi": u["attrs"].get("doi"),
             "duplicate of": dup_of.get(u["key"], "")} for u in units]
    q = query.upper()  # case-insensitive substring, as pandas' str.contains(case=False) did
    if q:
        rows = [r for r in rows if q in (r["title"] or "").upper() or q in r["key"].upper()]
    return RecordsView(len(units), rows, len(dup_of), groups, [u["key"] for u in units])


@dataclass(frozen=True)
class PrismaView:
    counts: dict
    svg: str


def prisma_view(store: Store) -> PrismaView:
    counts = prisma.prisma_counts(store)
    return PrismaView(counts, prisma.prisma_svg(counts, f"PRISMA 2020 flow diagram: {store.title}"))


@dataclass(frozen=True)
class PapersImportView:
    """The papers snowballing may start from, and the review's exports as (format, file name, MIME type)."""

    papers: list[str]
    exports: list[tuple[str, str, str]]


def papers_import_view(store: Store) -> PapersImportView:
    return PapersImportView([u["key"] for u in store.units.list("paper", with_text=False)],
                            [(what, *paper_exports.FILES[what]) for what in paper_exports.FORMATS])


def export_data(store: Store, what: str, viewer: str | None) -> str | bytes:
    """The content of one export (made when its download button is clicked)."""
    return paper_exports.export(store, what, viewer=viewer)[0]
