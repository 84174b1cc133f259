"""Agreement and claims in a real browser.

Agreement: two coders labelled the same defects; the lead's agreement table shows kappa and alpha for
the field (the numbers of `services.agreement_report`), the lead opens the round's reconciliation,
adjudicates a disagreement with a rationale, and sees the final value, which the study keeps.

Claims: on the demo study (a synthetic PeaTMOSS-schema sample and its claims), the lead runs the
validation on the Claims page and sees the evidence table with each claim's verdict, and one claim's
evidence; the verdicts equal those `studyapp validate` prints for the same study.
Screenshots: test-output/browser/agreement-*.png and claims-*.png."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studyapp.services.agreement.report import report_rows
from studyapp.services.coding.coding import CodingRow, code_many
from studyapp.services.study.study import init_study
from studyapp.store import Store
from tests.browser._helpers import (
    T,
    alerts,
    choose,
    go,
    grid,
    no_exception,
    open_app,
    pick_coder,
    radio,
    settle,
    shot,
)
from tests.conftest import TINY_CODEBOOK

pytestmark = pytest.mark.browser
STAGES = {"D1": ("env", "train"), "D2": ("train", "train"), "D3": ("env", "env"), "D4": ("env", "env"),
          "D5": ("train", "train"), "D6": ("env", "env")}
RATIONALE = "The CUDA error is met while setting up the environment, before any training step."


@pytest.fixture
def coded_folder(tmp_path):
    """The tiny defect codebook, six defects, DL stage labelled by bob and chen (they differ on D1)."""
    (tmp_path / "tiny.yaml").write_text(TINY_CODEBOOK, encoding="utf-8")
    store = init_study(tmp_path / "study", title="Agreement", codebooks=[tmp_path / "tiny.yaml"])
    for name, role in (("lea", "lead"), ("bob", "coder"), ("chen", "coder")):
        store.coders.add(name, role)
    store.units.add_many([{"kind": "defect", "key": k, "title": f"Defect {k[1:]}",
                           "text": f"CUDA error on start of {k} <img src=https://x.invalid/p.png>"} for k in STAGES])
    ids = store.units.ids_by_key("defect")
    code_many(store, [CodingRow(ids[k], "tiny", "stage", coder, v) for k, vs in STAGES.items()
                      for coder, v in zip(("bob", "chen"), vs)])
    store.close()
    return tmp_path / "study"


def test_the_lead_sees_agreement_and_adjudicates_a_disagreement(coded_folder, serve, browser, shots):
    url = serve(coded_folder)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    open_app(page, url)
    pick_coder(page, "lea (lead)")
    go(page, "Agreement")
    with Store.open(coded_folder) as store:
        [expected] = [fa.headline() for fa in report_rows(store, "tiny") if fa.name == "stage"]
    rows = {r["Field"]: r for r in grid(page.locator('[data-testid="stDataFrame"]').first)}  # human column names
    row = rows["DL stage"]
    assert (row["Units"], row["Coders"]) == ("6", "2")
    assert float(row["Kappa"]) == pytest.approx(expected["kappa"], abs=1e-9)
    assert float(row["Alpha"]) == pytest.approx(expected["krippendorff_alpha"], abs=1e-9)
    assert 0 < expected["kappa"] < 1 and expected["kappa_name"] == "cohen_kappa"
    shot(page, shots, "agreement-1-overview")

    page.get_by_text("Disagreements", exact=True).click()
    settle(page)
    page.get_by_text("main: blind").wait_for(timeout=T)
    page.get_by_role("button", name="Open reconciliation").click()
    settle(page)
    page.get_by_text("main: open").wait_for(timeout=T)
    choose(page, "Field to reconcile", "DL stage")
    d1 = page.locator('[data-testid="stExpander"]').filter(has_text="D1 · Defect 1 · round main")
    assert page.locator('[data-testid="stExpander"]').filter(has_text="round main").count() == 1  # D1 only
    d1.locator("summary").click()
    values = d1.locator('[data-testid="stTable"]').inner_text()
    assert "bob" in values and "Environment" in values and "chen" in values and "Training" in values
    # the issue the coders read is beside their values, as plain text (issue 14)
    d1.get_by_text("CUDA error on start of D1 <img src=https://x.invalid/p.png>").wait_for(timeout=T)
    assert d1.get_by_text("Issue · D1").count() == 1 and d1.locator("img").count() == 0
    shot(page, shots, "agreement-2-disagreement")
    radio(page, "Final value", "Environment")
    d1.get_by_role("textbox", name="Rationale (required)").fill(RATIONALE)
    d1.get_by_role("button", name="Save final value").click()
    settle(page)
    page.get_by_text("1 of 1 disagreements resolved").wait_for(timeout=T)
    assert alerts(page) == []
    page.get_by_text("Only unresolved").click()  # show the resolved ones too
    settle(page)
    done = page.locator('[data-testid="stExpander"]').filter(has_text="D1 · Defect 1 · round main")
    if not done.get_by_text("Final: Environment").is_visible():
        done.locator("summary").click()
    done.get_by_text("Final: Environment").wait_for(timeout=T)
    no_exception(page)
    shot(page, shots, "agreement-3-final-value")

    with Store.open(coded_folder) as store:
        [final] = [f for f in store.finals.for_unit(store.units.by_key("defect", "D1")["id"]) if f["field"] == "stage"]
        assert (final["value"], final["rationale"], final["by"], final["round"]) == ("env", RATIONALE, "lea", "main")
        assert store.finals.count("tiny") == 1
        assert [a["coder"] for a in store.annotations.for_unit(final["unit_id"])] == ["bob", "chen"]  # kept apart
    page.close()


def _cli_verdicts(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("STUDYAPP_STUDY", "STUDYAPP_AUTH")}
    proc = subprocess.run([sys.executable, "-m", "studyapp", "validate", str(folder), "--format", "json",
                           "--no-record"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return {r["claim"]: r["verdict"] for r in json.loads(proc.stdout)}


def test_the_lead_validates_the_demo_claims_and_the_cli_agrees(demo_study, serve, browser, shots):
    url = serve(demo_study)
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    open_app(page, url)
    pick_coder(page, "alice (lead)")
    go(page, "Claims")
    with Store.open(demo_study) as store:
        ids = [c["id"] for c in store.claims.list()]
    assert len(ids) >= 5  # the demo's claims: over the dataset, snapshots and the study's own codings
    shot(page, shots, "claims-1-before")

    page.get_by_role("button", name="Validate all claims").click()
    page.get_by_text(f"Validated {len(ids)} claims:").wait_for(timeout=60_000)
    settle(page)
    assert alerts(page) == []
    table = {r["Claim"]: r for r in grid(page.locator('[data-testid="stDataFrame"]').first)}
    shown = {c: table[c]["Verdict"] for c in ids}
    assert set(shown.values()) <= {"supported", "refuted", "inconclusive"}, shown
    shot(page, shots, "claims-2-evidence-table")

    assert shown == _cli_verdicts(demo_study)
    with Store.open(demo_study) as store:
        from studyapp.services.claims.validation import latest

        recorded = latest(store)
    assert {c: recorded[c]["verdict"] for c in ids} == shown and {r["by"] for r in recorded.values()} == {"alice"}

    for kind in sorted(set(shown.values())):  # one claim's evidence per kind of verdict
        claim = next(c for c in ids if shown[c] == kind)
        choose(page, "Claim", claim, exact=False)
        page.get_by_role("heading", name=claim).first.wait_for(timeout=T)
        verdict = page.locator('[data-testid="stMarkdownContainer"] p').filter(has_text="Verdict:").first.inner_text()
        assert verdict.startswith(f"Verdict: {kind} — ") and recorded[claim]["reason"][:40] in verdict, verdict
        no_exception(page)
        shot(page, shots, f"claims-3-{kind}-{claim}")
    page.close()
