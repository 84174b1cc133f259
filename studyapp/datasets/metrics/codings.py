"""Metrics over the study's own codings: how many units (or participants) carry a code.

"3 of 12 participants raised security risks" or "58% of defects were reported by re-users" are
claims about the coded data itself; the ICSE 2023 artifact reports a challenge for 3 participants
that its codings give to 2. These metrics recount from the codings. They are pure: the study's
values arrive as a `CodingTable` built by `services.validation.coding_table`, which reads them
through the store and decides which values count (adjudicated finals first, blind rules kept).

A unit has the code when any of its values is the code or one of its descendants in the codebook
hierarchy (the service expands the code into `match`). Participants are transcripts: a participant
has the code when any of their coded segments has it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from studyapp.datasets.metrics.base import Metric, MetricResult, QueryRun


@dataclass(frozen=True)
class CodingTable:
    """Units in scope with the values that count for one field.

    `rows` has columns unit_id, unit_key, participant, values (tuple of code ids that count), coded
    (the unit has a value, even one the coders dispute) and, when a claim restricts to units with
    another code, among (bool)."""
    codebook: str
    field: str
    rows: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)
    source: str = ""
    notes: tuple[str, ...] = ()


def _count(table: CodingTable, match: set[str], of: str, denominator: str) -> tuple[int, int, pd.DataFrame]:
    df = table.rows
    if "among" in df.columns:
        df = df[df["among"]]
    has = df["values"].map(lambda vs: bool(match & set(vs)))
    coded = df["coded"] if "coded" in df.columns else df["values"].map(bool)
    if of == "participants":
        grouped = pd.DataFrame({"participant": df["participant"], "has": has, "coded": coded}).groupby("participant")
        per = grouped.agg(has=("has", "any"), coded=("coded", "any"))
        scope = per if denominator == "all" else per[per.coded]
        return int(scope.has.sum()), len(scope), per.reset_index()
    scope = df if denominator == "all" else df[coded]
    return int(has[scope.index].sum()), len(scope), df.assign(has=has)


def _per_code(table: CodingTable, of: str) -> pd.DataFrame:
    df = table.rows[table.rows["among"]] if "among" in table.rows.columns else table.rows
    long = df.explode("values").dropna(subset=["values"])
    key = "participant" if of == "participants" else "unit_id"
    out = long.groupby("values")[key].nunique().rename("count").reset_index().rename(columns={"values": "code"})
    out["label"] = out.code.map(lambda c: table.labels.get(c, c))
    return out.sort_values(["count", "code"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _result(name: str, table: CodingTable, code, match, of: str, denominator: str | None, p0: float,
            want: str) -> MetricResult:
    if of not in ("units", "participants"):
        raise ValueError("of must be units or participants")
    denominator = denominator or ("all" if of == "participants" else "coded")
    if denominator not in ("all", "coded"):
        raise ValueError("denominator must be all or coded")
    match = set(match)
    count, total, detail = _count(table, match, of, denominator)
    share = count / total if total else None
    what = "participants" if of == "participants" else "units"
    code_label = ", ".join(table.labels.get(c, c) for c in ([code] if isinstance(code, str) else code))
    notes = list(table.notes)
    if not total:
        notes.append(f"no {'' if denominator == 'all' else 'coded '}{what} in scope: nothing to count")
    value = share if want == "share" else (float(count) if total else None)
    return MetricResult(
        name, {"codebook": table.codebook, "field": table.field, "code": code, "of": of, "denominator": denominator},
        value, f"{what} coded {code_label!r} in {table.codebook}.{table.field}"
        + (" (share)" if want == "share" else " (count)") + f": {count} of {total}",
        _per_code(table, of),
        data={"successes": count, "trials": total, "p0": p0},
        extras={"count": count, "total": total, "share": share},
        queries=[QueryRun(table.source, (), 0.0, len(table.rows))], notes=notes, n=total,
        chart={"kind": "bars", "x": "label", "y": "count", "highlight": sorted(match),
               "title": f"{what.capitalize()} per code of {table.field}"})


def coding_share(table: CodingTable, *, code, match=None, of: str = "units", denominator: str | None = None,
                 p0: float = 0.5) -> MetricResult:
    """Share of units (or participants) with `code` (value: count / total)."""
    return _result("coding_share", table, code, match or _as_set(code), of, denominator, p0, "share")


def coding_count(table: CodingTable, *, code, match=None, of: str = "units", denominator: str | None = None,
                 p0: float = 0.5) -> MetricResult:
    """Number of units (or participants) with `code` (value: the count; extras: total, share)."""
    return _result("coding_count", table, code, match or _as_set(code), of, denominator, p0, "count")


def _as_set(code) -> set[str]:
    return {code} if isinstance(code, str) else set(code)


_PARAMS = {
    "codebook": (None, "codebook id"),
    "field": (None, "field id"),
    "code": (None, "code id or label (or a list: any of them); descendants count too"),
    "of": ("units", "units or participants (a participant = a transcript)"),
    "denominator": (None, "all (every unit/participant in scope) or coded (with a value for the field); "
                          "default: coded for units, all for participants"),
    "among": (None, "{field: code}: only units that carry this other code"),
    "values": ("agreed", "which values count: final, agreed, any or coder:NAME (see docs/claims.md)"),
    "p0": (0.5, "share the proportion test compares against"),
}

METRICS = [
    Metric("coding_share", "Share of units or participants with a code", "codings", coding_share, _PARAMS,
           "proportion", ("proportion", "none"),
           "Share of the study's units (or participants) whose coding for a field includes a code."),
    Metric("coding_count", "Number of units or participants with a code", "codings", coding_count, _PARAMS,
           "none", ("none", "proportion"),
           "Number of the study's units (or participants) whose coding for a field includes a code."),
]
