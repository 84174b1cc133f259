"""Read-models of the Defects page's views: Label (one defect with the coder's own labels), Analyse
(distribution and cross-tab of the labels the viewer may see) and Workflow (defects per stage
beside the interview evidence), plus the codebooks and coders the page and its Import view offer.

Blind by construction: `LabellingView.own` are the coder's own values in the round; `others` holds
other coders' values only in rounds whose reconciliation is open (`coding.visible_annotations`);
the analyses read only the `analysis_sources` the viewer may see. Selections come in as the page's
widgets hold them and are resolved here as those widgets will (an option that is gone falls back to
the widget's default). The costly reads are passed in so that the page hands over its cached copies
(`ui.state.distribution_for`, `ui.state.crosstab`, `ui.state.workflow_for`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from studyapp.domain.codebook import Codebook
from studyapp.errors import StudyError
from studyapp.readers.defects.markdown import issue_blocks
from studyapp.services.coding.coding import visible_annotations
from studyapp.services.coding.rounds import pick_round
from studyapp.services.defects import analysis, workflow
from studyapp.services.defects import crosstab as crosstab_service
from studyapp.services.defects.analysis import Source
from studyapp.services.study.browse import codebooks_for
from studyapp.store import Store

LEAF = "leaf"


def defect_codebooks(store: Store) -> list[Codebook]:
    """The codebooks the Defects page offers (those for defect units), in id order."""
    return codebooks_for(store, "defect")


def coder_names(store: Store) -> list[str]:
    """Every coder of the study, for "whose labels" a sheet holds (Import view)."""
    return [c["name"] for c in store.coders.list()]


# -- Label ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LabellingView:
    """One coder labelling one defect in one round. `units` are every defect (no text), `shown` those
    matching the filter; `status[unit id]` how many fields the coder has coded on it in the round."""

    units: list[dict]
    rounds: list[str] | None = None
    round: str | None = None
    status: dict[int, int] | None = None
    shown: list[dict] | None = None
    unit_id: int | None = None
    unit: dict | None = None
    siblings: list[dict] | None = None
    blocks: list[tuple] | None = None
    own: dict[str, Any] | None = None
    others: list[dict] | None = None

    @property
    def done(self) -> int:
        return sum(1 for u in self.units if self.status.get(u["id"]))

    def next_after(self, unit_id: int) -> int | None:
        """The next defect (wrapping) the coder has not labelled in this round, by this view's status."""
        return analysis.next_unlabelled([u["id"] for u in self.units], self.status, unit_id)


def labelling_view(store: Store, cb: Codebook, coder: str, *, round: str | None = None, unit_id: int | None = None,
                   query: str = "") -> LabellingView:
    """`round` the round chosen (else the codebook's active round), `unit_id` the defect (else the first shown),
    `query` the filter on key and title (case-insensitive)."""
    units = store.units.list("defect", with_text=False)
    if not units:
        return LabellingView([])
    rounds, round_id = pick_round(store, cb.id, round)  # the codebook's rounds; its active one by default
    if round_id is None:
        return LabellingView(units, rounds, round_id, {}, [])
    status = analysis.labelling_status(store, cb.id, coder, round_id)
    q = query.casefold()
    shown = [u for u in units if not q or q in f"{u['key']} {u['title']}".casefold()]
    if not shown:
        return LabellingView(units, rounds, round_id, status, shown)
    ids = [u["id"] for u in shown]
    uid = unit_id if unit_id in ids else ids[0]
    unit = store.units.require(int(uid))
    issue = unit["attrs"].get("issue")
    seen = visible_annotations(store, int(uid), coder, codebook=cb.id)
    return LabellingView(
        units, rounds, round_id, status, shown, uid, unit,
        siblings=store.defects.of_issue(issue) if issue else [],
        blocks=issue_blocks(unit["text"]),
        own={a["field"]: a["value"] for a in seen if a["coder"] == coder and a["round"] == round_id},
        others=[a for a in seen if a["coder"] != coder])


def next_to_label(store: Store, codebook_id: str, coder: str, round_id: str, unit_ids: list[int],
                  current: int) -> int | None:
    """After a save: the next defect the coder has not labelled in the round, by the stored labels."""
    return analysis.next_unlabelled(unit_ids, analysis.labelling_status(store, codebook_id, coder, round_id), current)


# -- Analyse and Workflow ---------------------------------------------------------------------------

def level_options(cb: Codebook, field_id: str) -> list:
    """The tree levels a field can be read at: "leaf" (full codes), then 1 .. depth-1; [] when flat."""
    depth = cb.require_field(field_id).depth()
    return [LEAF] + list(range(1, depth)) if depth > 1 else []


def _level(cb: Codebook, field_id: str, chosen) -> int | None:
    options = level_options(cb, field_id)
    return int(chosen) if chosen in options and chosen != LEAF else None


def _field(coded: list[str], chosen: str | None, prefer: str, fallback: int = 0) -> str:
    if chosen in coded:
        return chosen
    return prefer if prefer in coded else coded[fallback]


@dataclass(frozen=True)
class Sources:
    """Whose labels the viewer may analyse (`analysis_sources`), with the page's labels for them
    ("my labels" for the viewer's own) and the one chosen (None when there is none to choose)."""

    sources: list[Source]
    labels: dict[int, str]
    index: int | None

    @property
    def source(self) -> Source | None:
        return None if self.index is None else self.sources[self.index]


def _sources(store: Store, cb: Codebook, viewer: str | None, chosen: int | None) -> Sources:
    sources = analysis.analysis_sources(store, viewer, cb)
    labels = {i: s.describe().replace(f"{viewer}'s", "my") if viewer else s.describe() for i, s in enumerate(sources)}
    return Sources(sources, labels, (chosen if chosen in labels else 0) if sources else None)


@dataclass(frozen=True)
class AnalysisView:
    """The Analyse view: the chosen fields and levels, the distribution of one field and the
    cross-tabulation of two (each with the error that stopped it, if any)."""

    sources: Sources
    coded: list[str]
    field: str | None = None
    level: int | None = None
    distribution: dict | None = None
    distribution_error: str | None = None
    rows: str | None = None
    cols: str | None = None
    row_level: int | None = None
    col_level: int | None = None
    crosstab: dict | None = None
    crosstab_error: str | None = None
    paper_table: dict | None = None


def analysis_view(store: Store, cb: Codebook, viewer: str | None, *, source: int | None = None,
                  field: str | None = None, level=None, rows: str | None = None, cols: str | None = None,
                  row_level=None, col_level=None,
                  distribution_for: Callable[..., dict] = analysis.distribution_for,
                  crosstab: Callable[..., dict] = crosstab_service.crosstab) -> AnalysisView:
    """`source` indexes `Sources.sources`; a level is "leaf" or None for full codes, else the tree
    level to read at. Defaults as the page's widgets: the DL stage for the distribution and the rows,
    the code error for the columns, full codes."""
    srcs = _sources(store, cb, viewer, source)
    coded = [f.id for f in cb.fields if f.is_coded]
    if srcs.source is None or not coded:
        return AnalysisView(srcs, coded)
    s = srcs.source
    fid = _field(coded, field, "dl_stage")
    lvl = _level(cb, fid, level)
    try:
        dist, dist_error = distribution_for(store, cb, fid, s, lvl), None
    except StudyError as e:
        return AnalysisView(srcs, coded, fid, lvl, None, str(e))
    r = _field(coded, rows, "dl_stage")
    c = _field(coded, cols, "code_error", min(1, len(coded) - 1))
    rl, cl = _level(cb, r, row_level), _level(cb, c, col_level)
    try:
        xt = crosstab(store, r, c, codebook=cb.id, coder=s.coder, final=s.final, rounds=s.rounds,
                      row_level=rl, col_level=cl)
    except StudyError as e:
        return AnalysisView(srcs, coded, fid, lvl, dist, dist_error, r, c, rl, cl, None, str(e))
    return AnalysisView(srcs, coded, fid, lvl, dist, dist_error, r, c, rl, cl, xt, None,
                        crosstab_service.paper_table(xt) if xt["n"] else None)


@dataclass(frozen=True)
class WorkflowView:
    """Defects per workflow stage (`workflow.workflow_for`) with the interview codes beside them,
    and the flow as Graphviz DOT; `error` when the labels could not be read."""

    sources: Sources
    has_stages: bool
    interview: str = "mine"
    view: dict | None = None
    dot: str | None = None
    error: str | None = None


def workflow_tab(store: Store, cb: Codebook, viewer: str | None, *, source: int | None = None,
                 interview: str | None = "mine",
                 workflow_for: Callable[..., dict] = workflow.workflow_for) -> WorkflowView:
    """`interview` "mine" puts the viewer's own interview codes beside the stages (the final ones
    without a viewer), "final" the adjudicated ones."""
    srcs = _sources(store, cb, viewer, source)
    interview = interview if interview in ("mine", "final") else "mine"
    if srcs.source is None or cb.field("dl_stage") is None:
        return WorkflowView(srcs, cb.field("dl_stage") is not None, interview)
    beside = (Source(coder=viewer) if viewer else Source(final=True)) if interview == "mine" else Source(final=True)
    try:
        view = workflow_for(store, cb, srcs.source, interview_source=beside)
    except StudyError as e:
        return WorkflowView(srcs, True, interview, error=str(e))
    return WorkflowView(srcs, True, interview, view, workflow.workflow_dot(view))
