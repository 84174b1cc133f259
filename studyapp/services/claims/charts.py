"""The chart behind a claim's check, drawn from its recorded validation (no recomputation).

A metric says how its table is drawn (`MetricResult.chart`: kind bars, scatter, box or turnover,
with the columns to use); a recorded check keeps that spec and a sample of the table's rows
(`services.validation`). `check_chart(record)` turns the two into an altair chart: bars with the
claim's codes highlighted, a scatter with a linear trend line (on the log axes where the metric asks for them), top vs
bottom box plots, and turnover bars per snapshot (faceted per registry, each its own snapshots).
The Claims page shows it;
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
        return _scatter(alt, df, spec, x, y, title, width, height)
    if kind == "box":
        return alt.Chart(df, title=title, width=width, height=height).mark_boxplot(extent="min-max").encode(
            x=alt.X(f"{x}:N", title=""), y=alt.Y(f"{y}:Q", title=y.replace("_", " ")),
            color=alt.Color(f"{x}:N", legend=None))
    return None


def _scatter(alt, df: pd.DataFrame, spec: dict, x: str, y: str, title: str, width: int, height: int):
    """Points and a least-squares trend. A log axis is symmetric-log (zeros, common in download
    counts, stay on the chart instead of being dropped) and the trend is fitted where it is drawn
    (on log1p of that axis), so it is a line through the cloud, not a curve that flattens it."""
    import numpy as np

    df = df[(df[x].notna()) & (df[y].notna())].copy()
    logs = {"x": bool(spec.get("log_x")), "y": bool(spec.get("log_y"))}
    scale = {a: alt.Scale(type="symlog") if logs[a] else alt.Scale(zero=False) for a in logs}
    base = alt.Chart(df, title=title, width=width, height=height)
    def axis(col: str, log: bool):
        title = col.replace("_", " ") + (" (log scale)" if log else "")
        if not log:
            return alt.Axis(title=title)
        top = float(df[col].max()) if len(df) else 1.0
        ticks = [0] + [10 ** i for i in range(0, 10) if 10 ** i <= max(1.0, top) * 10][:8]
        return alt.Axis(title=title, values=ticks, format=",d")  # powers of ten: symlog draws few ticks

    points = base.mark_circle(opacity=0.45, size=24).encode(
        x=alt.X(f"{x}:Q", scale=scale["x"], axis=axis(x, logs["x"])),
        y=alt.Y(f"{y}:Q", scale=scale["y"], axis=axis(y, logs["y"])),
        tooltip=list(df.columns[:6]))
    xs, ys = df[x].astype(float).to_numpy(), df[y].astype(float).to_numpy()
    if len(df) < 2 or np.ptp(xs) == 0:
        return points
    tx = np.log1p(np.clip(xs, 0, None)) if logs["x"] else xs
    ty = np.log1p(np.clip(ys, 0, None)) if logs["y"] else ys
    slope, icpt = np.polyfit(tx, ty, 1)
    grid = np.linspace(tx.min(), tx.max(), 50)
    fit = slope * grid + icpt
    line = pd.DataFrame({x: np.expm1(grid) if logs["x"] else grid, y: np.expm1(fit) if logs["y"] else fit})
    trend = alt.Chart(line).mark_line(color="#dc2626").encode(
        x=alt.X(f"{x}:Q", scale=scale["x"]), y=alt.Y(f"{y}:Q", scale=scale["y"]))
    return points + trend


def _turnover(alt, df: pd.DataFrame, title: str, width: int, height: int):
    if "name" not in df.columns or not set(TURNOVER_PARTS) <= set(df.columns):
        return None
    if "registry" not in df.columns:
        df["registry"] = ""
    long = df.melt(id_vars=["registry", "name"], value_vars=list(TURNOVER_PARTS), var_name="part", value_name="n")
    long = long[long["n"].notna()]
    if long.empty:
        return None
    n = max(1, long["registry"].nunique())
    chart = alt.Chart(long, width=max(120, (width - 40 * n) // n), height=height).mark_bar().encode(
        x=alt.X("name:N", title="snapshot", sort=None, axis=alt.Axis(labelAngle=-45, labelOverlap=False)),
        y=alt.Y("n:Q", stack="normalize", title="share of the top-k", axis=alt.Axis(format="%")),
        color=alt.Color("part:N", sort=list(TURNOVER_PARTS), title="", legend=alt.Legend(orient="bottom")),
        order=alt.Order("part_order:Q"), tooltip=["registry", "name", "part", "n"],
    ).transform_calculate(part_order="indexof(['remained','newcomers','returning'], datum.part)")
    # Each registry its own snapshots (an independent x): a shared axis left half of each facet empty.
    return chart.facet(column=alt.Column("registry:N", title=None), title=title).resolve_scale(x="independent")
