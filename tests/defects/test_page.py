"""The Defects page in Streamlit's AppTest: label, stay blind, analyse, see the workflow, import."""

from __future__ import annotations

import pytest

from studyapp.services.coding.coding import CodingRow, code_many
from studyapp.services.defects.imports import import_defects
from tests.defects.conftest import CB
from tests.pages import open_page


@pytest.fixture
def page_study(defect_study, issues_csv, monkeypatch):
    import_defects(defect_study, [issues_csv])
    monkeypatch.setenv("STUDYAPP_STUDY", str(defect_study.folder))
    monkeypatch.setenv("STUDYAPP_AUTH", "0")  # single-user mode (sign-in is on unless asked off)
    return defect_study


def _page(coder: str, view: str = "Label"):
    return open_page("defects", coder, view=None if view == "Label" else view)


def _key(store, unit_key: str, field: str, round_id: str = "main") -> str:
    return f"defects.{CB}.{store.units.by_key('defect', unit_key)['id']}.{round_id}.{field}"


def _own(store, coder):
    return {(store.units.get(u)["key"], f): v for u, _, f, c, _, v in store.annotations.current_rows() if c == coder}


def test_label_a_defect_with_root_cause_under_stage_and_several_impacts(page_study):
    at = _page("ana")
    k = lambda f: _key(page_study, "acme/detector#7:1", f)  # noqa: E731
    assert at.button(key=k("is_defect") + ".defect").proto.type == "secondary"  # not answered yet
    at.button(key=k("is_defect") + ".defect").click().run()
    assert at.button(key=k("is_defect") + ".defect").proto.type == "primary"
    at.button(key=k("dl_stage") + ".environment").click().run()
    options = at.selectbox(key=k("root_cause")).options
    assert options[1:5] == ["API defect", "GPU usage bug", "Wrong environment configuration",
                            "Insufficient/incorrect documentation"]  # the chosen stage's causes first
    assert "Training defect › Loss function" in options  # other stages' causes stay allowed
    at.selectbox(key=k("root_cause")).set_value("environment.gpu")
    at.multiselect(key=k("impacts")).set_value(["crash", "memory-exhaustion"]).run()
    assert any("Wrong or unsupported use of GPUs" in c.value for c in at.caption)  # the definition at hand
    at.button(key="defects.save").click().run()
    assert not at.exception and any("Saved (4 changes)" in s.value for s in at.success)
    own = _own(page_study, "ana")
    assert own[("acme/detector#7:1", "root_cause")] == "environment.gpu"
    assert own[("acme/detector#7:1", "impacts")] == '["crash", "memory-exhaustion"]'
    assert "<script>" not in " ".join(m.value for m in at.markdown)


def test_not_a_defect_is_a_decision_with_a_reason(page_study):
    uid = page_study.units.by_key("defect", "acme/detector#7:1")["id"]
    code_many(page_study, [CodingRow(uid, CB, "dl_stage", "ana", "training")])
    at = _page("ana")
    k = lambda f: _key(page_study, "acme/detector#7:1", f)  # noqa: E731
    at.button(key=k("is_defect") + ".not-defect").click().run()
    assert not any(b.key.startswith(k("dl_stage")) for b in at.button)
    at.text_area(key=k("not_defect_reason")).set_value("A usage question").run()
    at.button(key="defects.save").click().run()
    own = _own(page_study, "ana")
    assert own[("acme/detector#7:1", "is_defect")] == "not-defect"
    assert own[("acme/detector#7:1", "not_defect_reason")] == "A usage question"
    assert ("acme/detector#7:1", "dl_stage") not in own  # cleared, and the history keeps it


def test_blind_until_reconciliation_and_save_and_next(page_study):
    uid = page_study.units.by_key("defect", "acme/detector#7:1")["id"]
    code_many(page_study, [CodingRow(uid, CB, "dl_stage", "ana", "training")])
    at = _page("ben")
    stage = _key(page_study, "acme/detector#7:1", "dl_stage")
    assert all(b.proto.type == "secondary" for b in at.button if b.key.startswith(stage + "."))  # nothing of ana's
    assert not any("Other coders" in e.label for e in at.expander)
    at.button(key=_key(page_study, "acme/detector#7:1", "is_defect") + ".defect").click().run()
    at.button(key=stage + ".environment").click().run()
    at.button(key="defects.save_next").click().run()
    assert at.selectbox(key="defects.unit").value == page_study.units.by_key("defect", "acme/detector#7:2")["id"]
    assert any("Saved (2 changes)" in s.value for s in at.success)
    page_study.rounds.set_reconciliation("main", True)
    at = _page("ben")
    assert any("Other coders" in e.label for e in at.expander)


def test_issue_html_is_shown_as_text(page_study):
    at = _page("ana")
    at.selectbox(key="defects.unit").set_value(page_study.units.by_key("defect", "other/seg#9:1")["id"]).run()
    assert any("<script>alert(1)</script>" in t.value for t in at.text)
    assert not any("<script>" in m.value for m in at.markdown)
    at.selectbox(key="defects.unit").set_value(page_study.units.by_key("defect", "acme/detector#7:1")["id"]).run()
    assert any("CUDA out of memory" in c.value for c in at.code)


def test_analyse_and_workflow_views(page_study):
    ids = [u["id"] for u in page_study.units.list("defect")]
    code_many(page_study, [CodingRow(u, CB, "dl_stage", "ana", s) for u, s in
                           zip(ids, ["environment", "environment", "training", "training"])] +
              [CodingRow(u, CB, "code_error", "ana", c) for u, c in
               zip(ids, ["external-interface", "internal-interface", "logic", "external-interface"])])
    at = _page("ana", "Analyse")
    assert at.selectbox(key="defects.source").options == ["my labels"]
    assert any(m.label == "Cramér's V" for m in at.metric)
    at.selectbox(key="defects.xt.col_level").set_value(1).run()
    assert any("Of the **2** Environment defects, **2** (100.0%) are **Interface**" in m.value for m in at.markdown)
    at = _page("ana", "Workflow")
    assert any("Environment: 2 defects (50.0%)" in e.label for e in at.expander)
    at = _page("ben", "Analyse")  # ben has no labels and may not see ana's
    assert at.selectbox(key="defects.source").options == ["my labels"]


def test_import_view_is_for_leads(page_study):
    assert any("Only a lead" in i.value for i in _page("ana", "Import").info)
    at = _page("lea", "Import")
    assert at.button(key="defects.imp.go").disabled
