"""Distributions, cross-tabs with chi-square, conditional shares and the workflow view on small studies."""

from __future__ import annotations

import pytest
from scipy.stats import chi2_contingency

from studyapp.errors import InvalidInput
from studyapp.paths import CODEBOOKS_DIR
from studyapp.services.coding.codebooks import add_codebook
from studyapp.services.coding.coding import CodingRow, code_many
from studyapp.services.defects.analysis import (
    Source,
    analysis_sources,
    defect_codebook,
    distribution,
)
from studyapp.services.defects.crosstab import chi_square, crosstab, render, share
from studyapp.services.defects.imports import import_defects
from studyapp.services.defects.workflow import workflow_dot, workflow_view
from tests.defects.conftest import CB, write

ROWS = [  # stage, code error, manifestation, impacts
    ("environment", "external-interface", "basic", "crash"),
    ("environment", "internal-interface", "basic", "crash;memory-exhaustion"),
    ("environment", "algorithm-method", "evolutionary", "crash"),
    ("training", "algorithm-method", "reproducibility", "accuracy"),
    ("training", "logic", "reproducibility", "accuracy;speed"),
    ("training", "external-interface", "basic", "crash"),
]


@pytest.fixture
def labelled(defect_study, tmp_path):
    csv = "URL,Title\n" + "".join(f"https://github.com/a/b/issues/{i},Issue {i}\n" for i in range(1, 7))
    import_defects(defect_study, [write(tmp_path / "d.csv", csv)])
    ids = [u["id"] for u in defect_study.units.list("defect")]
    rows = []
    for uid, (stage, err, man, imp) in zip(ids, ROWS):
        rows += [CodingRow(uid, CB, "dl_stage", "ana", stage), CodingRow(uid, CB, "code_error", "ana", err),
                 CodingRow(uid, CB, "manifestation", "ana", man), CodingRow(uid, CB, "impacts", "ana", imp),
                 CodingRow(uid, CB, "is_defect", "ana", "defect")]
    code_many(defect_study, rows)
    return defect_study


def test_crosstab_counts_shares_and_chi_square(labelled):
    r = crosstab(labelled, "dl_stage", "code_error", coder="ana")
    assert r["rows"] == ["environment", "training"]
    assert r["cols"] == ["external-interface", "internal-interface", "algorithm-method", "logic"]
    assert r["counts"] == [[1, 1, 1, 0], [1, 0, 1, 1]] and r["n"] == 6
    expected = chi2_contingency(r["counts"], correction=False)
    assert r["chi2"] == pytest.approx(expected.statistic) and r["p"] == pytest.approx(expected.pvalue)
    assert r["cramers_v"] == pytest.approx((expected.statistic / 6) ** 0.5)
    assert r["caution"] and "below 5" in r["caution"]
    lvl = crosstab(labelled, "dl_stage", "code_error", coder="ana", level=1)
    assert lvl["cols"] == ["interface", "algorithm-method", "logic"]
    assert share(lvl, "environment", "interface") == {"numerator": 2, "denominator": 3, "share": pytest.approx(2 / 3)}
    assert lvl["col_pct"][0][0] == pytest.approx(2 / 3)  # of the interface defects, 2 of 3 in environment
    assert "interface" in render(lvl, "csv").splitlines()[0] and "Cramer's V" in render(lvl, "table")


def test_chi_square_undefined_cases_say_why(labelled):
    multi = crosstab(labelled, "dl_stage", "impacts", coder="ana")
    assert multi["chi2"] is None and "multi-select" in multi["undefined_reason"]
    assert multi["cols"] == ["speed", "accuracy", "crash", "memory-exhaustion"]
    assert multi["counts"] == [[0, 0, 3, 1], [1, 2, 1, 0]] and multi["n"] == 6 and multi["n_pairs"] == 8
    assert "no defect" in chi_square([[0, 0], [0, 0]])["undefined_reason"]
    one = chi_square([[3, 4]])
    assert one["chi2"] is None and "two categories" in one["undefined_reason"]
    ok = chi_square([[10, 20], [20, 10]])
    assert ok["yates"] and ok["chi2"] == pytest.approx(chi2_contingency([[10, 20], [20, 10]]).statistic)


def test_distribution_and_sources(labelled):
    d = distribution(labelled, "manifestation")  # the only labeller is used
    assert d["n"] == 6 and [(r["code"], r["count"]) for r in d["rows"]] == [
        ("basic", 3), ("reproducibility", 2), ("evolutionary", 1)]
    imp = distribution(labelled, "impacts", coder="ana")
    assert {r["code"]: r["count"] for r in imp["rows"]}["crash"] == 4 and imp["multi"]
    top = distribution(labelled, "code_error", coder="ana", level=1)
    assert [r["code"] for r in top["rows"]][0] == "interface" and top["rows"][0]["count"] == 3
    code_many(labelled, [CodingRow(labelled.units.list("defect")[0]["id"], CB, "dl_stage", "ben", "training")])
    with pytest.raises(InvalidInput, match="choose --coder NAME or --final"):
        distribution(labelled, "dl_stage")
    cb = defect_codebook(labelled)
    # a coder may analyse their own labels; another coder's only once reconciliation is open
    assert analysis_sources(labelled, "ben", cb) == [Source(coder="ben")]
    labelled.rounds.set_reconciliation("main", True)
    assert Source(coder="ana", rounds=("main",)) in analysis_sources(labelled, "ben", cb)


def test_not_a_defect_is_left_out_of_analysis(labelled):
    uid = labelled.units.list("defect")[0]["id"]
    code_many(labelled, [CodingRow(uid, CB, "is_defect", "ana", "not-defect"),
                         CodingRow(uid, CB, "not_defect_reason", "ana", "a question")])
    assert distribution(labelled, "dl_stage", coder="ana")["n"] == 5


def test_workflow_joins_defects_and_interview_codes(labelled):
    add_codebook(labelled, CODEBOOKS_DIR / "ptm-reuse-interviews.yaml")
    [tid] = labelled.units.add_many([{"kind": "transcript", "key": "t1", "title": "t1", "text": "x"}])
    segs = labelled.units.add_many([{"kind": "segment", "key": f"t1:{i}", "parent_id": tid, "seq": i,
                                     "text": f"We fought CUDA versions for days ({i})"} for i in (1, 2)])
    code_many(labelled, [CodingRow(segs[0], "ptm-reuse-interviews", "workflow_stage", "ben", "environment"),
                         CodingRow(segs[1], "ptm-reuse-interviews", "workflow_stage", "ben", "environment;training")])
    view = workflow_view(labelled, coder="ana")
    stages = {s["id"]: s for s in view["stages"]}
    assert [s["id"] for s in view["stages"]][:6] == ["model-selection", "environment", "data-pipeline", "modeling",
                                                      "training", "deployment"]
    env = stages["environment"]
    assert (env["defects"], env["share"]) == (3, 0.5)
    assert {m["code"]: m["count"] for m in env["manifestations"]} == {"basic": 2, "evolutionary": 1}
    assert env["interview"]["segments"] == 2 and "CUDA" in env["interview"]["quotes"][0]["text"]
    assert stages["training"]["interview"]["segments"] == 1
    # pages pass the viewer's own interview codes: ana has none, so none are shown to ana
    own = workflow_view(labelled, coder="ana", interview_source=Source(coder="ana"))
    assert all(s["interview"]["segments"] == 0 for s in own["stages"])
    dot = workflow_dot(view)
    assert dot.startswith("digraph") and '"environment" -> "data-pipeline"' in dot and "3 defects (50%)" in dot
