"""Every page renders with Streamlit's AppTest, with no exception, on a real study file."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from studyapp.ui.views import PAGES

APP = str(Path(__file__).resolve().parents[2] / "studyapp" / "ui" / "app.py")


def _open(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    if page != "home":
        at.switch_page(f"views/{page}.py").run()
    return at


@pytest.mark.parametrize("page", [p[0] for p in PAGES])
def test_page_renders(ui_study, page):
    at = _open(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value


def test_home_shows_counts_and_codebooks(ui_study):
    at = _open("home")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Defects"] == "3" and metrics["Segments"] == "3" and metrics["Claims"] == "1"
    assert len(at.sidebar.selectbox(key="app.coder_pick").options) == 3


def test_codebooks_page_shows_the_tree_with_definitions(ui_study):
    at = _open("codebooks")
    text = " ".join(e.value for e in at.markdown)
    assert "**Environment** `env`: Setting up libraries and hardware." in text
    assert "**GPU defect** `gpu`" in text


def test_coder_sees_only_own_values_on_the_defects_page(ui_study):
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["app.coder"] = "bob"
    at.run()
    at.switch_page("views/defects.py").run()
    assert not at.exception
    stage = at.button(key="defects.tiny.1.main.stage.env")  # a short question: a button per choice
    assert stage.proto.type == "primary"
    assert not any("Other coders" in e.label for e in at.expander)


def test_saving_from_the_form_writes_an_annotation(ui_study):
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["app.coder"] = "chen"
    at.run()
    at.switch_page("views/defects.py").run()
    at.selectbox(key="defects.unit").set_value(ui_study.units.by_key("defect", "D2")["id"]).run()
    at.button(key="defects.tiny.2.main.stage.train").click().run()
    at.button(key="defects.save").click().run()
    assert not at.exception
    assert any("Saved" in s.value for s in at.success)
    assert ("D2", "chen", "train") in [(ui_study.units.get(u)["key"], c, v) for u, _, f, c, _, v
                                       in ui_study.annotations.current_rows() if f == "stage"]


def test_home_progress_chart_is_stacked_per_codebook_not_faceted(ui_study):
    """A row facet with an independent y scale per codebook is not drawn by Streamlit's CSP-safe Vega
    interpreter (its row headers size themselves with an expression the interpreter cannot read):
    the progress chart stacks one heatmap per codebook instead."""
    import json

    at = _open("home")
    [chart] = [e for e in at.main if getattr(e, "type", "") == "vega_lite_chart"]
    spec = json.loads(chart.proto.spec)
    assert "facet" not in json.dumps(spec) and len(spec["vconcat"]) == 1
    assert spec["vconcat"][0]["title"]["text"] == "Tiny defect codebook"  # the codebook's title, not its id
    y = spec["vconcat"][0]["encoding"]["y"]
    assert y["field"] == "field_label" and y["axis"]["labelOverlap"] is False  # field labels, every one drawn
    from studyapp.services.study.study import status

    assert "DL stage" in {r["field_label"] for r in status(ui_study)["progress"]}
