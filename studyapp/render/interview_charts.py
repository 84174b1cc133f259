"""Altair charts of interview codes: code frequencies, codes by participant attribute, co-occurrence
and the participant x theme (framework) matrix.

Every code is keyed by field and code (two fields may hold codes of the same label, e.g. "Model
selection" as a decision stage and as a workflow stage): the drawn name is the code's label, with
its field's label added where the label alone is not unique. Counts get whole-number ticks; every
category label is drawn (no overlap culling), long labels are cut at the end with the full text in
the tooltip.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

ROW = 20  # pixels per category row: room for one 11 px label each
LABEL_LIMIT = 260


def distinct_names(labels: pd.Series, fields: pd.Series, field_labels: pd.Series | None = None) -> pd.Series:
    """Each row's code label, with " (field label)" added where several fields share the label."""
    fl = field_labels if field_labels is not None else fields
    pairs = pd.DataFrame({"label": labels.astype(str), "field": fields.astype(str), "fl": fl.astype(str)})
    n_fields = pairs["label"].map(pairs.drop_duplicates(["label", "field"]).groupby("label").size())
    return pairs["label"].where(n_fields <= 1, pairs["label"] + " (" + pairs["fl"] + ")")


def count_axis(alt, title: str, **kw) -> Any:
    """A count axis: whole-number ticks only."""
    return alt.Axis(title=title, tickMinStep=1, format="d", **kw)


def category_axis(alt, **kw) -> Any:
    """A category axis on which every label is drawn, cut at `LABEL_LIMIT` pixels at the end."""
    return alt.Axis(**{"labelOverlap": False, "labelLimit": LABEL_LIMIT, **kw})


def frequency_chart(df: pd.DataFrame, field_labels: dict[str, str] | None = None) -> Any:
    """Participants mentioning each code (one bar per field+code, coloured by field)."""
    import altair as alt

    fl = field_labels or {}
    d = df.copy()
    d["field_label"] = d["field"].map(lambda f: fl.get(f, f))
    d["name"] = distinct_names(d["label"], d["field"], d["field_label"])
    d = d.drop(columns=[c for c in ("color",) if c in d.columns])
    order = list(d["name"])
    most = int(d["participants"].max()) if len(d) else 1
    return alt.Chart(d).mark_bar().encode(
        x=alt.X("participants:Q", axis=count_axis(alt, "participants mentioning the code"),
                scale=alt.Scale(domain=[0, max(1, most)])),
        y=alt.Y("name:N", sort=order, title=None, axis=category_axis(alt)),
        color=alt.Color("field_label:N", title="field", legend=alt.Legend(orient="bottom", columns=3)),
        tooltip=[alt.Tooltip("field_label:N", title="field"), alt.Tooltip("label:N", title="code"),
                 alt.Tooltip("segments:Q", title="turns"), alt.Tooltip("participants:Q", title="participants"),
                 alt.Tooltip("transcripts:Q", title="transcripts"), alt.Tooltip("share:Q", format=".0%")],
    ).properties(height=alt.Step(ROW))


def attribute_chart(df: pd.DataFrame, attribute: str, field_labels: dict[str, str] | None = None) -> Any:
    """Share of each participant group mentioning each code (heatmap)."""
    import altair as alt

    fl = field_labels or {}
    d = df.copy()
    d["field_label"] = d["field"].map(lambda f: fl.get(f, f))
    d["name"] = distinct_names(d["label"], d["field"], d["field_label"])
    return alt.Chart(d).mark_rect().encode(
        x=alt.X("group:N", title=attribute, axis=category_axis(alt, labelAngle=0)),
        y=alt.Y("name:N", title=None, axis=category_axis(alt)),
        color=alt.Color("share:Q", title="share of group", scale=alt.Scale(domain=[0, 1], scheme="blues")),
        tooltip=[alt.Tooltip("field_label:N", title="field"), alt.Tooltip("label:N", title="code"), "group",
                 "participants", alt.Tooltip("group_size:Q", title="group size"),
                 alt.Tooltip("share:Q", format=".0%"), alt.Tooltip("segments:Q", title="turns")],
    ).properties(height=alt.Step(ROW))


def short_name(label: str) -> str:
    """`Field › Parent › Code` drawn as `Code`: the last part, which the codebook keeps short."""
    return label.split(" › ")[-1]


def cooccurrence_chart(df: pd.DataFrame) -> Any:
    """Code pairs on the same turn (or participant): count per cell, c-coefficient in the tooltip.
    Axis labels are the codes' short names (made distinct with their field), the full path is in
    the tooltip."""
    import altair as alt

    d = df.copy()
    codes = pd.concat([d[["a", "a_field"]].set_axis(["full", "field"], axis=1),
                       d[["b", "b_field"]].set_axis(["full", "field"], axis=1)]).drop_duplicates("full")
    codes = codes.sort_values("full")
    field_of = {r.full: r.full.split(" › ")[0] for r in codes.itertuples()}
    short = distinct_names(codes["full"].map(short_name), codes["field"], codes["full"].map(field_of))
    name = dict(zip(codes["full"], short))
    d["a_name"], d["b_name"] = d["a"].map(name), d["b"].map(name)
    order = list(short)
    base = alt.Chart(d).encode(
        x=alt.X("a_name:N", sort=order, title=None, axis=category_axis(alt, labelAngle=-50, labelLimit=180)),
        y=alt.Y("b_name:N", sort=order, title=None, axis=category_axis(alt)))
    rect = base.mark_rect().encode(
        color=alt.Color("count:Q", scale=alt.Scale(scheme="oranges"), legend=alt.Legend(format="d", tickMinStep=1)),
        tooltip=[alt.Tooltip("a:N", title="code"), alt.Tooltip("b:N", title="with"), "count",
                 alt.Tooltip("c:Q", format=".2f", title="c-coefficient")])
    text = base.mark_text(fontSize=10).encode(text="count:Q", color=alt.value("#222"))
    return (rect + text).properties(width=alt.Step(ROW), height=alt.Step(ROW))


def matrix_chart(counts: pd.DataFrame) -> Any:
    """Participants (rows) x themes (columns): coded turns per cell, every theme label drawn."""
    import altair as alt

    long = counts.reset_index().melt(id_vars="participant", var_name="theme", value_name="turns")
    field = long["theme"].map(lambda t: t.split(" › ")[0])
    long["name"] = distinct_names(long["theme"].map(short_name), field)
    order = list(dict.fromkeys(long["name"]))
    base = alt.Chart(long).encode(
        x=alt.X("name:N", sort=order, title=None, axis=category_axis(alt, labelAngle=-35, labelLimit=220)),
        y=alt.Y("participant:N", sort=list(counts.index), title="participant", axis=category_axis(alt)))
    rect = base.mark_rect().encode(
        color=alt.Color("turns:Q", scale=alt.Scale(scheme="greens"), legend=alt.Legend(format="d", tickMinStep=1)),
        tooltip=["participant", alt.Tooltip("theme:N", title="theme"), "turns"])
    text = base.mark_text(fontSize=11).encode(text="turns:Q", color=alt.value("#222"))
    return (rect + text).properties(width=alt.Step(90), height=alt.Step(36))
