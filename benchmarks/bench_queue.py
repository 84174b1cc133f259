"""The first screening queue of a new server process, at 10,000 abstracts, and retraining after a decision.

Builds (once, cached in a folder you name) a study of 10,000 papers whose abstracts are made of
real abstract text (four runs of 50 consecutive words from the Kitchenham 2010 SLR's 1,704 records
when ../shared is here, else words drawn from a Zipf vocabulary), two reviewers who have screened
the first 3,000 papers on title and abstract (about 20% included). Then, each in a fresh Python
process (nothing imported, nothing cached in memory), prints the first queue:
  - with nothing kept in the study (TF-IDF computed and saved, the model fitted);
  - with the study's feature file but decisions since the last queue (the model fitted);
  - with no decision since the last queue (a server restart: the kept ranking is read);
  - split into importing the libraries (sklearn, once per process) and the queue call;
and recording a decision and the queue after it (the model retrains, the features are reused);
and the floor: fitting the model alone on the same rows (LinearSVC, the unavoidable part of a
retrain), so the queue after a decision is shown as a ratio to it.
Target (issue 16): the first queue in a new process < 1 s.
Run: python benchmarks/bench_queue.py [--folder DIR] [--papers N] [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
KITCHENHAM = REPO.parent / "shared" / "data" / "slr-screening" / "Kitchenham_2010.csv"


def abstracts(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    if KITCHENHAM.exists():
        import pandas as pd

        df = pd.read_csv(KITCHENHAM)
        words = " ".join((df.title.fillna("") + " " + df.abstract.fillna("")).tolist()).split()
        out = []
        for _ in range(n):
            starts = rng.integers(0, len(words) - 50, 4)
            out.append(" ".join(w for s in starts for w in words[s:s + 50]))
        return out
    vocab = np.array([f"w{i}" for i in range(20_000)])
    p = 1.0 / np.arange(1, 20_001)
    p /= p.sum()
    return [" ".join(rng.choice(vocab, 200, p=p)) for _ in range(n)]


def build(folder: Path, n_papers: int) -> None:
    from studyapp.paths import CODEBOOKS_DIR
    from studyapp.services.papers import screening
    from studyapp.services.study.study import init_study

    store = init_study(folder, title="Queue benchmark", codebooks=sorted(CODEBOOKS_DIR.glob("*slr*.yaml")))
    for i, c in enumerate(("alice", "bob", "chen")):
        store.coders.add(c, "lead" if i == 0 else "coder")
    texts = abstracts(n_papers)
    store.units.add_many({"kind": "paper", "key": f"P{i}", "title": f"Paper {i}", "text": t, "seq": i}
                         for i, t in enumerate(texts))
    ids = list(store.units.ids_by_key("paper").values())[:3_000]
    cb = screening.setup(store, actor="alice")
    st = screening.stage_of("ta")
    rng = np.random.default_rng(1)
    rows = []
    for coder in ("bob", "chen"):
        for uid, inc in zip(ids, rng.random(len(ids)) < 0.2):
            rows.append({"unit_id": uid, "codebook": cb.id, "field": st.field, "coder": coder, "round": st.round,
                         "value": "include" if inc else "exclude", "value_num": None, "codebook_version": None,
                         "note": None})
    store.annotations.set_many(rows, actor="bench")
    store.close()


CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from studyapp.store import Store
from studyapp.services.papers import queue as q, screening
if sys.argv[2] == "warm-imports":
    import sklearn.svm, sklearn.linear_model, sklearn.model_selection, sklearn.feature_extraction.text  # noqa
t1 = time.perf_counter()
out = {"import": t1 - t0}
with Store.open(sys.argv[1]) as store:
    t = time.perf_counter(); first = q.queue(store, "ta", "bob"); out["first"] = time.perf_counter() - t
    t = time.perf_counter(); screening.decide(store, first.ids[0], "bob", "ta", "include")
    out["decide"] = time.perf_counter() - t
    t = time.perf_counter(); q.queue(store, "ta", "bob"); out["after"] = time.perf_counter() - t
    from studyapp.services.papers import screening_model as sm
    row_of, X = q._FEATURES[next(iter(q._FEATURES))]
    import numpy as np
    idx = np.array(sorted(row_of[u] for u in list(row_of)[:3001]))
    y = (np.arange(len(idx)) % 5 == 0).astype(int)
    t = time.perf_counter(); sm.fit_scores(X, idx, y); out["fit"] = time.perf_counter() - t
    out["left"] = len(first.ids)
print(json.dumps(out))
"""


def child(folder: Path, mode: str = "") -> dict:
    r = subprocess.run([sys.executable, "-c", CHILD, str(folder), mode], capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folder", default=str(Path(tempfile.gettempdir()) / "studyapp-queue"))
    ap.add_argument("--papers", type=int, default=10_000)
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    folder = Path(args.folder)
    if args.rebuild and folder.exists():
        shutil.rmtree(folder)
    if not (folder / "study.db").exists():
        t0 = time.perf_counter()
        build(folder, args.papers)
        print(f"built {args.papers:,} papers in {time.perf_counter() - t0:.0f} s "
              f"({'Kitchenham text' if KITCHENHAM.exists() else 'Zipf words'})")
    r = cases(folder)
    print(f"first queue, new process, nothing kept in the study (TF-IDF computed, model fitted): {r['cold']:.2f} s")
    print(f"first queue, new process, feature file kept, decisions since (model fitted):         {r['features']:.2f} s")
    print(f"first queue, new process, no decision since the last queue (ranking kept):           {r['restart']:.2f} s"
          f" (target < 1 s; {r['left']:,} left)")
    print(f"  of which importing studyapp and sklearn once per process: {r['imports']:.2f} s;"
          f" the queue call with sklearn imported: {r['call']:.2f} s")
    print(f"recording a decision: {r['decide'] * 1000:.0f} ms; queue after it (the model retrains):"
          f" {r['after']:.2f} s = {r['after'] / r['fit']:.2f}x fitting the model alone ({r['fit']:.2f} s)")


def cases(folder: Path) -> dict:
    """Each case in a fresh process. Every child also records a decision (so the study grows by
    three decisions a run) and times the queue after it."""
    from studyapp.services.papers.queue import FEATURES_DIR, RANKINGS_DIR

    shutil.rmtree(folder / FEATURES_DIR, ignore_errors=True)
    shutil.rmtree(folder / RANKINGS_DIR, ignore_errors=True)
    cold = child(folder)
    shutil.rmtree(folder / RANKINGS_DIR, ignore_errors=True)
    features = child(folder)
    restart = child(folder)  # the ranking the previous process made after its decision is kept
    shutil.rmtree(folder / RANKINGS_DIR, ignore_errors=True)
    split = child(folder, "warm-imports")
    return {"cold": cold["import"] + cold["first"], "features": features["import"] + features["first"],
            "restart": restart["import"] + restart["first"], "left": restart["left"], "imports": split["import"],
            "call": split["first"], "decide": features["decide"], "after": features["after"], "fit": features["fit"]}


if __name__ == "__main__":
    main()
