"""Agreement on a study's codings: the numbers equal stats on the same matrix, per level, per round."""

from __future__ import annotations

import pytest

from studyapp.services.agreement.fields import (
    agreement_by_round,
    codebook_agreement,
    details_visible,
    field_agreement,
    reconciliation_progress,
)
from studyapp.services.coding.coding import CodingRow, code_many

STAGES = ["env", "env", "train", "env", "train", "train", "env", "env"]
CHEN = ["env", "train", "train", "env", "train", "env", "env", "env"]
CAUSE_B = ["api", "gpu", "loss", "api", "loss", "loss", "gpu", "api"]
CAUSE_C = ["api", "loss", "loss", "gpu", "loss", "api", "gpu", "api"]


@pytest.fixture
def coded(study):
    ids = study.units.add_many([{"kind": "defect", "key": f"X{i}", "title": "t"} for i in range(8)])
    study.rounds.ensure("pilot", "Pilot")
    rows = []
    for uid, sb, sc, cb_, cc in zip(ids, STAGES, CHEN, CAUSE_B, CAUSE_C):
        rows += [CodingRow(uid, "tiny", "stage", "bob", sb), CodingRow(uid, "tiny", "stage", "chen", sc)]
        study_cause = [(cb_, sb, "bob"), (cc, sc, "chen")]
        for cause, stage, who in study_cause:
            if (cause in ("api", "gpu")) == (stage == "env"):
                rows.append(CodingRow(uid, "tiny", "cause", who, cause))
        rows += [CodingRow(uid, "tiny", "impacts", "bob", "crash;speed"),
                 CodingRow(uid, "tiny", "impacts", "chen", "crash" if uid % 2 else "crash;speed")]
    rows += [CodingRow(ids[0], "tiny", "stage", "bob", "env", round="pilot"),
             CodingRow(ids[0], "tiny", "stage", "chen", "train", round="pilot"),
             CodingRow(ids[1], "tiny", "stage", "bob", "env", round="pilot"),
             CodingRow(ids[1], "tiny", "stage", "chen", "train", round="pilot")]
    code_many(study, rows)
    return study


def test_cohen_kappa_matches_a_hand_computation(coded):
    fa = field_agreement(coded, "tiny", "stage", rounds=["main"], n_boot=200)
    # 8 units, 6 agree; bob and chen each env 5/8 -> pe = (5/8)^2 + (3/8)^2 = 34/64
    po, pe = 6 / 8, 34 / 64
    assert fa.stat("kappa").value == pytest.approx((po - pe) / (1 - pe))
    row = fa.headline()
    assert row["n_units"] == 8 and row["n_coders"] == 2 and row["kappa_name"] == "cohen_kappa"
    lo, hi = row["alpha_ci95"]
    assert lo <= row["krippendorff_alpha"] <= hi
    assert field_agreement(coded, "tiny", "stage", rounds=["main"], n_boot=200).headline() == row


def test_hierarchy_level_one_collapses_children(coded):
    top = field_agreement(coded, "tiny", "cause", depth=1, n_boot=0)
    leaf = field_agreement(coded, "tiny", "cause", n_boot=0)
    assert top.name == "cause@level1"
    assert top.stat("percent_agreement").value >= leaf.stat("percent_agreement").value


def test_multi_field_gets_masi_alpha_and_per_code(coded):
    fa = field_agreement(coded, "tiny", "impacts", n_boot=0)
    assert fa.summary.multi and fa.stat("krippendorff_alpha").name == "krippendorff_alpha_masi"
    codes = fa.per_code_frame()
    crash = codes.set_index("code").loc["crash"]
    assert crash["percent_agreement"] == 1.0
    assert crash["undefined"]  # everyone used crash everywhere: kappa is 0/0, said in words


def test_rounds_are_kept_apart_and_degenerate_round_is_undefined(coded):
    per_round = {fa.rounds[0]: fa for fa in agreement_by_round(coded, "tiny", "stage", n_boot=0)}
    assert set(per_round) == {"main", "pilot"}
    pilot = per_round["pilot"]
    assert pilot.stat("percent_agreement").value == 0.0 and pilot.stat("kappa").value == 0.0
    assert per_round["main"].stat("kappa").value > 0.4
    coded.rounds.ensure("solo", "Solo")
    code_many(coded, [CodingRow(pilot.data.units[0][0], "tiny", "stage", "bob", "env", round="solo")])
    solo = field_agreement(coded, "tiny", "stage", rounds=["solo"], n_boot=0)
    alpha = solo.stat("krippendorff_alpha")
    assert alpha.value is None and "one coder" in alpha.undefined_reason


def test_codebook_agreement_lists_fields_and_levels(coded):
    names = [fa.name for fa in codebook_agreement(coded, "tiny", n_boot=0)]
    assert names == ["stage", "cause", "cause@level1", "impacts"]


def test_confusion_matrix_and_blind_details(coded):
    fa = field_agreement(coded, "tiny", "stage", rounds=["main"], n_boot=0)
    cm = fa.confusion("bob", "chen")
    assert cm.loc["Environment", "Training"] == 1 and cm.to_numpy().sum() == 8
    assert details_visible(coded, "lea", ["main"])
    assert not details_visible(coded, "bob", ["main"])
    coded.rounds.set_reconciliation("main", True)
    assert details_visible(coded, "bob", ["main"])


def test_reconciliation_progress_counts(coded):
    prog = reconciliation_progress(coded, "tiny").set_index("field")
    assert prog.loc["stage", "disagreements"] == 0 and "main" in prog.loc["stage", "hidden_rounds"]
    coded.rounds.set_reconciliation("main", True)
    prog = reconciliation_progress(coded, "tiny").set_index("field")
    assert prog.loc["stage", "disagreements"] == 2 and prog.loc["stage", "open"] == 2


@pytest.mark.parametrize("fmt", ["markdown", "latex", "csv", "html", "json"])
def test_report_formats(coded, fmt):
    import json

    from studyapp.services.agreement.report import render
    text = render(coded, fmt, "tiny", n_boot=50)
    if fmt == "json":
        rows = json.loads(text)["rows"]
        assert {(r["field"], r["rounds"]) for r in rows} >= {("stage", "main"), ("stage", "pilot"), ("cause@level1", "main")}
    elif fmt == "latex":
        assert "\\toprule" in text and "\\bottomrule" in text
        assert "impacts & multi (MASI) & main & 8 & 2 & 0.500 & n/a &" in text
    elif fmt == "html":
        assert "<svg" in text and "<table>" in text and "https://" not in text.split("<svg")[0]
    elif fmt == "csv":
        assert text.splitlines()[0].startswith("codebook,field,level")
    else:
        assert "| tiny | DL stage | nominal | main | 8 | 2 | 0.750 | 0.467 |" in text


def test_agreement_cli_subprocess(coded):
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "studyapp", "agreement", str(coded.folder), "--format", "json",
                          "--n-boot", "20"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert '"stage"' in out.stdout
    bad = subprocess.run([sys.executable, "-m", "studyapp", "agreement", str(coded.folder), "--codebook", "nope"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "nope" in bad.stderr


def test_fast_alpha_equals_the_full_computation(coded):
    from studyapp.services.agreement.fields import field_alpha
    for field, rounds in (("stage", ["main"]), ("stage", None), ("cause", ["main"])):
        full = field_agreement(coded, "tiny", field, rounds=rounds, n_boot=0).stat("krippendorff_alpha")
        fast = field_alpha(coded, "tiny", field, rounds=rounds)
        assert fast.value == pytest.approx(full.value) and fast.n_units == full.n_units
