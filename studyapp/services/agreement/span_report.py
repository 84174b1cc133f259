"""The quote-span part of the agreement report: unitizing alpha per field and per code, per round.

Two tables beside the per-turn report (`services.agreement.report`): one row per codebook field and
round (u-alpha, |u-alpha, cu-alpha, each with its bootstrap interval, and cu-alpha's coverage) and
one row per code ((k)u-alpha, the binary "k or not", coverage). Undefined values say why; rows of
rounds the viewer may not see yet say that instead of numbers (`services.agreement.spans`). The
same formats as the report: Markdown, LaTeX (booktabs), CSV (one long table, a row per statistic),
HTML and JSON.
"""

from __future__ import annotations

import html

import pandas as pd

from studyapp.render import tables
from studyapp.render.tables import to_csv as table_csv
from studyapp.services.agreement.spans import SpanAgreement
from studyapp.stats import Stat

FIELD_COLUMNS = ["Codebook", "Field", "Round", "Coders", "Spans", "Characters", "u-alpha", "u-alpha 95% CI",
                 "|u-alpha", "|u-alpha 95% CI", "cu-alpha", "cu-alpha 95% CI", "cu coverage", "Undefined because"]
CODE_COLUMNS = ["Codebook", "Field", "Round", "Code", "Spans", "binary (k or not)", "binary 95% CI",
                "(k)u-alpha", "(k)u-alpha 95% CI", "coverage", "Undefined because"]
CSV_COLUMNS = ["codebook", "field", "round", "code", "statistic", "value", "ci_low", "ci_high", "n_spans",
               "n_coders", "characters", "coverage", "undefined_reason"]
NOTES = ("Quote spans: Krippendorff's alpha for unitizing (Krippendorff et al. 2016; Krippendorff 2019, "
         "sec. 12.6), over characters of the turns' text. u-alpha: where the quotes are and their codes; "
         "|u-alpha: coded or not (ATLAS.ti alpha-binary); cu-alpha: the codes where coded spans of two coders "
         "meet, on the share of text given as coverage (ATLAS.ti cu-alpha); per code, (k)u-alpha and the "
         "binary 'k or not'. CIs: percentile bootstrap over regions, 95%. See docs/unitizing.md.")


def _num(s: Stat) -> str:
    return "undefined" if s.value is None else f"{s.value:.3f}"


def _ci(s: Stat) -> str:
    return f"[{s.ci[0]:.3f}, {s.ci[1]:.3f}]" if s.ci else ""


def _pct(x: float | None) -> str:
    return "" if x is None else f"{x:.1%}"


def _why(*stats: Stat) -> str:
    return "; ".join(dict.fromkeys(s.undefined_reason for s in stats if s.undefined_reason))


def field_frame(rows: list[SpanAgreement]) -> pd.DataFrame:
    out = []
    for r in rows:
        u, b, cu = r.stat("u_alpha"), r.stat("binary"), r.stat("cu_alpha")
        out.append([r.codebook, r.field_label, r.round, len(r.coders), r.n_spans, r.length or "",
                    _num(u), _ci(u), _num(b), _ci(b), _num(cu), _ci(cu), _pct(r.coverage), _why(u, b, cu)])
    return pd.DataFrame(out, columns=FIELD_COLUMNS)


def code_frame(rows: list[SpanAgreement]) -> pd.DataFrame:
    out = []
    for r in rows:
        for c in r.codes:
            out.append([r.codebook, r.field_label, r.round, c.label, c.n_spans, _num(c.binary), _ci(c.binary),
                        _num(c.ku_alpha), _ci(c.ku_alpha), _pct(c.coverage), _why(c.binary, c.ku_alpha)])
    return pd.DataFrame(out, columns=CODE_COLUMNS)


def to_markdown(rows: list[SpanAgreement]) -> str:
    return ("## Quote spans (unitizing alpha)\n\n"
            + tables.to_markdown(field_frame(rows), align="lll" + "r" * 10 + "l", notes=[NOTES])
            + "\n### Per code\n\n" + tables.to_markdown(code_frame(rows), align="llll" + "r" * 6 + "l"))


def to_latex(rows: list[SpanAgreement]) -> str:
    keep = [c for c in FIELD_COLUMNS if c not in ("Codebook", "Undefined because")]
    code_keep = [c for c in CODE_COLUMNS if c not in ("Codebook", "Undefined because")]
    return (tables.to_latex(field_frame(rows)[keep], caption="Agreement on quote spans (unitizing alpha)",
                            notes=[NOTES], align="ll" + "r" * (len(keep) - 2))
            + "\n" + tables.to_latex(code_frame(rows)[code_keep], caption="Agreement on quote spans per code",
                                     align="lll" + "r" * (len(code_keep) - 3)))


def _csv_row(r: SpanAgreement, code: str, name: str, s: Stat, n_spans: int, coverage) -> list:
    return [r.codebook, r.field, r.round, code, name, "" if s.value is None else f"{s.value:.6f}",
            f"{s.ci[0]:.6f}" if s.ci else "", f"{s.ci[1]:.6f}" if s.ci else "", n_spans, len(r.coders),
            r.length, "" if coverage is None else f"{coverage:.6f}", s.undefined_reason or ""]


def long_frame(rows: list[SpanAgreement]) -> pd.DataFrame:
    """One row per statistic (field-level rows have an empty code): the shape analysis tools read."""
    out = []
    for r in rows:
        for key, _ in (("u_alpha", 0), ("binary", 0), ("cu_alpha", 0)):
            out.append(_csv_row(r, "", key, r.stat(key), r.n_spans, r.coverage if key == "cu_alpha" else None))
        for c in r.codes:
            out.append(_csv_row(r, c.code, "binary", c.binary, c.n_spans, None))
            out.append(_csv_row(r, c.code, "ku_alpha", c.ku_alpha, c.n_spans, c.coverage))
    return pd.DataFrame(out, columns=CSV_COLUMNS)


def to_csv(rows: list[SpanAgreement]) -> str:
    return table_csv(long_frame(rows))


def to_json(rows: list[SpanAgreement]) -> list[dict]:
    return [r.to_dict() for r in rows]


def to_html(rows: list[SpanAgreement]) -> str:
    def table(df: pd.DataFrame) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in df.columns)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                       for row in df.itertuples(index=False))
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    return (f"<h2>Quote spans (unitizing alpha)</h2>{table(field_frame(rows))}<p>{html.escape(NOTES)}</p>"
            f"<h3>Per code</h3>{table(code_frame(rows))}")


def combined(fmt: str, report_text: str, rows: list[SpanAgreement]) -> str:
    """The per-turn report `report_text` (in `fmt`) with the span tables beside it: after it in
    Markdown and LaTeX, a second CSV table after one blank line, a `spans` key in JSON, a section
    before the end of the HTML page."""
    if fmt == "json":
        import json

        doc = json.loads(report_text)
        doc["spans"] = to_json(rows)
        doc["spans_notes"] = NOTES
        return json.dumps(doc, indent=2, default=float)
    if fmt == "html":
        return report_text.replace("</body></html>", to_html(rows) + "</body></html>")
    part = {"markdown": to_markdown, "latex": to_latex, "csv": to_csv}[fmt](rows)
    return report_text.rstrip("\n") + "\n\n" + part
