"""Read-models of the Agreement page's views: Overview, Field, Disagreements and Report.

Each view of `ui/views/agreement.py` asks one function here for what it draws. Blindness: the
Field view says whether coder-pair details (confusion matrices, per-code agreement) may be shown
(`fields.details_visible`: to a lead, or once every chosen round is open); Disagreements holds
coders' values only in rounds open for reconciliation (`adjudication.disagreements`).

The statistics are the costly part, so they are passed in: the page hands over its cached copies
(`ui.state.field_rows`, keyed on `field_signature`; `ui.state.field_agreement`,
`ui.state.agreement_by_round`, `ui.state.reconciliation_progress`, keyed on the study's change
counter), and the tests call the plain services. Selections come in as the page's widgets hold
them and are resolved as those widgets will (a value that is no longer an option falls back to
the widget's default; a multiselect keeps the chosen values that are still options).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import pandas as pd

from studyapp.domain import roles
from studyapp.domain.codebook import Field
from studyapp.services.agreement import fields as agreement
from studyapp.services.agreement import report, span_report
from studyapp.services.agreement import spans as span_agreement_service
from studyapp.services.agreement.adjudication import Disagreements, disagreements
from studyapp.services.agreement.fields import FieldAgreement
from studyapp.services.agreement.spans import SpanAgreement
from studyapp.services.coding.codebooks import get_codebook
from studyapp.services.coding.rounds import two_coder_rounds
from studyapp.store import Store

LEAF = "leaf codes"
REPORT_MIME = {"markdown": ("md", "text/markdown"), "latex": ("tex", "text/x-tex"), "csv": ("csv", "text/csv"),
               "html": ("html", "text/html"), "json": ("json", "application/json")}
OVERVIEW_COLUMNS = ["label", "level", "rounds", "n_units", "n_coders", "percent_agreement", "kappa",
                    "krippendorff_alpha", "alpha 95% CI", "alpha_band", "gwet_ac1", "undefined_reason"]


@dataclass(frozen=True)
class AgreementFrame:
    """The codebooks that have codings (the page's choice) and whether the viewer is a lead."""

    codebooks: list[str]
    is_lead: bool


def agreement_frame(store: Store, viewer: str | None) -> AgreementFrame:
    return AgreementFrame(sorted({cb for cb, _ in store.annotations.fields_in_use()}), roles.is_lead(store, viewer))


def field_signature(store: Store, codebook: str, field_id: str) -> tuple:
    """What one field's report rows depend on: its own last change, the codebook version and the
    rounds (with their reconciliation state). A page caches `report.field_rows` on it, so saving one
    code recomputes one field, not the overview."""
    version = (store.codebooks.latest(codebook) or {}).get("id")
    rounds = tuple((r["id"], r["reconciliation_open"]) for r in store.rounds.list())
    return ("field", codebook, field_id, version, store.history.field_counter(codebook, field_id), rounds)


def _rows(store: Store, codebook: str, field_rows: Callable[..., list], viewer: str | None = None
          ) -> tuple[list[FieldAgreement], list[str]]:
    """The report rows the viewer may see (`report.shown_rows`) and what they leave out."""
    return report.shown_rows(store, [fa for fid in report.report_fields(store, codebook)
                                     for fa in field_rows(store, codebook, fid)], viewer)


def _used_fields(store: Store, codebook: str) -> list[tuple[Field, int]]:
    used = {f for c, f in store.annotations.fields_in_use() if c == codebook}
    return [(f, d) for f, d in agreement.agreement_fields(store, codebook) if f.id in used]


# -- Overview and Report ----------------------------------------------------------------------------

@dataclass(frozen=True)
class OverviewView:
    """Every field (and tree level) per round: the numbers a methods section reports, as a table,
    with the alpha chart (None when no field has codings)."""

    rows: list[FieldAgreement]
    table: pd.DataFrame
    chart: object | None
    left_out: tuple[str, ...] = ()


def overview_view(store: Store, codebook: str, *, field_rows: Callable[..., list] = report.field_rows,
                  viewer: str | None = None) -> OverviewView:
    """`viewer` None is the folder's holder (sees all); a coder who is not a lead sees open rounds only."""
    rows, left = _rows(store, codebook, field_rows, viewer)
    table = pd.DataFrame([fa.headline() for fa in rows])
    if table.empty:
        return OverviewView(rows, table, None, tuple(left))
    table["alpha 95% CI"] = table["alpha_ci95"].map(lambda c: f"[{c[0]:.3f}, {c[1]:.3f}]" if c else "")
    table["kappa"] = table.apply(lambda r: r["kappa"] if r["kappa_name"] else None, axis=1)
    return OverviewView(rows, table[OVERVIEW_COLUMNS], report.alpha_chart(rows), tuple(left))


@dataclass(frozen=True)
class ReportView:
    """The report of one codebook in one format: its text, file extension and MIME type."""

    rows: list[FieldAgreement]
    text: str | None
    ext: str
    mime: str


def report_view(store: Store, codebook: str, fmt: str, *,
                field_rows: Callable[..., list] = report.field_rows, viewer: str | None = None,
                span_rows: list[SpanAgreement] | None = None) -> ReportView:
    """With `span_rows` (the viewer's `spans_view(...).rows`), the quote spans' tables are in it too."""
    rows, left = _rows(store, codebook, field_rows, viewer)
    ext, mime = REPORT_MIME[fmt]
    text = getattr(report, f"to_{fmt}")(rows, title=store.title, notes=left) if rows else None
    if text is not None and span_rows:
        text = span_report.combined(fmt, text, span_rows)
    return ReportView(rows, text, ext, mime)


# -- Quote spans ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SpansView:
    """Unitizing alpha on the quote spans of one codebook, per field and round (`fields`) and per
    code (`codes`), as display tables. `hidden_rounds` are rounds whose values the viewer may not
    see yet (a coder, before reconciliation opens); their rows say so instead of numbers."""

    rows: list[SpanAgreement]
    fields: pd.DataFrame
    codes: pd.DataFrame
    hidden_rounds: list[str]
    notes: str


def spans_view(store: Store, viewer: str | None, codebook: str, *,
               span_agreement: Callable[..., list] = span_agreement_service.span_agreement) -> SpansView:
    rows = span_agreement(store, codebook, viewer=viewer)
    hidden = list(dict.fromkeys(r.round for r in rows if r.hidden))
    return SpansView(rows, span_report.field_frame(rows), span_report.code_frame(rows), hidden, span_report.NOTES)


# -- Field ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldView:
    """One field's agreement for the chosen rounds, coders and tree level. `agreement` is None when
    fewer than two coders are chosen; `trend` (one row per round) only with more than one round."""

    fields: dict[str, str]
    field_id: str | None = None
    levels: list[str] | None = None
    level: str | None = None
    depth: int | None = None
    round_options: list[str] | None = None
    rounds: list[str] | None = None
    coder_options: list[str] | None = None
    coders: list[str] | None = None
    agreement: FieldAgreement | None = None
    trend: pd.DataFrame | None = None
    details_visible: bool = False
    left_out: tuple[str, ...] = ()


def _multi(chosen: Sequence | None, options: list, default: list) -> list:
    return default if chosen is None else [c for c in chosen if c in options]


def field_view(store: Store, viewer: str | None, codebook: str, *, field: str | None = None, level: str | None = None,
               rounds: Sequence[str] | None = None, coders: Sequence[str] | None = None,
               field_agreement: Callable[..., FieldAgreement] = agreement.field_agreement,
               agreement_by_round: Callable[..., list] = agreement.agreement_by_round) -> FieldView:
    """Defaults as the widgets': the first field with codings, leaf codes, the newest round the
    field was coded in by two or more coders, every coder of those rounds. `rounds`/`coders` None
    means "not chosen yet". The rounds offered leave out one-coder rounds (no agreement to compute)
    and, for a coder who is not a lead, rounds not open for reconciliation yet (statistics over other
    coders' values would give them away); `left_out` says which and why."""
    fields = _used_fields(store, codebook)
    labels = {f.id: f.label for f, _ in fields}
    if not fields:
        return FieldView(labels)
    depth_of = {f.id: d for f, d in fields}
    fid = field if field in labels else next(iter(labels))
    levels = [LEAF] + [f"level {d}" for d in range(1, depth_of[fid])] if depth_of[fid] > 1 else []
    pick = (level if level in levels else LEAF) if levels else None
    depth = None if pick in (None, LEAF) else int(pick.split()[1])
    used = store.annotations.rounds_of(codebook, fid)
    order, left = two_coder_rounds(store, codebook, fid, [r["id"] for r in store.rounds.list() if r["id"] in used])
    if not roles.sees_all(store, viewer):
        opened = {r["id"] for r in store.rounds.list() if r["reconciliation_open"]}
        left += [f"round {r} left out: reconciliation not open yet" for r in order if r not in opened]
        order = [r for r in order if r in opened]
    chosen_rounds = _multi(rounds, order, order[-1:])
    all_coders = store.annotations.coders_of(codebook, fid, chosen_rounds or None)
    chosen_coders = _multi(coders, all_coders, all_coders)
    base = dict(fields=labels, field_id=fid, levels=levels, level=pick, depth=depth, round_options=order,
                rounds=chosen_rounds, coder_options=all_coders, coders=chosen_coders, left_out=tuple(left))
    if len(chosen_coders) < 2 or not chosen_rounds:
        return FieldView(**base)
    fa = field_agreement(store, codebook, fid, rounds=chosen_rounds or None, coders=chosen_coders, depth=depth)
    trend = [t for t in agreement_by_round(store, codebook, fid, coders=chosen_coders, depth=depth, n_boot=0)
             if t.rounds and t.rounds[0] in order]
    df = None
    if len(trend) > 1:
        df = pd.DataFrame([{"round": t.rounds[0], "units": t.summary.n_pairable,
                            "kappa": (t.stat("kappa").value if t.stat("kappa") else None),
                            "alpha": (t.stat("krippendorff_alpha").value if t.stat("krippendorff_alpha") else None)}
                           for t in trend])
    return FieldView(**base, agreement=fa, trend=df,
                     details_visible=agreement.details_visible(store, viewer, chosen_rounds))


# -- Disagreements ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DisagreementsView:
    """Rounds with their reconciliation state, reconciliation progress per field, and one field's
    disagreements (coders' values only in rounds open for reconciliation)."""

    rounds: list[dict]
    progress: pd.DataFrame
    fields: dict[str, str]
    field_id: str | None = None
    field: Field | None = None
    disagreements: Disagreements | None = None


def disagreements_view(store: Store, codebook: str, *, field: str | None = None,
                       reconciliation_progress: Callable[..., pd.DataFrame] = agreement.reconciliation_progress
                       ) -> DisagreementsView:
    rounds = store.rounds.of_codebook(codebook)  # the controls: this codebook's rounds only
    progress = reconciliation_progress(store, codebook)
    labels = {f.id: f.label for f, _ in _used_fields(store, codebook)}
    if not labels:
        return DisagreementsView(rounds, progress, labels)
    fid = field if field in labels else next(iter(labels))
    f = get_codebook(store, codebook).require_field(fid)
    return DisagreementsView(rounds, progress, labels, fid, f, disagreements(store, codebook, fid, rounds=None))
