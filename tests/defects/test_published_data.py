"""The DL reengineering study's real data: its 348 published defect labels reproduce the paper's
figures, and the two raters' calibration rounds import as two coders with agreement per field and round.

Published figures (EMSE 2024) reproduced here from the crosstab output:
- 58% of the defects are reported by re-users            203 / 348 = 58.3%
- 88% of environment defects are interface defects       138 / 157 = 87.9%  (code_error at level 1)
- 46% of environment defects are API defects             73 / 157 = 46.5%   (root cause environment.api)
- 68% of reproducibility defects surface in training     26 / 38  = 68.4%
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studyapp.paths import CODEBOOKS_DIR
from studyapp.services.agreement.reliability_data import reliability_data
from studyapp.services.coding.labels import UnknownLabels, import_labels
from studyapp.services.defects.analysis import distribution
from studyapp.services.defects.crosstab import crosstab, share
from studyapp.services.defects.imports import import_defects
from studyapp.services.study.study import init_study
from studyapp.stats import cohen_kappa, krippendorff_alpha
from tests.conftest import shared_or_skip

pytestmark = pytest.mark.shared

CB = "dl-reengineering-defects"
MAPS = Path(__file__).resolve().parents[1] / "data" / "defects"
ROUNDS = {"pilot": "Pilot", "pilot_re": "Pilot_re", "final": "Final"}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    path = shared_or_skip("dl-reengineering", "defects.csv")
    store = init_study(tmp_path_factory.mktemp("pub") / "study", codebooks=[CODEBOOKS_DIR / f"{CB}.yaml"])
    store.coders.add("published")
    assert import_defects(store, [path]).imported == 348
    rep = import_labels(store, path, coder="published", codebook=CB, key="URL",
                        map_file=MAPS / "published-labels.map.yaml")
    assert rep.units == 348 and rep.index_columns == ["Unnamed: 0"] and "Unnamed: 0" not in rep.columns
    yield store
    store.close()


def test_348_defects_in_334_issues(published):
    units = published.units.list("defect", with_text=False)
    assert len(units) == 348 and len({u["attrs"]["issue"] for u in units}) == 334


def test_58_percent_reported_by_re_users(published):
    d = {r["code"]: r for r in distribution(published, "reporter")["rows"]}
    assert (d["re-user"]["count"], round(100 * d["re-user"]["share"])) == (203, 58)


def test_88_percent_of_environment_defects_are_interface_defects(published):
    r = crosstab(published, "dl_stage", "code_error", level=1)
    s = share(r, "environment", "interface")
    assert (s["numerator"], s["denominator"], round(100 * s["share"])) == (138, 157, 88)
    assert r["chi2"] is not None and 0 < r["cramers_v"] < 1 and r["p"] < 0.001


def test_46_percent_of_environment_defects_are_api_defects(published):
    s = share(crosstab(published, "dl_stage", "root_cause"), "environment", "environment.api")
    assert (s["numerator"], s["denominator"], int(100 * s["share"])) == (73, 157, 46)


def test_68_percent_of_reproducibility_defects_surface_in_training(published):
    s = share(crosstab(published, "manifestation", "dl_stage"), "reproducibility", "training")
    assert (s["numerator"], s["denominator"], round(100 * s["share"])) == (26, 38, 68)


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    folder = shared_or_skip("dl-reengineering", "rater-rounds")
    store = init_study(tmp_path_factory.mktemp("rr") / "study", codebooks=[CODEBOOKS_DIR / f"{CB}.yaml"])
    store.coders.add("lead", "lead")
    store.coders.add("rater1")
    store.coders.add("rater2")
    files = [folder / f"{stem}{i}.csv" for stem in ROUNDS.values() for i in (1, 2)]
    import_defects(store, files)
    reports = {}
    for rid, stem in ROUNDS.items():
        for i in (1, 2):
            reports[rid, i] = import_labels(store, folder / f"{stem}{i}.csv", coder=f"rater{i}", codebook=CB,
                                            key="Issue #", round=rid, map_file=MAPS / "rater-rounds.map.yaml")
    yield store, reports, folder
    store.close()


def test_unknown_spellings_are_refused_without_the_reviewed_map(rounds, tmp_path):
    store, _, folder = rounds
    before = store.table_counts()
    with pytest.raises(UnknownLabels) as e:
        import_labels(store, folder / "Final1.csv", coder="rater1", codebook=CB, round="again")
    found = {(u["field"], u["value"]) for u in e.value.unknown}
    assert ("same_data", "yess") in found and ("code_error", "initialization") in found
    assert store.table_counts() == before


def test_rater_rounds_import_as_two_coders_per_round(rounds):
    store, reports, _ = rounds
    assert {r.round for r in reports.values()} == set(ROUNDS)
    assert [reports[r, 1].rows for r in ROUNDS] == [13, 64, 135]
    assert all(r.index_columns == ["Unnamed: 0"] for r in reports.values())
    # row 61 of the final sheets pairs issue 209 (rater 1) with 222 (rater 2): aligned by id, not by row,
    # the two rows stay two units each coded once, and the import says so
    assert reports["final", 2].only_this_coder == ["#222:2"]
    assert reports["final", 2].only_other_coders == ["#209:2"]
    assert not reports["pilot", 2].only_this_coder and not reports["pilot_re", 2].only_other_coders


def test_agreement_per_field_and_round(rounds):
    store, _, _ = rounds
    kappas = {}
    for rid in ROUNDS:
        for field in ("framework", "same_code", "same_data", "dl_stage", "root_cause", "manifestation", "code_error"):
            rd = reliability_data(store, CB, field, rounds=[rid])
            assert rd.coders == ["rater1", "rater2"]
            paired = int((~np.isnan(rd.matrix)).all(axis=0).sum())
            kappas[rid, field] = cohen_kappa(rd.matrix).value
            assert paired <= rd.n_units
        impacts = reliability_data(store, CB, "impacts", rounds=[rid])
        assert impacts.multi and krippendorff_alpha(impacts.matrix).value is not None
    assert reliability_data(store, CB, "framework", rounds=["final"]).n_units == 136  # 134 paired + 2 one-sided
    assert kappas["pilot_re", "framework"] == pytest.approx(1.0)
    assert kappas["final", "code_error"] > kappas["pilot", "code_error"]
    top = reliability_data(store, CB, "code_error", rounds=["final"], depth=1)
    assert "interface" in top.categories and cohen_kappa(top.matrix).value > kappas["final", "code_error"]


def test_agreement_page_shows_each_field_per_round(rounds, monkeypatch):
    """The Agreement page on the two raters' rounds: one overview row per field (and tree level) and
    round, never pooled; kappa defined for the fields both raters used."""
    from tests.pages import open_page

    store, _, _ = rounds
    monkeypatch.setenv("STUDYAPP_STUDY", str(store.folder))
    monkeypatch.setenv("STUDYAPP_AUTH", "0")  # single-user mode (sign-in is on unless asked off)
    at = open_page("agreement", "lead")
    overview = next(d.value for d in at.dataframe if "Alpha 95% CI" in d.value.columns)
    overview = overview.rename(columns={"Field": "label", "Round": "rounds", "Kappa": "kappa", "Coders": "n_coders"})
    rows = {(r["label"], r["rounds"]) for _, r in overview.iterrows()}
    from studyapp.services.coding.codebooks import codebook_version

    cb, _ = codebook_version(store, CB)
    fields = {f.label for f in cb.fields if f.id in ("dl_stage", "code_error", "impacts")}
    for label in fields:
        assert {(label, rid) for rid in ROUNDS} <= rows, (label, sorted(rows))
    final = overview[(overview["rounds"] == "final") & overview["kappa"].notna()]
    assert len(final) >= 5 and final["n_coders"].eq(2).all()
