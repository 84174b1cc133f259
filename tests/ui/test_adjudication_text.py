"""The adjudication view shows the unit's text (issue, transcript turn, abstract) beside the coders'
values (issue 14), as plain text: imported markup never renders."""

from __future__ import annotations

from studyapp.services.agreement.adjudication import disagreements
from studyapp.services.agreement.unit_text import MAX_CHARS, unit_text
from studyapp.services.coding.coding import CodingRow, code_many
from tests.pages import open_page

ISSUE = "Training hangs after the CUDA 12 upgrade <img src=https://x.invalid/p.png> **see log**"


def _disagree(s, unit_id: int) -> None:
    code_many(s, [CodingRow(unit_id, "tiny", "stage", "bob", "env"), CodingRow(unit_id, "tiny", "stage", "chen", "train")])


def test_each_kind_of_unit_has_its_text():
    turn = unit_text({"kind": "segment", "key": "P1:4", "title": "P1", "text": "We pin the model version.",
                      "attrs": {"speaker": "P1", "participant": "P1", "start": "00:03:12"}})
    assert (turn.heading, turn.title, turn.text) == ("Transcript turn", "P1", "We pin the model version.")
    assert "participant P1" in turn.meta and "00:03:12" in turn.meta
    issue = unit_text({"kind": "defect", "key": "acme/x#7:1", "title": "Hang", "text": ISSUE, "attrs": {"state": "open"}})
    assert issue.heading == "Issue" and issue.text == ISSUE and "state: open" in issue.meta
    paper = unit_text({"kind": "paper", "key": "P9", "title": "T", "text": "", "attrs": {"year": 2024}})
    assert paper.heading == "Abstract" and paper.text == "(no abstract)"
    long = unit_text({"kind": "paper", "key": "P9", "title": "T", "text": "x" * (MAX_CHARS + 10), "attrs": {}})
    assert long.cut and len(long.text) == MAX_CHARS + 1


def test_the_read_model_carries_the_units_text(ui_study):
    [uid] = ui_study.units.add_many([{"kind": "defect", "key": "acme/x#7:1", "title": "Hang after upgrade",
                                      "text": ISSUE}])
    _disagree(ui_study, uid)
    ui_study.rounds.set_reconciliation("main", True)
    [row] = [r for r in disagreements(ui_study, "tiny", "stage").rows if r["unit_id"] == uid]
    assert row["unit_text"].text == ISSUE and row["unit_text"].title == "Hang after upgrade"


def test_the_lead_reads_the_issue_beside_the_values(ui_study):
    [uid] = ui_study.units.add_many([{"kind": "defect", "key": "acme/x#7:1", "title": "Hang after upgrade",
                                      "text": ISSUE}])
    _disagree(ui_study, uid)
    ui_study.rounds.set_reconciliation("main", True)
    at = open_page("agreement", "lea")
    at.radio(key="agreement.view").set_value("Disagreements").run()
    assert not at.exception
    texts = [t.value for t in at.text]
    assert ISSUE in texts and "Hang after upgrade" in texts  # as text: st.text never renders markup
    assert not any("<img" in m.value for m in at.markdown)
    assert any(c.value.startswith("Issue · acme/x#7:1") for c in at.caption)
