"""A lab-sized study: every page's script run and the commonest actions, timed.

Builds (once, cached in a folder you name, default /tmp/studyapp-scale) 10,000 papers, 200 transcripts
with 40,000 segments, 5,000 defects, 5 coders and about 300,000 annotations with the shipped
codebooks, then prints:
  - each page's script run with Streamlit's AppTest (median of 3 runs after a warm-up; the warm-up
    fills the caches keyed on the study's change counter, as a real session's first visit does);
  - the first run of each page after a save (a changed counter: caches miss; on the Papers page the
    save is a screening decision, so the model retrains; elsewhere a defect's code);
  - saving one code (`code_many` of one row): p50 and p95 over 200 saves;
  - loading the next unit (`unit_view`) and the coder's unit list (`unit_table`);
  - the agreement overview of the defect codebook (`report_rows`, no bootstrap and with 1,000).
Targets (issue 8): every page under 300 ms, every save under 50 ms on a 2-core machine.
Run: python benchmarks/bench_scale.py [--folder DIR] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path

import numpy as np

from studyapp.paths import CODEBOOKS_DIR
from studyapp.services.coding.coding import CodingRow, code_many
from studyapp.services.study.study import init_study
from studyapp.store import Store

APP = str(Path(__file__).resolve().parents[1] / "studyapp" / "ui" / "app.py")
CODERS = ["alice", "bob", "chen", "dana", "eli"]
DEFECT_FIELDS = {"dl_stage": ["environment", "data-pipeline", "modeling", "training"],
                 "reporter": ["re-user", "adaptor", "enhancer", "replicator"],
                 "manifestation": ["basic", "reproducibility", "evolutionary"],
                 "framework": ["pytorch", "tensorflow", "keras", "caffe"],
                 "same_code": ["yes", "no", "not-mentioned"], "same_data": ["yes", "no", "not-mentioned"]}


def build(folder: Path, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    store = init_study(folder, title="Scale study", codebooks=sorted(CODEBOOKS_DIR.glob("*.yaml")))
    for i, c in enumerate(CODERS):
        store.coders.add(c, "lead" if i == 0 else "coder")
    store.units.add_many({"kind": "paper", "key": f"P{i}", "title": f"Paper {i} on pre-trained model reuse",
                          "text": "An abstract. " * 20, "seq": i, "attrs": {"year": str(2018 + i % 7)}}
                         for i in range(10_000))
    tids = store.units.add_many({"kind": "transcript", "key": f"T{t}", "title": f"Interview {t}", "seq": t}
                                for t in range(200))
    store.units.add_many({"kind": "segment", "key": f"T{t}:{s}", "parent_id": tid, "seq": s, "title": "P",
                          "text": "A speaker turn about models. " * 5, "attrs": {"speaker": "P"}}
                         for t, tid in enumerate(tids) for s in range(1, 201))
    store.units.add_many({"kind": "defect", "key": f"D{i}", "title": f"Defect {i}", "text": "Traceback ...",
                          "seq": i} for i in range(5_000))
    ids = {k: list(store.units.ids_by_key(k).values()) for k in ("paper", "segment", "defect")}
    rows = []

    def add(kind, codebook, field, codes, unit_ids, coders):
        truth = rng.integers(0, len(codes), len(unit_ids))
        for coder in coders:
            pick = np.where(rng.random(len(unit_ids)) < 0.8, truth, rng.integers(0, len(codes), len(unit_ids)))
            rows.extend({"unit_id": u, "codebook": codebook, "field": field, "coder": coder, "round": "main",
                         "value": codes[p], "value_num": None, "codebook_version": None, "note": None}
                        for u, p in zip(unit_ids, pick))

    for field, codes in DEFECT_FIELDS.items():
        add("defect", "dl-reengineering-defects", field, codes, ids["defect"], CODERS)          # 150,000
    add("segment", "ptm-reuse-interviews", "challenges",
        ['["missing-attributes"]', '["discrepancies"]', '["model-search"]'], ids["segment"], CODERS[1:4])  # 120,000
    for field, codes in {"contribution": ["empirical-study", "tool", "dataset"],
                         "claims_validated": ["all", "some", "none"]}.items():
        add("paper", "ptm-reuse-slr", field, codes, ids["paper"][:7_500], CODERS[1:3])        # 30,000
    store.annotations.set_many(rows, actor="bench")
    _screening(store, ids["paper"][:3_000], rng)
    print(f"built: {store.table_counts()}")
    store.close()


def _screening(store: Store, paper_ids: list[int], rng) -> None:
    """bob and chen have screened the first 3,000 papers on title and abstract (about 20% included)."""
    from studyapp.services.papers import screening

    cb = screening.setup(store, actor="alice")
    st = screening.stage_of("ta")
    rows = []
    for coder in ("bob", "chen"):
        include = rng.random(len(paper_ids)) < 0.2
        for uid, inc in zip(paper_ids, include):
            rows.append({"unit_id": uid, "codebook": cb.id, "field": st.field, "coder": coder, "round": st.round,
                         "value": "include" if inc else "exclude", "value_num": None, "codebook_version": None,
                         "note": None})
            if not inc:
                rows.append({"unit_id": uid, "codebook": cb.id, "field": st.reason_field, "coder": coder,
                             "round": st.round, "value": "E1", "value_num": None, "codebook_version": None,
                             "note": None})
    store.annotations.set_many(rows, actor="bench")


def page_times(folder: Path) -> dict[str, tuple[float, float]]:
    from streamlit.testing.v1 import AppTest

    from studyapp.ui.views import PAGES

    os.environ["STUDYAPP_STUDY"] = str(folder)
    os.environ["STUDYAPP_AUTH"] = "0"
    out = {}
    for name, _, _ in PAGES:
        runs = []
        at = AppTest.from_file(APP, default_timeout=600)
        at.session_state["app.coder"] = "bob"
        at.run()
        for i in range(4):
            t0 = time.perf_counter()
            at.switch_page(f"views/{name}.py").run() if name != "home" else at.run()
            runs.append(time.perf_counter() - t0)
            if at.exception:
                print(f"  {name}: exception {at.exception[0].value}")
                break
        with Store.open(folder) as store:  # a save changes the counters: the next run misses the caches
            if name == "papers":  # the commonest save there: a screening decision (the model retrains)
                from studyapp.services.papers import queue as screening_queue
                from studyapp.services.papers import screening

                screening.decide(store, screening_queue.queue(store, "ta", "bob").ids[0], "bob", "ta", "include")
            else:
                code_many(store, [CodingRow(store.units.ids_by_key("defect")["D0"], "dl-reengineering-defects",
                                            "dl_stage", "bob", ["training", "environment"][len(out) % 2])])
        t0 = time.perf_counter()
        at.run()
        cold = time.perf_counter() - t0
        out[name] = (statistics.median(runs[1:]) if len(runs) > 1 else runs[0], cold)
    return out


def action_times(folder: Path) -> None:
    from studyapp.services.agreement.report import report_rows
    from studyapp.services.study.browse import unit_table, unit_view

    with Store.open(folder) as store:
        defects = list(store.units.ids_by_key("defect").values())
        saves = []
        for i, uid in enumerate(defects[:200]):
            t0 = time.perf_counter()
            code_many(store, [CodingRow(uid, "dl-reengineering-defects", "manifestation", "bob",
                                        ["basic", "reproducibility"][i % 2])])
            saves.append(time.perf_counter() - t0)
        q = np.percentile(saves, [50, 95]) * 1000
        print(f"save one code: p50 {q[0]:.1f} ms, p95 {q[1]:.1f} ms (target < 50 ms)")
        t0 = time.perf_counter()
        for uid in defects[200:300]:
            unit_view(store, uid, "bob")
        print(f"load the next unit (unit_view): {(time.perf_counter() - t0) * 10:.1f} ms each")
        for kind in ("defect", "paper", "segment"):
            t0 = time.perf_counter()
            n = len(unit_table(store, kind, "bob"))
            print(f"unit list of {n:,} {kind}s (unit_table): {(time.perf_counter() - t0) * 1000:.0f} ms")
        from studyapp.services.papers import queue as screening_queue
        from studyapp.services.papers import screening

        t0 = time.perf_counter()
        q = screening_queue.queue(store, "ta", "bob")
        print(f"screening queue of bob ({len(q.ids):,} left, model trained on his {q.done_by_me:,} decisions): "
              f"{(time.perf_counter() - t0) * 1000:.0f} ms first, ", end="")
        t0 = time.perf_counter()
        screening.decide(store, q.ids[0], "bob", "ta", "include")
        decide = time.perf_counter() - t0
        t0 = time.perf_counter()
        screening_queue.queue(store, "ta", "bob")
        print(f"{(time.perf_counter() - t0) * 1000:.0f} ms after a decision (TF-IDF cached); "
              f"recording the decision {decide * 1000:.0f} ms")
        for n_boot in (0, 1000):
            t0 = time.perf_counter()
            rows = report_rows(store, "dl-reengineering-defects", n_boot=n_boot)
            print(f"agreement overview, defect codebook, {len(rows)} rows, n_boot={n_boot}: "
                  f"{time.perf_counter() - t0:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folder", default="/tmp/studyapp-scale")
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    folder = Path(args.folder)
    if args.rebuild and folder.exists():
        shutil.rmtree(folder)
    if not Store.exists(folder):
        t0 = time.perf_counter()
        build(folder)
        print(f"build: {time.perf_counter() - t0:.0f} s")
    action_times(folder)
    print("page script runs (AppTest; warm median / first run after a save), target < 300 ms:")
    for name, (warm, cold) in page_times(folder).items():
        print(f"  {name:<11} {warm * 1000:7.0f} ms  {cold * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
