"""Claim validation as text for papers and replication: the evidence table (one row per claim) in
every table format, and the full report with each check's metric, test, rule and the exact queries.

Input is the records validation produces: `ClaimOutcome.to_json()` (what `studyapp validate`
prints) for the table, `ClaimOutcome.record()` or a recorded validation from the study's history
(`validation.latest`) for the full report, so a report can be written without running anything
again. Layout is `services.tables`'.
"""

from __future__ import annotations

import json
import re
from typing import Iterable, Sequence

import pandas as pd

from studyapp.errors import StudyError
from studyapp.render.tables import md_escape, render_table

COLUMNS = ("claim", "metric", "value", "test", "statistic", "p_value", "effect_size", "ci95", "n", "verdict", "reason")
FORMATS = ("json", "markdown", "latex", "csv")
NOTE = ("Verdicts: supported when the claim's decision rule holds; refuted when the data contradict it; "
        "inconclusive otherwise. p: Holm-adjusted when a claim has several tests.")


def cell(v) -> str:
    """A number with three significant digits, `-` for none, lists bracketed."""
    if v is None:
        return "-"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:.3g}"
    if isinstance(v, list):
        return "[" + ", ".join(cell(x) for x in v) + "]"
    return str(v)


def records_frame(records: Iterable[dict]) -> pd.DataFrame:
    """The evidence table: one row per validation record, COLUMNS as display strings."""
    return pd.DataFrame([[cell(r.get(c)) for c in COLUMNS] for r in records], columns=list(COLUMNS))


def latest_records(store) -> list[dict]:
    """The last recorded validation of each claim that has one, in claim order."""
    last = store.claims.latest_validations()
    return [last[c["id"]] for c in store.claims.list() if c["id"] in last]


def render_records(records: Sequence[dict], fmt: str, *, caption: str | None = None) -> str:
    """Validation records as JSON (the records themselves) or a table (markdown, latex, csv)."""
    if fmt == "json":
        return json.dumps(list(records), indent=2, ensure_ascii=False)
    if fmt not in FORMATS:
        raise StudyError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    align = "ll" + "r" + "l" + "rrrlr" + "ll"
    notes = [NOTE] if fmt != "csv" else []
    return render_table(records_frame(records), fmt, caption=caption, notes=notes, align=align,
                        label="tab:claims").rstrip("\n")


def _query_lines(queries: Sequence[dict]) -> list[str]:
    out = []
    for q in queries:
        params = f" with parameters {q['params']}" if q.get("params") else ""
        lang = "sql" if re.match(r"\s*(select|with)\b", q["sql"], re.IGNORECASE) else "text"
        out += [f"```{lang}\n{q['sql'].strip()}\n```",
                f"{q.get('rows', 0)} row(s){' (truncated by the row cap)' if q.get('truncated') else ''}{params}", ""]
    return out


def report_markdown(records: Sequence[dict], *, title: str = "", dataset: str | None = None,
                    source: str = "") -> str:
    """The validation report: the evidence table, then per claim its verdict and reason and per check
    the metric with its parameters, the test, the rule, the numbers and every query it ran."""
    lines = [f"# Claims validation: {title}".rstrip(": "), ""]
    if source:
        lines += [source, ""]
    if dataset:
        lines += [f"Dataset: `{dataset}`", ""]
    lines += [render_records(records, "markdown"), ""]
    for r in records:
        lines += [f"## {r['claim']}: {r['verdict']}", "", md_escape(r.get("reason") or ""), ""]
        if r.get("at"):
            lines += [f"Validated {r['at']}" + (f" by {r['by']}" if r.get("by") else ""), ""]
        for c in r.get("checks") or []:
            params = json.dumps(c.get("params") or {}, sort_keys=True)
            lines += [f"### Check `{c['label']}`: {c['verdict']}", "",
                      f"- metric: `{c['metric']}` with parameters `{params}`",
                      f"- test: `{c.get('test')}`" + (f" ({c['alternative']})" if c.get("alternative") else ""),
                      f"- rule: `{c.get('rule')}`" + (f"; refuted when `{c['refute']}`" if c.get("refute") else ""),
                      f"- value: {cell(c.get('value'))}" + (f" ({c['label_value']})" if c.get("label_value") else "")]
            t = c.get("test_result") or {}
            if t:
                lines.append(f"- {t.get('label') or t.get('test')}: statistic {cell(t.get('statistic'))}, "
                             f"p {cell(t.get('p_value'))}, {t.get('effect_name') or 'effect'} "
                             f"{cell(t.get('effect_size'))}, n {cell(t.get('n'))}")
            lines += [f"- reason: {c.get('reason')}"] + [f"- note: {n}" for n in c.get("notes") or []]
            if c.get("error"):
                lines.append(f"- error: {c['error']}")
            lines += ["", "Queries:" if c.get("queries") else "No queries recorded.", ""]
            lines += _query_lines(c.get("queries") or [])
    return "\n".join(lines).rstrip("\n") + "\n"
