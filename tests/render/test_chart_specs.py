"""The charts people read are right (issue 14 #2): each chart's Vega-Lite spec and data, on the demo
study, so a wrong or unreadable chart fails here before anyone looks at a screenshot.

- code frequencies: one bar per field+code (labels shared across fields are told apart), never more
  participants than the study has, whole-number ticks, every label drawn;
- co-occurrence and framework matrix: short distinct labels, wide enough, full names in tooltips;
- defects: whole-number ticks, every cross-tab column label drawn, field labels as titles;
- agreement across rounds: a y title people read (not `value_y`);
- claims: C3's scatter keeps the zero-download models and fits its trend on the drawn scale; C1's
  facets each have their own snapshots, the legend below;
- the workflow diagram's text is 12 pt or more and laid out top to bottom (drawn unscaled).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from studyapp.render import interview_charts as ic
from studyapp.services.claims.charts import check_chart
from studyapp.services.claims.validation import latest
from studyapp.services.coding.codebooks import codebook_version
from studyapp.services.interviews import qualitative as q
from studyapp.store import Store
from studyapp.ui.agreement.charts import round_trend
from studyapp.ui.defects.charts import (
    crosstab_heatmap,
    distribution_chart,
    stage_manifestations,
)
from tests.conftest import copy_demo

CB = "ptm-reuse-interviews"


@pytest.fixture(scope="module")
def demo(demo_template, tmp_path_factory):
    """A copy of the session's demo study (built once per worker, not once per module)."""
    store = Store.open(copy_demo(demo_template, tmp_path_factory.mktemp("charts") / "demo"))
    yield store
    store.close()


def _spec(chart) -> dict:
    return chart.to_dict()


def _encodings(spec: dict, channel: str) -> list[dict]:
    """Every encoding of `channel` in a (possibly layered/concatenated/faceted) spec."""
    out = []

    def walk(node):
        if isinstance(node, dict):
            enc = node.get("encoding")
            if isinstance(enc, dict) and channel in enc:
                out.append(enc[channel])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(spec)
    return out


def _data(chart) -> pd.DataFrame:
    spec = _spec(chart)
    (rows,) = [v for v in spec["datasets"].values()][:1]
    return pd.DataFrame(rows)


def _labels(cb_id, store):
    cb = codebook_version(store, cb_id)[0]
    return {f.id: f.label for f in cb.fields}


def test_code_frequencies_one_bar_per_field_and_code_never_more_participants_than_the_study(demo):
    df = q.frequencies(demo, CB, source="all", viewer="alice")
    chart = ic.frequency_chart(df, _labels(CB, demo))
    data = _data(chart)
    n_participants = len(demo.transcripts.participants())
    assert n_participants == 3
    # "Model selection" is a code of two fields: two bars, two names, no stacking on one label.
    assert data["name"].is_unique, data["name"][data["name"].duplicated()].tolist()
    assert {"Model selection (Decision stage)", "Model selection (Reengineering workflow stage)"} <= set(data["name"])
    y = _encodings(_spec(chart), "y")[0]
    assert y["field"] == "name"
    per_name = data.groupby("name")["participants"].sum()
    assert per_name.max() <= n_participants
    x = _encodings(_spec(chart), "x")[0]
    assert x["axis"]["tickMinStep"] == 1 and x["axis"]["format"] == "d"
    assert y["axis"]["labelOverlap"] is False and y["axis"]["labelLimit"] >= 200
    assert _spec(chart)["height"] == {"step": ic.ROW}  # room for every label


def test_rolled_up_frequencies_still_count_distinct_participants(demo):
    df = q.frequencies(demo, CB, source="all", viewer="alice", level=1)
    data = _data(ic.frequency_chart(df, _labels(CB, demo)))
    assert data["name"].is_unique
    assert data.groupby("name")["participants"].sum().max() <= 3


def test_cooccurrence_labels_are_short_distinct_and_wide_enough(demo):
    df = q.cooccurrence(demo, CB, viewer="alice")
    df = df[df["a"] != df["b"]]
    chart = ic.cooccurrence_chart(df)
    data = _data(chart)
    names = set(data["a_name"])
    assert len(names) == df["a"].nunique()  # distinct: one name per code
    assert not any(n.startswith("PTM attributes") for n in names)  # not "PTM attributes w..." for all
    for ch in ("x", "y"):
        axis = _encodings(_spec(chart), ch)[0]["axis"]
        assert axis["labelOverlap"] is False and axis["labelLimit"] >= 180
    tooltip = _encodings(_spec(chart), "tooltip")[0]
    assert any(t.get("field") == "a" for t in tooltip)  # the full path in the tooltip


def test_framework_matrix_is_not_collapsed_and_labels_are_whole(demo):
    m = q.framework_matrix(demo, CB, viewer="alice", level=1)
    chart = ic.matrix_chart(m["counts"])
    spec = _spec(chart)
    assert spec["height"] == {"step": 36} and spec["width"] == {"step": 90}
    x = _encodings(spec, "x")[0]
    assert x["axis"]["labelOverlap"] is False and x["axis"]["labelLimit"] >= 200
    data = _data(chart)
    assert not data["name"].str.contains("›").any()  # short names: "Decision stage › " is not repeated
    assert data.drop_duplicates("theme")["name"].is_unique


def _defect_views(demo):
    from studyapp.services.defects.analysis import distribution
    from studyapp.services.defects.crosstab import crosstab

    d = distribution(demo, "dl_stage", coder="bob")
    r = crosstab(demo, "dl_stage", "code_error", coder="bob")
    return d, r


def test_defect_charts_count_in_whole_numbers_and_draw_every_column_label(demo):
    d, r = _defect_views(demo)
    dist = _spec(distribution_chart(d))
    assert _encodings(dist, "x")[0]["axis"]["tickMinStep"] == 1
    xt = _spec(crosstab_heatmap(r))
    x, y = _encodings(xt, "x")[0], _encodings(xt, "y")[0]
    assert x["axis"]["labelOverlap"] is False
    assert x["title"] == "General code error type" and y["title"] == "DL stage"  # labels, not field ids
    stage = _spec(stage_manifestations({"stages": [{"label": "Env", "manifestations": [{"label": "m", "count": 3}]}]}))
    assert _encodings(stage, "y")[0]["axis"]["format"] == "d"


def test_across_rounds_axis_has_a_human_title():
    rows = pd.DataFrame({"round": ["pilot", "main"], "kappa": [0.5, 0.7], "alpha": [0.4, 0.72]})
    spec = _spec(round_trend(rows))
    titles = {e.get("title") for e in _encodings(spec, "y")}
    assert titles == {"agreement (κ, α)"}
    from studyapp.render.charts import to_svg

    svg = to_svg(round_trend(rows))
    assert "value_y" not in svg and "value, y" not in svg and "Krippendorff" in svg


def test_c3_scatter_keeps_zero_popularity_and_spreads_its_points(demo):
    rec = latest(demo)["C3-doc-correlation"]["checks"][0]
    chart = check_chart(rec)
    spec = _spec(chart)
    points = _data(chart)
    rows = pd.DataFrame(rec["rows"])
    assert len(points) == len(rows.dropna(subset=["score", "popularity"]))  # zeros are not dropped
    y = _encodings(spec, "y")[0]
    assert y["scale"]["type"] == "symlog"
    assert "log scale" in y["axis"]["title"] and y["axis"]["values"][:3] == [0, 1, 10]  # powers of ten
    # the trend is a fitted line on the drawn scale: another dataset, 50 points, increasing here
    trend = [pd.DataFrame(v) for v in spec["datasets"].values() if len(v) == 50]
    assert trend and trend[0]["popularity"].is_monotonic_increasing


def test_c1_facets_have_their_own_snapshots_and_the_legend_below(demo):
    rec = latest(demo)["C1-turnover"]["checks"][0]
    spec = _spec(check_chart(rec))
    assert spec["resolve"]["scale"]["x"] == "independent"
    assert _encodings(spec, "color")[0]["legend"]["orient"] == "bottom"
    assert spec["spec"]["width"] * 2 + 80 <= 560


def test_workflow_diagram_text_is_readable():
    from studyapp.services.defects.workflow import FONT_PT, workflow_dot

    view = {"stages": [{"id": s, "label": s.title(), "share": 0.5, "defects": 2, "color": None, "in_workflow": True,
                        "manifestations": [{"label": "Basic", "count": 2}],
                        "interview": {"segments": 1, "codes": [{"label": "Latency", "segments": 1}]}}
                       for s in ("environment", "training")]}
    dot = workflow_dot(view)
    assert FONT_PT >= 12
    assert "rankdir=TB" in dot and "fontsize=9" not in dot and "fontsize=11" not in dot
    assert dot.count(f"fontsize={FONT_PT}") >= 2
    assert json.dumps(dot)
