"""Altair charts of defect labels: a field's distribution, a cross-tab heatmap, manifestations per stage."""

from __future__ import annotations

import altair as alt
import pandas as pd


def distribution_chart(d: dict) -> alt.Chart:
    """Horizontal bars in codebook order; the count and share at the end of each bar."""
    df = pd.DataFrame(d["rows"])
    df["pct"] = df["share"].map(lambda s: "" if s is None or pd.isna(s) else f"{100 * s:.1f}%")
    df["text"] = df["count"].astype(str) + "  " + df["pct"]
    order = list(df["label"])
    colors = df["color"].where(df["color"].notna(), "#4e79a7").tolist()
    base = alt.Chart(df).encode(y=alt.Y("label:N", sort=order, title=None,
                                        axis=alt.Axis(labelOverlap=False, labelLimit=240)))
    bars = base.mark_bar().encode(
        x=alt.X("count:Q", axis=alt.Axis(title="defects" if not d["multi"] else "defects with the code",
                                         tickMinStep=1, format="d")),
        color=alt.Color("label:N", scale=alt.Scale(domain=order, range=colors), legend=None),
        tooltip=["label", "count", alt.Tooltip("share:Q", format=".1%"), "definition"])
    text = base.mark_text(align="left", dx=3).encode(x="count:Q", text="text:N")
    return (bars + text).properties(height=alt.Step(22))


def crosstab_heatmap(r: dict, show: str = "counts") -> alt.Chart:
    """Cells coloured by count; the text is the count, or the row/column share when asked."""
    cells = []
    for i, rl in enumerate(r["row_labels"]):
        for j, cl in enumerate(r["col_labels"]):
            rp, cp = r["row_pct"][i][j], r["col_pct"][i][j]
            text = {"counts": str(r["counts"][i][j]),
                    "row %": "" if rp is None else f"{100 * rp:.0f}%",
                    "column %": "" if cp is None else f"{100 * cp:.0f}%"}[show]
            cells.append({"row": rl, "col": cl, "count": r["counts"][i][j], "row_pct": rp, "col_pct": cp,
                          "text": text})
    df = pd.DataFrame(cells)
    base = alt.Chart(df).encode(
        x=alt.X("col:N", sort=r["col_labels"], title=r.get("col_field_label", r["col_field"]),
                axis=alt.Axis(labelAngle=-35, labelLimit=200, labelOverlap=False)),
        y=alt.Y("row:N", sort=r["row_labels"], title=r.get("row_field_label", r["row_field"]),
                axis=alt.Axis(labelOverlap=False, labelLimit=200)))
    rect = base.mark_rect().encode(
        color=alt.Color("count:Q", scale=alt.Scale(scheme="blues"), title="defects",
                        legend=alt.Legend(format="d", tickMinStep=1)),
        tooltip=["row", "col", "count", alt.Tooltip("row_pct:Q", format=".1%", title="share of row"),
                 alt.Tooltip("col_pct:Q", format=".1%", title="share of column")])
    text = base.mark_text(fontSize=11).encode(
        text="text:N", color=alt.condition(alt.datum.count > max(1, max(map(max, r["counts"] or [[0]]))) / 2,
                                           alt.value("white"), alt.value("black")))
    return (rect + text).properties(width=alt.Step(70), height=alt.Step(30))


def stage_manifestations(view: dict) -> alt.Chart:
    """Defects per workflow stage, stacked by manifestation, stages in workflow order."""
    rows = [{"stage": s["label"], "manifestation": m["label"], "count": m["count"]}
            for s in view["stages"] for m in s["manifestations"]]
    order = [s["label"] for s in view["stages"]]
    df = pd.DataFrame(rows or [{"stage": order[0] if order else "", "manifestation": "", "count": 0}])
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("stage:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("count:Q", axis=alt.Axis(title="defects", tickMinStep=1, format="d")),
        color=alt.Color("manifestation:N", title="manifestation"),
        tooltip=["stage", "manifestation", "count"]).properties(height=240)
