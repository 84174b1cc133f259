"""The Agreement page on a real study: statistics, per-round trend, blind details, adjudication."""

from __future__ import annotations

import pytest

from studyapp.services.coding.coding import CodingRow, code_many
from tests.pages import open_page


@pytest.fixture
def agree_study(ui_study):
    s = ui_study
    ids = s.units.add_many([{"kind": "defect", "key": f"A{i}", "title": f"Defect A{i}"} for i in range(10)])
    bob = ["env"] * 6 + ["train"] * 4
    chen = ["env"] * 5 + ["train"] * 5
    code_many(s, [CodingRow(u, "tiny", "stage", "bob", b) for u, b in zip(ids, bob)]
              + [CodingRow(u, "tiny", "stage", "chen", c) for u, c in zip(ids, chen)])
    return s


def _frame(at, column):
    """The first dataframe with this column (AppTest does not expose dataframe keys)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _open(coder: str):
    return open_page("agreement", coder)


def test_overview_and_field_statistics(agree_study):
    at = _open("lea")
    overview = _frame(at, "alpha 95% CI")
    stage = overview[overview["label"] == "DL stage"].iloc[0]
    assert stage["n_units"] == 11 and stage["n_coders"] == 2  # D1 plus the ten A units
    at.radio(key="agreement.view").set_value("Field").run()
    stats = _frame(at, "statistic").set_index("statistic")
    assert "Krippendorff's alpha" in stats.index and stats.loc["Percent agreement", "value"] == pytest.approx(9 / 11)
    assert "Landis & Koch (1977)" in stats.loc["Cohen's kappa", "interpretation"]


def test_a_coder_gets_no_statistics_of_a_blind_round(agree_study):
    """Issue 17 M1: statistics over another coder's values in a round still blind would give them away."""
    from studyapp.services.coding.coding import open_reconciliation

    at = _open("bob")
    assert not [d for d in at.dataframe if "alpha 95% CI" in d.value.columns]
    assert "round main of tiny left out: reconciliation not open yet" in " ".join(c.value for c in at.caption)
    at.radio(key="agreement.view").set_value("Field").run()
    assert not [d for d in at.dataframe if "statistic" in d.value.columns]
    assert "round main left out: reconciliation not open yet" in " ".join(c.value for c in at.caption)
    open_reconciliation(agree_study, "main", actor="lea")
    at = _open("bob")
    at.radio(key="agreement.view").set_value("Field").run()
    assert _frame(at, "statistic").set_index("statistic").loc["Percent agreement", "value"] == pytest.approx(9 / 11)


def test_lead_opens_reconciliation_and_adjudicates(agree_study):
    at = _open("lea")
    at.radio(key="agreement.view").set_value("Disagreements").run()
    at.button(key="agreement.recon.main").click().run()
    assert not at.exception
    assert agree_study.rounds.is_open("main")
    forms = [k for k in at.session_state if str(k).startswith("agreement.adj.tiny.stage.") and str(k).endswith(".why")]
    key = sorted(forms)[0][: -len(".why")]
    at.text_area(key=f"{key}.why").input("definition of env covers drivers")
    at.radio(key=f"{key}.choice").set_value("Environment")
    at.get("form")[0].children  # the form exists
    submit = [b for b in at.button if "Save final value" in b.label][0]
    submit.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert agree_study.finals.count("tiny", "stage") == 1


def test_report_download_offered(agree_study):
    at = _open("lea")
    at.radio(key="agreement.view").set_value("Report").run()
    assert at.get("download_button")
    at.radio(key="agreement.report_fmt").set_value("latex").run()
    assert "\\toprule" in at.code[0].value
