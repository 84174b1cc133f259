"""Blind coding holds against the attacks of issue 17: memos follow their own round and coder (H1),
and a coder sees neither statistics over other coders' values nor their activity per unit before
reconciliation (M1)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from studyapp.cli import main
from studyapp.services.agreement import report
from studyapp.services.agreement.views import field_view, overview_view, report_view
from studyapp.services.coding.coding import CodingRow, code_unit, open_reconciliation
from studyapp.services.interviews import spans as sp
from studyapp.services.interviews.views import coding_view
from studyapp.services.study.history import study_history, unit_history
from studyapp.store import Store
from tests.conftest import copy_demo

DEFECTS, INTERVIEWS = "dl-reengineering-defects", "ptm-reuse-interviews"
SECRET = "secret-7f3a: chen thinks this is about licences"


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def demo(demo_template, tmp_path):
    return copy_demo(demo_template, tmp_path / "demo")


def test_h1_a_coder_does_not_read_another_coders_memo_whatever_the_round_box_says(demo):
    r = cli("interviews", "memo", demo, SECRET, "--coder", "chen", "--segment", "interview-01:1")
    assert r.exit_code == 0, r.output
    with Store.open(demo) as store:
        seg = store.units.by_key("segment", "interview-01:1")["id"]
        [memo] = [m for m in store.memos.for_unit(seg) if m["text"] == SECRET]
        assert memo["round"] == "main"  # the interview codebook's active round, still blind
        for round_box in (None, "pilot", "main", "screening-ft", "calibration"):  # what a page could send
            v = coding_view(store, "bob", segment_id=seg, round=round_box)
            assert SECRET not in json.dumps([m["text"] for m in v.panel.memos])
            assert all(SECRET not in json.dumps(s) for s in v.segments)
        assert SECRET not in [m["text"] for m in sp.segment_memos(store, seg, "bob")]
        assert SECRET in [m["text"] for m in sp.segment_memos(store, seg, "chen")]
        assert SECRET in [m["text"] for m in sp.segment_memos(store, seg, "alice")]  # a lead
        assert all(SECRET not in json.dumps(h) for h in unit_history(store, seg, "bob"))
        # a memo written in an open round is shared once that round is open, not before
        mid = sp.add_segment_memo(store, seg, "chen", "pilot thought", round="pilot")
        assert mid in [m["id"] for m in sp.segment_memos(store, seg, "bob")]
        open_reconciliation(store, "main", actor="alice")
        assert SECRET in [m["text"] for m in sp.segment_memos(store, seg, "bob")]


def test_h1_a_code_memo_follows_its_own_round(demo):
    with Store.open(demo) as store:
        sp.add_code_memo(store, INTERVIEWS, "challenges:discrepancies", "chen", SECRET)
        assert SECRET not in [m["text"] for m in sp.code_memos(store, INTERVIEWS, "challenges:discrepancies", "bob")]
        assert SECRET in [m["text"] for m in sp.code_memos(store, INTERVIEWS, "challenges:discrepancies", "chen")]


def test_m1_a_coder_sees_no_agreement_of_a_round_still_closed(demo):
    with Store.open(demo) as store:
        assert not store.rounds.is_open("main")
        fv = field_view(store, "bob", DEFECTS, field="dl_stage", rounds=["main"])
        assert fv.agreement is None and "main" not in fv.round_options
        assert "round main left out: reconciliation not open yet" in fv.left_out
        ov = overview_view(store, DEFECTS, viewer="bob")
        assert set(ov.table["rounds"]) <= {"pilot", "calibration"}
        assert any("round main" in n and "reconciliation not open yet" in n for n in ov.left_out)
        rv = report_view(store, DEFECTS, "markdown", viewer="bob")
        assert "main" not in {fa.rounds[0] for fa in rv.rows} and "left out: reconciliation not open yet" in rv.text
        # the lead still sees main; and bob does once reconciliation opens
        assert "main" in {fa.rounds[0] for fa in report_view(store, DEFECTS, "markdown", viewer="alice").rows}
        open_reconciliation(store, "main", actor="alice")
        assert field_view(store, "bob", DEFECTS, field="dl_stage", rounds=["main"]).agreement is not None


def test_m1_the_cli_as_a_coder_reports_only_open_rounds(demo):
    r = cli("agreement", demo, "--codebook", DEFECTS, "--format", "json", "--n-boot", "0", "--as", "bob")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert {row["rounds"] for row in doc["rows"]} <= {"pilot", "calibration"}
    assert any("round main" in n for n in doc["left_out"])
    lead = json.loads(cli("agreement", demo, "--codebook", DEFECTS, "--format", "json", "--n-boot", "0",
                          "--as", "alice").output)
    assert "main" in {row["rounds"] for row in lead["rows"]}
    assert cli("agreement", demo, "--as", "zoe").exit_code == 2


def test_m1_watching_kappa_move_gives_nothing_away(demo):
    """The attack: bob reads kappa, chen changes one unit, bob reads again. Bob gets no number of the
    closed round, so nothing moves."""
    with Store.open(demo) as store:
        def seen():
            rows = report.report_rows(store, DEFECTS, n_boot=0, viewer="bob")
            return [(fa.name, fa.rounds, fa.headline()["kappa"]) for fa in rows]
        before = seen()
        assert before and all(r != ["main"] for _, r, _ in before)
        uid, value = _chen_main_value(store)
        code_unit(store, CodingRow(uid, DEFECTS, "dl_stage", "chen", _other(value), round="main"))
        assert seen() == before


def test_m1_a_units_history_hides_another_coders_activity(demo):
    with Store.open(demo) as store:
        d, value = _chen_main_value(store)
        code_unit(store, CodingRow(d, DEFECTS, "dl_stage", "chen", _other(value), round="main"))
        rows = unit_history(store, d, "bob")
        assert not [r for r in rows if r["coder"] == "chen" and r["round"] == "main"]
        assert not [r for r in study_history(store, "bob", limit=20) if r["coder"] == "chen" and r["round"] == "main"]
        assert [r for r in unit_history(store, d, "alice") if r["coder"] == "chen" and r["round"] == "main"]
        assert [r for r in unit_history(store, d, "chen") if r["coder"] == "chen" and r["round"] == "main"]


def _chen_main_value(store) -> tuple[int, str]:
    """A defect chen labelled in main, and chen's DL stage there."""
    for u in store.units.list("defect", with_text=False):
        for a in store.annotations.for_unit(u["id"], coder="chen", codebook=DEFECTS):
            if a["round"] == "main" and a["field"] == "dl_stage":
                return u["id"], a["value"]
    raise AssertionError("chen labelled no DL stage in main")


def _other(value: str) -> str:
    return "data-pipeline" if value != "data-pipeline" else "environment"
