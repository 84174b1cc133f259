"""Altair charts of agreement: pairwise kappa heatmap, confusion matrix, per-round trend."""

from __future__ import annotations

import altair as alt
import pandas as pd


def pairwise_heatmap(pairs: pd.DataFrame) -> alt.Chart:
    """Cohen's kappa for every coder pair (symmetric), the value printed in each cell."""
    df = pairs.copy()
    df["label"] = df["kappa"].map(lambda v: "undef." if pd.isna(v) else f"{v:.2f}")
    base = alt.Chart(df).encode(x=alt.X("coder_b:N", title=None, axis=alt.Axis(labelAngle=0, labelOverlap=False)),
                                y=alt.Y("coder_a:N", title=None, axis=alt.Axis(labelOverlap=False)))
    rect = base.mark_rect().encode(
        color=alt.Color("kappa:Q", scale=alt.Scale(domain=[-0.2, 1], scheme="blues"), title="Cohen's kappa"),
        tooltip=[alt.Tooltip("coder_a:N", title="coder"), alt.Tooltip("coder_b:N", title="with"),
                 alt.Tooltip("kappa:Q", format=".3f", title="Cohen's κ"), alt.Tooltip("n_units:Q", title="units"),
                 alt.Tooltip("undefined:N", title="undefined")])
    text = base.mark_text().encode(text="label:N")
    return (rect + text).properties(width=alt.Step(60), height=alt.Step(40))


def confusion_heatmap(table: pd.DataFrame, coder_a: str, coder_b: str) -> alt.Chart:
    """Units coder_a put in each row category and coder_b in each column category."""
    long = table.rename_axis(index="a", columns="b").stack().reset_index(name="units")
    order = list(table.index)
    base = alt.Chart(long).encode(
        x=alt.X("b:N", sort=order, title=coder_b, axis=alt.Axis(labelAngle=-35, labelOverlap=False, labelLimit=200)),
        y=alt.Y("a:N", sort=order, title=coder_a, axis=alt.Axis(labelOverlap=False, labelLimit=200)))
    rect = base.mark_rect().encode(color=alt.Color("units:Q", scale=alt.Scale(scheme="oranges"), title="units"),
                                   tooltip=["a", "b", "units"])
    text = base.mark_text().encode(text="units:Q")
    return (rect + text).properties(width=alt.Step(44), height=alt.Step(28))


TREND_TITLE = "agreement (κ, α)"


def round_trend(rows: pd.DataFrame) -> alt.Chart:
    """Kappa and alpha per round in round order, with the .667 and .800 reference lines."""
    long = rows.melt(id_vars=["round"], value_vars=["kappa", "alpha"], var_name="statistic").dropna()
    order = list(rows["round"])
    line = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("round:N", sort=order, title="round", axis=alt.Axis(labelAngle=0, labelOverlap=False)),
        y=alt.Y("value:Q", scale=alt.Scale(domain=[-0.2, 1]), title=TREND_TITLE),
        color=alt.Color("statistic:N", title="statistic", scale=alt.Scale(domain=["kappa", "alpha"]),
                        legend=alt.Legend(labelExpr="datum.label == 'kappa' ? \"Cohen's κ\" : \"Krippendorff's α\"")),
        tooltip=["round", "statistic", alt.Tooltip("value:Q", format=".3f")])
    rules = alt.Chart(pd.DataFrame({"y": [0.667, 0.8]})).mark_rule(strokeDash=[4, 4], color="gray").encode(
        y=alt.Y("y:Q", title=TREND_TITLE))
    return (line + rules).properties(height=220)
