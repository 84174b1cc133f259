"""The demo study: built from data/demo by the service and by `python -m studyapp demo`, the same
both ways, complete enough that every page has something to show, and refused whole when a source
file is broken."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from studyapp.errors import StudyError
from studyapp.paths import DEMO_SOURCE, REPO_ROOT
from studyapp.services.coding.codebooks import get_codebook
from studyapp.services.demo.build import build_demo
from studyapp.store import Store
from studyapp.ui.views import PAGES

APP = str(REPO_ROOT / "studyapp" / "ui" / "app.py")
UNIT_KINDS = ("paper", "segment", "defect")


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("STUDYAPP_STUDY", "STUDYAPP_AUTH")}
    return subprocess.run([sys.executable, "-m", "studyapp", *args], capture_output=True, text=True, env=env,
                          cwd=REPO_ROOT, timeout=300)


def _annotations(folder: Path) -> list[tuple]:
    """Every coder value and final value, by unit key (ids may differ between builds)."""
    with Store.open(folder) as store:
        keys = {uid: (kind, key) for kind in UNIT_KINDS for key, uid in store.units.ids_by_key(kind).items()}
        rows = [("coder", *keys[u], cb, f, c, r, v) for u, cb, f, c, r, v in store.annotations.current_rows()]
        for cb in {row[3] for row in rows}:
            for f in get_codebook(store, cb).fields:
                rows += [("final", *keys[u], cb, f.id, v) for u, v, _ in store.finals.values(cb, f.id)]
    return sorted(rows, key=repr)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "study")


@pytest.fixture(scope="module")
def demo_by_cli(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo-cli") / "study"
    proc = _cli("demo", str(folder), "--no-serve")
    assert proc.returncode == 0, proc.stderr
    assert "built the demo study" in proc.stdout
    return folder


def test_the_demo_has_every_kind_of_unit_three_coders_and_codings_in_each_round(demo):
    with Store.open(demo) as store:
        units = store.units.count_by_kind()
        coders = {c["name"]: c["role"] for c in store.coders.list()}
        rounds = [r["id"] for r in store.rounds.list()]
        per_round = Counter(r for *_, r, _ in store.annotations.current_rows())
        per_coder = Counter(c for _, _, _, c, _, _ in store.annotations.current_rows())
        open_rounds = {r["id"] for r in store.rounds.list() if r["reconciliation_open"]}
        finals, memos = store.finals.count(), store.memos.count()
    assert 38 <= units["paper"] <= 45 and units["transcript"] == 3 and 95 <= units["defect"] <= 105
    assert units["segment"] >= 45
    assert coders == {"alice": "lead", "bob": "coder", "chen": "coder"}
    assert rounds == ["pilot", "calibration", "main", "extraction", "screening-ta", "screening-ft"]
    assert open_rounds == {"pilot", "calibration", "screening-ta", "screening-ft"}, \
        "main and extraction stay blind so blind coding is visible"
    assert set(per_round) == set(rounds)
    assert min(n for r, n in per_round.items() if not r.startswith("screening")) > 300
    assert per_coder["bob"] > 1000 and per_coder["chen"] > 1000 and per_coder["alice"] > 100
    assert finals > 20 and memos >= 10


def test_the_review_is_screened_with_one_conflict_left_and_its_prisma_counts(demo):
    """Duplicates linked (three by DOI, a preprint by hand), both stages screened blind by bob and
    chen, alice's resolutions, one title/abstract conflict left open, a snowballed record to screen."""
    from studyapp.services.papers import prisma, screening
    from studyapp.services.papers.dedup import duplicate_groups

    with Store.open(demo) as store:
        dups = {d["key"]: (g["primary_key"], d["method"]) for g in duplicate_groups(store) for d in g["duplicates"]}
        ta, ft = screening.status_counts(store, "ta"), screening.status_counts(store, "ft")
        conflict = [store.units.require(u)["key"] for u, v in screening.verdicts(store, "ta").items()
                    if v.status == "conflict"]
        counts = prisma.prisma_counts(store)
    assert dups == {"P39": ("P01", "doi"), "P40": ("P07", "doi"), "P41": ("P04", "manual"), "P42": ("P12", "doi")}
    # ten records both reviewers excluded are left for a newcomer to screen (issue 14 #8), with the snowballed one
    assert ta == {"unscreened": 11, "pending": 0, "conflict": 1, "included": 26, "excluded": 1}
    assert ft == {"unscreened": 0, "pending": 0, "conflict": 0, "included": 23, "excluded": 3}
    assert conflict == ["P36"]
    assert (counts["identified"], counts["duplicates_removed"], counts["screened"], counts["excluded_screening"],
            counts["assessed"], counts["excluded_full_text"], counts["included"]) == (42, 4, 38, 1, 26, 3, 23)
    assert counts["other_methods"]["identified"] == 1


def test_the_two_coders_agree_often_but_never_completely_and_more_in_main_than_in_pilot(demo):
    with Store.open(demo) as store:
        rows = store.annotations.current_rows()
    values: dict = {}
    for u, cb, f, c, r, v in rows:
        values.setdefault((cb, f, r), {}).setdefault(u, {})[c] = v

    def agreement(cb: str, f: str, r: str) -> float:
        pairs = [(v["bob"], v["chen"]) for v in values[(cb, f, r)].values() if {"bob", "chen"} <= set(v)]
        return sum(a == b for a, b in pairs) / len(pairs)

    with Store.open(demo) as store:
        types = {(cb, f.id): f.type for cb in {k[0] for k in values} for f in get_codebook(store, cb).fields}
    defects = "dl-reengineering-defects"
    for field in ("reporter", "dl_stage", "manifestation", "impacts", "code_error"):
        assert 0.75 <= agreement(defects, field, "main") < 0.95, field
    for field in ("dl_stage", "root_cause", "manifestation", "impacts", "same_data"):
        assert agreement(defects, field, "pilot") < agreement(defects, field, "main"), field
    assert agreement(defects, "root_cause", "main") < agreement(defects, "dl_stage", "main")
    for (cb, f, r), by_unit in values.items():
        pairs = [(v["bob"], v["chen"]) for v in by_unit.values() if {"bob", "chen"} <= set(v)]
        if len(pairs) >= 5 and types[(cb, f)] != "text":
            assert any(a != b for a, b in pairs), (cb, f, r)


def test_distributions_look_like_the_real_defect_study(demo):
    with Store.open(demo) as store:
        rows = [(f, v) for _, cb, f, c, r, v in store.annotations.current_rows()
                if cb == "dl-reengineering-defects" and c == "bob" and r == "main"]
    stage = Counter(v for f, v in rows if f == "dl_stage")
    reporter = Counter(v for f, v in rows if f == "reporter")
    impacts = Counter(code for f, v in rows if f == "impacts" for code in json.loads(v))
    assert stage.most_common(1)[0][0] == "environment"
    assert reporter.most_common(1)[0][0] == "re-user"
    assert impacts.most_common(1)[0][0] == "crash"


def test_memo_codes_are_codes_of_their_codebooks(demo):
    with Store.open(demo) as store:
        for row in csv.DictReader((DEMO_SOURCE / "memos.csv").open(encoding="utf-8")):
            if row["target_kind"] == "code":
                assert any(f.code(row["code"]) for f in get_codebook(store, row["codebook"]).fields), row["code"]


def test_a_cli_build_gives_the_same_values_as_a_service_build(demo, demo_by_cli):
    assert _annotations(demo) == _annotations(demo_by_cli)


def test_an_existing_demo_is_kept_unless_rebuilt(demo_by_cli):
    proc = _cli("demo", str(demo_by_cli), "--no-serve")
    assert proc.returncode == 0 and "using the existing demo study" in proc.stdout


def _broken_source(tmp_path: Path, record: int) -> tuple[Path, int]:
    """A copy of data/demo whose codings.csv has an unknown DL stage at the first dl_stage row from `record`."""
    source = tmp_path / "source"
    shutil.copytree(DEMO_SOURCE, source)
    path = source / "codings.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    row = next(r for r in rows[record - 1:] if r["field"] == "dl_stage")
    record = rows.index(row) + 1
    row["value"] = "no-such-stage"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return source, record


def test_a_broken_source_fails_naming_file_and_record_and_leaves_no_study(tmp_path):
    source, record = _broken_source(tmp_path, 1500)
    target = tmp_path / "out" / "study"
    with pytest.raises(StudyError) as err:
        build_demo(target, source=source)
    assert "codings.csv" in str(err.value) and f"record {record}" in str(err.value)
    assert "no-such-stage" in str(err.value)
    assert not target.exists()
    assert [p.name for p in target.parent.iterdir()] == []


@pytest.mark.parametrize("coder", ["bob", "alice"])
@pytest.mark.parametrize("page", [p[0] for p in PAGES])
def test_every_page_renders_on_the_demo(demo, monkeypatch, page, coder):
    monkeypatch.setenv("STUDYAPP_STUDY", str(demo))
    monkeypatch.setenv("STUDYAPP_AUTH", "0")  # single-user mode: pick the coder
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["app.coder"] = coder
    at.run()
    if page != "home":
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value
    assert not [e.value for e in at.error], "no page shows an error on the demo"


def test_the_demo_leaves_work_to_do_in_the_active_rounds(demo):
    """Issue 14 #8: a newcomer finds papers to screen, defects to label and turns to code in the
    active rounds of their codebooks, and one open disagreement to adjudicate per workflow."""
    from studyapp.services.agreement.adjudication import disagreements
    from studyapp.services.agreement.report import report_fields
    from studyapp.services.coding.coding import visible_annotations
    from studyapp.services.defects.views import labelling_view
    from studyapp.services.papers import queue, screening
    from studyapp.services.study.browse import codebooks_for

    defects, interviews = "dl-reengineering-defects", "ptm-reuse-interviews"
    with Store.open(demo) as store:
        for coder in ("bob", "chen"):
            assert len(queue.queue(store, "ta", coder, prioritise=False).ids) >= 10, coder
        active = {cb: store.rounds.active(cb) for cb in (defects, interviews)}
        assert active == {defects: "main", interviews: "main"}
        cb = next(b for b in codebooks_for(store, "defect") if b.id == defects)
        for coder in ("bob", "chen"):
            v = labelling_view(store, cb, coder)
            assert v.round == "main" and len(v.units) - v.done >= 10, coder
            turns = [s for s in store.units.list("segment", with_text=False) if not s["attrs"].get("interviewer")]
            uncoded = [s for s in turns if not [a for a in visible_annotations(store, s["id"], coder, codebook=interviews)
                                                if a["round"] == "main" and a["coder"] == coder]]
            assert len(uncoded) >= 4, coder
        # one open disagreement per workflow: papers (a screening conflict), interviews and defects
        conflicts = [u for u, v in screening.verdicts(store, "ta").items() if v.status == "conflict"]
        assert conflicts
        for cb_id in (interviews, defects):
            open_ones = [r for f in report_fields(store, cb_id)
                         for r in disagreements(store, cb_id, f).rows if r["final"] is None]
            assert open_ones, cb_id
