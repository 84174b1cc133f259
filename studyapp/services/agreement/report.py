"""The agreement report of a study: one row per codebook field (and tree level) and round.

Rounds are reported apart (agreement in a pilot says nothing about the final round) and fields are
never pooled. Formats: markdown and LaTeX (booktabs) for papers, CSV for analysis, JSON for tools,
and a self-contained HTML page with the table and a chart of alpha with its interval (SVG drawn by
vl-convert, so it opens offline). Markdown and LaTeX are laid out by `services.tables`. The CLI
command and the page's download button both call `render`.
"""

from __future__ import annotations

import html
import io
import json
from typing import Sequence

from studyapp.domain import roles, spreadsheet_safe
from studyapp.errors import StudyError
from studyapp.render import tables
from studyapp.services.agreement import span_report
from studyapp.services.agreement.fields import (
    FieldAgreement,
    agreement_by_round,
    agreement_fields,
)
from studyapp.services.agreement.spans import span_agreement
from studyapp.services.coding.codebooks import list_codebooks
from studyapp.store import Store

FORMATS = ("markdown", "latex", "csv", "html", "json")
COLUMNS = [("codebook", "Codebook"), ("field", "Field"), ("level", "Level"), ("rounds", "Round"),
           ("n_units", "Units"), ("n_coders", "Coders"), ("percent_agreement", "% agr."),
           ("kappa", "Kappa"), ("krippendorff_alpha", "Alpha"), ("alpha_ci95", "Alpha 95% CI"),
           ("gwet_ac1", "AC1"), ("alpha_band", "Alpha band"), ("undefined_reason", "Undefined because")]
SOURCES = ("Bands: Krippendorff (2004) for alpha (>= .800 reliable, >= .667 tentative); Landis & Koch (1977) "
           "for kappa. Kappa is Cohen's for two coders, Fleiss' for more. Multi-code fields: alpha with the "
           "MASI distance (Passonneau 2006). CIs: bootstrap over units, 95%.")
_ALIGN = "llll" + "r" * 7 + "ll"


def report_rows(store: Store, codebook_id: str | None = None, *, rounds: Sequence[str] | None = None,
                coders: Sequence[str] | None = None, n_boot: int = 1000, seed: int = 0,
                viewer: str | None = None, left_out: list[str] | None = None) -> list[FieldAgreement]:
    """Agreement of every coded field (and tree level) of one or all codebooks, one entry per round,
    as `shown_rows` keeps them (what it leaves out is appended to `left_out` when given)."""
    ids = [codebook_id] if codebook_id else [c.id for c in list_codebooks(store)]
    out: list[FieldAgreement] = []
    for cb in ids:
        for field_id in report_fields(store, cb):
            out += field_rows(store, cb, field_id, rounds=rounds, coders=coders, n_boot=n_boot, seed=seed)
    kept, left = shown_rows(store, out, viewer)
    if left_out is not None:
        left_out += left
    return kept


def shown_rows(store: Store, rows: list[FieldAgreement], viewer: str | None = None
               ) -> tuple[list[FieldAgreement], list[str]]:
    """The rows a report shows, and what it leaves out, e.g. "round screening-ft left out: 1 coder":
    a round with fewer than two coders of a field has no agreement to report (its rows would all be
    undefined), and a coder who is not a lead sees statistics over other coders' values only for
    rounds open for reconciliation (`roles.sees_all`)."""
    opened = None if roles.sees_all(store, viewer) else {r["id"] for r in store.rounds.list()
                                                         if r["reconciliation_open"]}
    kept: list[FieldAgreement] = []
    why: dict[tuple, dict] = {}
    for fa in rows:
        rnd = fa.rounds[0] if fa.rounds and len(fa.rounds) == 1 else None
        if opened is not None and (rnd is None or rnd not in opened):
            reason = "reconciliation not open yet"
        elif fa.summary.n_coders < 2:
            reason = f"{fa.summary.n_coders} coder" + ("" if fa.summary.n_coders == 1 else "s")
        else:
            kept.append(fa)
            continue
        why.setdefault((fa.codebook, rnd or "all", reason), {}).setdefault(fa.name, None)
    has_rows = {(fa.codebook, fa.rounds[0] if fa.rounds else "all") for fa in kept}
    out = []
    for (cb, rnd, reason), fields in why.items():
        what = f"round {rnd}" if (cb, rnd) not in has_rows else f"round {rnd} ({', '.join(fields)})"
        out.append(f"{what} of {cb} left out: {reason}")
    return kept, out


def report_fields(store: Store, codebook_id: str) -> list[str]:
    """The codebook's fields that have codings, in codebook order (the rows of its report)."""
    used = set(store.annotations.fields_in_use())
    return [f.id for f, _ in agreement_fields(store, codebook_id) if (codebook_id, f.id) in used]


def field_rows(store: Store, codebook_id: str, field_id: str, *, rounds: Sequence[str] | None = None,
               coders: Sequence[str] | None = None, n_boot: int = 1000, seed: int = 0) -> list[FieldAgreement]:
    """One field's rows of the report: each tree level, each round. Depends only on that field's
    codings (a page caches it on `store.history.field_counter`)."""
    depth = dict((f.id, d) for f, d in agreement_fields(store, codebook_id)).get(field_id, 1)
    out: list[FieldAgreement] = []
    for d in [None] + list(range(1, depth)):
        for fa in agreement_by_round(store, codebook_id, field_id, coders=coders, depth=d, n_boot=n_boot, seed=seed):
            if rounds is None or fa.rounds[0] in rounds:
                out.append(fa)
    return out


def render(store: Store, fmt: str = "markdown", codebook_id: str | None = None, *, spans: bool = False,
           viewer: str | None = None, **kwargs) -> str:
    """The report as text in `fmt` (one of FORMATS); with `spans`, the quote spans' unitizing alpha
    per field and code beside it (`services.agreement.span_report`, blind for `viewer`)."""
    if fmt not in FORMATS:
        raise StudyError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
    left: list[str] = []
    rows = report_rows(store, codebook_id, left_out=left, viewer=viewer, **kwargs)
    if not rows:
        raise StudyError("nothing to report: no field has codings by two or more coders"
                         + (f" in codebook {codebook_id!r}" if codebook_id else "")
                         + (f" ({'; '.join(left)})" if left else ""))
    text = {"markdown": to_markdown, "latex": to_latex, "csv": to_csv, "html": to_html,
            "json": to_json}[fmt](rows, title=store.title, notes=left)
    if not spans:
        return text
    span_rows = span_agreement(store, codebook_id, viewer=viewer, rounds=kwargs.get("rounds"),
                               coders=kwargs.get("coders"), n_boot=kwargs.get("n_boot", 1000),
                               seed=kwargs.get("seed", 0))
    return span_report.combined(fmt, text, span_rows)


def _cell(key: str, value, row: dict) -> str:
    if value is None:
        if key == "kappa" and row["kappa_name"] is None:
            return "n/a"
        return "undefined" if key in ("kappa", "krippendorff_alpha", "percent_agreement") else ""
    if key == "alpha_ci95":
        return f"[{value[0]:.3f}, {value[1]:.3f}]"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _table(rows: list[FieldAgreement]) -> list[list[str]]:
    """Display rows for people (Markdown, LaTeX, HTML, the page): the field's label, not its id
    (`is_defect` reads "Is a defect"); CSV and JSON keep the ids, as a data interface."""
    out = []
    for fa in rows:
        h = fa.headline()
        out.append([_cell(k, h["label"] if k == "field" else h[k], h) for k, _ in COLUMNS])
    return out


def frame(rows: list[FieldAgreement]):
    """The report as a DataFrame of display strings, one column per COLUMNS heading."""
    import pandas as pd

    return pd.DataFrame(_table(rows), columns=[h for _, h in COLUMNS])


def to_markdown(rows: list[FieldAgreement], title: str = "", notes: Sequence[str] = ()) -> str:
    return f"# Agreement: {title}\n\n" + tables.to_markdown(frame(rows), notes=[SOURCES, *notes], align=_ALIGN)


def to_latex(rows: list[FieldAgreement], title: str = "", notes: Sequence[str] = ()) -> str:
    keep = [h for k, h in COLUMNS if k not in ("codebook", "undefined_reason")]
    return tables.to_latex(frame(rows)[keep], caption=f"Inter-rater agreement: {title}", notes=[SOURCES, *notes],
                           align="lll" + "r" * (len(keep) - 4) + "l")


def to_csv(rows: list[FieldAgreement], title: str = "", notes: Sequence[str] = ()) -> str:
    buf = io.StringIO()
    w = spreadsheet_safe.writer(buf, lineterminator="\n")
    w.writerow([k for k, _ in COLUMNS])
    for fa in rows:
        h = fa.headline()
        w.writerow([("" if h[k] is None else f"{h[k][0]:.6f};{h[k][1]:.6f}" if k == "alpha_ci95"
                     else f"{h[k]:.6f}" if isinstance(h[k], float) else h[k]) for k, _ in COLUMNS])
    return buf.getvalue()


def to_json(rows: list[FieldAgreement], title: str = "", notes: Sequence[str] = ()) -> str:
    doc = {"study": title, "notes": SOURCES, "left_out": list(notes), "rows": []}
    for fa in rows:
        doc["rows"].append({**fa.headline(), "statistics": {k: s.to_dict() for k, s in fa.summary.stats.items()}})
    return json.dumps(doc, indent=2, default=float)


def alpha_chart(rows: list[FieldAgreement]):
    """Alpha per field and round with its bootstrap interval, and the .667/.800 reference lines."""
    import altair as alt
    import pandas as pd

    data = []
    for fa in rows:
        h = fa.headline()
        if h["krippendorff_alpha"] is None:
            continue
        lo, hi = h["alpha_ci95"] or (h["krippendorff_alpha"],) * 2
        data.append({"field": f"{h['codebook']}: {h['label']}", "round": h["rounds"],
                     "alpha": h["krippendorff_alpha"], "lo": lo, "hi": hi})
    df = pd.DataFrame(data, columns=["field", "round", "alpha", "lo", "hi"])
    base = alt.Chart(df).encode(y=alt.Y("field:N", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=300)),
                                color=alt.Color("round:N", title="Round"),
                                yOffset="round:N")
    points = base.mark_point(filled=True, size=60).encode(
        x=alt.X("alpha:Q", title="Krippendorff's alpha", scale=alt.Scale(domain=[-0.2, 1])),
        tooltip=["field", "round", alt.Tooltip("alpha:Q", format=".3f")])
    bars = base.mark_rule().encode(x="lo:Q", x2="hi:Q")
    rules = alt.Chart(pd.DataFrame({"x": [0.667, 0.8]})).mark_rule(strokeDash=[4, 4], color="gray").encode(x="x:Q")
    return (bars + points + rules).properties(width=420)


def to_html(rows: list[FieldAgreement], title: str = "", notes: Sequence[str] = ()) -> str:
    from studyapp.render.charts import to_svg

    svg = to_svg(alpha_chart(rows))
    head = "".join(f"<th>{html.escape(h)}</th>" for _, h in COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in _table(rows))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Agreement: {html.escape(title)}</title>"
            "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border-bottom:1px solid #ccc;padding:4px 8px;text-align:left}</style></head><body>"
            f"<h1>Agreement: {html.escape(title)}</h1><table><thead><tr>{head}</tr></thead><tbody>{body}"
            f"</tbody></table><p>{html.escape(SOURCES)}</p>{''.join(f'<p>{html.escape(n)}</p>' for n in notes)}<h2>Alpha with 95% interval</h2>{svg}</body></html>")
