"""The chart behind a claim's check, drawn from its recorded validation (no recomputation).

A metric says how its table is drawn (`MetricResult.chart`: kind bars, scatter, box or turnover,
with the columns to use); a recorded check keeps that spec and a sample of the table's rows
(`services.validation`). `check_chart(record)` turns the two into an altair chart: bars with the
claim's codes highlighted, a scatter with a linear trend line (on the log axes where the metric asks for them), top vs
bottom box plots, and turnover bars per snapshot (faceted per registry). The Claims page shows it;
`services.charts` converts it to SVG/PNG for papers. Returns None when there is nothing to draw.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

TURNOVER_PARTS = ("remained", "newcomers", "returning")


def check_chart(record: dict, width: int = 520, height: int = 300) -> Any | None:
    spec, rows = record.get("chart") or {}, record.get("rows") or []
    if not spec or not rows:
        return None
    import altair as alt

    df = pd.DataFrame(rows)
    kind, title = spec.get("kind"), spec.get("title") or record.get("label") or ""
    if kind == "turnover":
        return _turnover(alt, df, title, width, height)
    x, y = spec.get("x"), spec.get("y")
    if x not in df.columns or y not in df.columns:
        return None
    if kind == "bars":
        df = df.head(int(spec.get("limit") or 30))
        hi = set(spec.get("highlight") or ())
        key = "code" if "code" in df.columns else x
        df["highlight"] = df[key].isin(hi) if hi else False
        return alt.Chart(df, title=title, width=width, height=height).mark_bar().encode(
            x=alt.X(f"{x}:N", sort="-y", title=x.replace("_", " ")),
            y=alt.Y(f"{y}:Q", title=y.replace("_", " ")),
            color=alt.condition("datum.highlight", alt.value("#d97706"), alt.value("#2563eb")),
            tooltip=list(df.columns[:6]))
    if kind == "scatter":
        df = df[(df[x].notna()) & (df[y].notna())]
        if spec.get("log_x"):
            df = df[df[x] > 0]
        if spec.get("log_y"):
            df = df[df[y] > 0]
        sx = alt.Scale(type="log") if spec.get("log_x") else alt.Scale(zero=False)
        sy = alt.Scale(type="log") if spec.get("log_y") else alt.Scale(zero=False)
        base = alt.Chart(df, title=title, width=width, height=height)
        points = base.mark_circle(opacity=0.45, size=24).encode(
            x=alt.X(f"{x}:Q", scale=sx, title=x.replace("_", " ")),
            y=alt.Y(f"{y}:Q", scale=sy, title=y.replace("_", " ")),
            tooltip=list(df.columns[:6]))
        trend = base.transform_regression(x, y, method="linear").mark_line(color="#dc2626").encode(
            x=alt.X(f"{x}:Q", scale=sx), y=alt.Y(f"{y}:Q", scale=sy))
        return points + trend
    if kind == "box":
        return alt.Chart(df, title=title, width=width, height=height).mark_boxplot(extent="min-max").encode(
            x=alt.X(f"{x}:N", title=""), y=alt.Y(f"{y}:Q", title=y.replace("_", " ")),
            color=alt.Color(f"{x}:N", legend=None))
    return None


def _turnover(alt, df: pd.DataFrame, title: str, width: int, height: int):
    if "name" not in df.columns or not set(TURNOVER_PARTS) <= set(df.columns):
        return None
    if "registry" not in df.columns:
        df["registry"] = ""
    long = df.melt(id_vars=["registry", "name"], value_vars=list(TURNOVER_PARTS), var_name="part", value_name="n")
    long = long[long["n"].notna()]
    if long.empty:
        return None
    chart = alt.Chart(long, width=max(160, width // max(1, long["registry"].nunique())), height=height).mark_bar().encode(
        x=alt.X("name:N", title="snapshot", sort=None),
        y=alt.Y("n:Q", stack="normalize", title="share of the top-k", axis=alt.Axis(format="%")),
        color=alt.Color("part:N", sort=list(TURNOVER_PARTS), title=""),
        order=alt.Order("part_order:Q"), tooltip=["registry", "name", "part", "n"],
    ).transform_calculate(part_order="indexof(['remained','newcomers','returning'], datum.part)")
    return chart.facet(column=alt.Column("registry:N", title=None), title=title)
