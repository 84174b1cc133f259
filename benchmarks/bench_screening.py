"""Prioritised screening against ASReview on a labelled set: how early are the relevant papers found?

Runs `studyapp screen simulate`'s simulation (TF-IDF 1-2-grams + linear SVM, balanced weights, one
relevant and one irrelevant prior chosen by the seed) for several seeds and prints WSS@95, WSS@100,
RRF@10, the records screened to find every relevant one, and the time per run. Given ASReview
simulation project files (`asreview simulate DATA --n-prior-included 1 --n-prior-excluded 1
--prior-seed S --seed S -o kitch_S.asreview`, made in a separate virtualenv: ASReview is not a
dependency of studyapp), it reads each project's labelling order from its results table and prints
the same metrics beside ours, computed by the same functions.
Run: python benchmarks/bench_screening.py LABELLED.csv [--seeds 0 1 2] [--asreview kitch_0.asreview ...]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from studyapp.readers.papers.labelled import read_labelled
from studyapp.services.papers.screening_model import rrf, simulate, wss


def asreview_curve(project: Path) -> tuple[list[tuple[int, int]], int]:
    """(recall curve, records labelled) of an ASReview simulation project, in labelling order."""
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(project) as zf:
            zf.extract("results.db", tmp)
        conn = sqlite3.connect(Path(tmp) / "results.db")
        labels = [int(r[0]) for r in conn.execute("SELECT label FROM results ORDER BY rowid")]
        conn.close()
    curve, found = [(0, 0)], 0
    for i, lab in enumerate(labels, start=1):
        found += lab
        curve.append((i, found))
    return curve, len(labels)


def metrics(curve, n: int, n_rel: int) -> dict:
    last = next(s for s, f in curve if f == n_rel)
    return {"wss@95": wss(curve, n, n_rel, 0.95), "wss@100": wss(curve, n, n_rel, 1.0),
            "rrf@10": rrf(curve, n, n_rel, 0.10), "all_found_after": last}


def row(label: str, m: dict, seconds: float | None = None) -> str:
    t = f"{seconds:8.1f}" if seconds is not None else " " * 8
    return (f"{label:22} {m['wss@95']:8.3f} {m['wss@100']:8.3f} {m['rrf@10']:8.3f} "
            f"{m['all_found_after']:10d} {t}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("labelled")
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    ap.add_argument("--asreview", type=Path, nargs="*", default=[])
    args = ap.parse_args()
    data = read_labelled(args.labelled)
    n, n_rel = len(data.labels), sum(data.labels)
    print(f"{args.labelled}: {n} records, {n_rel} relevant\n")
    print(f"{'run':22} {'WSS@95':>8} {'WSS@100':>8} {'RRF@10':>8} {'all found':>10} {'seconds':>8}")
    ours = []
    for seed in args.seeds:
        t0 = time.perf_counter()
        r = simulate(data.texts(), data.labels, seed=seed)
        dt = time.perf_counter() - t0
        m = metrics([tuple(p) for p in r["recall_curve"]], n, n_rel)
        ours.append(m)
        print(row(f"studyapp seed {seed}", m, dt))
    theirs = []
    for project in args.asreview:
        curve, labelled = asreview_curve(project)
        if labelled > n:
            raise SystemExit(f"{project} labelled {labelled} records, more than the {n} in {args.labelled}")
        m = metrics(curve + [(n, n_rel)], n, n_rel)
        theirs.append(m)
        print(row(f"ASReview {project.stem}", m))
    print()
    for name, runs in (("studyapp mean", ours), ("ASReview mean", theirs)):
        if runs:
            print(row(name, {k: statistics.mean(r[k] for r in runs) for k in runs[0]} | {
                "all_found_after": round(statistics.mean(r["all_found_after"] for r in runs))}))


if __name__ == "__main__":
    main()
