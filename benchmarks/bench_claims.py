"""Claim validation at PeaTMOSS scale: every shipped metric, and the whole demo claims file.

Generates (once, cached in a folder you name, default /tmp/studyapp-claims) a synthetic
PeaTMOSS-schema database of full size (281,638 models, 28,575 reuse repositories, 44,337 links),
then prints:
  - each metric with its default parameters (snapshots metrics over the dataset's own snapshots):
    its time through the library, the time of the bare SQL it ran (each query re-run on a plain
    read-only sqlite3 connection, no sandbox), and the difference (sandbox, pandas, statistics);
  - each check of the demo study's claims file against this dataset, and the whole file;
  - the process's peak resident memory.
Targets: every shipped metric under 1 s, memory under 1 GB (issue 7); the whole demo claims file
under 3 s and its all-models check (documentation vs downloads over every model) under 1 s
(issue 16), each also shown as a ratio to the bare SQL it ran.
Run: python benchmarks/bench_claims.py [--folder DIR] [--models N] [--rebuild]
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from studyapp.datasets.metrics import METRICS
from studyapp.datasets.sample import generate
from studyapp.datasets.sandbox import open_dataset
from studyapp.paths import DEMO_SOURCE
from studyapp.services.claims.claims_file import Check, checks_of
from studyapp.services.claims.validation import compute_metric, validate_study
from studyapp.services.demo.build import build_demo
from studyapp.store import Store

FULL = 281_638


def bare_sql_seconds(path: Path, queries) -> float:
    """The same queries on a plain read-only connection: what SQLite alone needs."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        total = 0.0
        for q in queries:
            if not q.sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            t0 = time.perf_counter()
            conn.execute(q.sql, q.params).fetchall()
            total += time.perf_counter() - t0
        return total
    finally:
        conn.close()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folder", default="/tmp/studyapp-claims")
    ap.add_argument("--models", type=int, default=FULL)
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"peatmoss-{args.models}.db"
    if args.rebuild or not db.exists():
        t0 = time.perf_counter()
        s = generate(db, models=args.models, seed=7)
        print(f"generated {db} in {time.perf_counter() - t0:.1f} s: {s}")
    with open_dataset(db) as ds:
        counts = {t: ds.query(f"SELECT count(*) FROM {t}").rows[0][0]
                  for t in ("model", "reuse_repository", "model_to_reuse_repository")}
    print(f"dataset: {db} ({db.stat().st_size / 2**20:.0f} MB) {counts}\n")

    print("Each metric runs twice: 'cold' is the first run after opening the file (pages not yet in the OS cache),\n"
          "the other columns are the second run.\n")
    print(f"{'metric':32} {'cold s':>8} {'library s':>10} {'bare SQL s':>11} {'overhead s':>11} {'queries':>8}  value")
    worst = 0.0
    with open_dataset(db) as ds:
        for name, metric in METRICS.items():
            if metric.source == "codings":
                continue
            params = {}
            if name == "turnover":
                params = {"snapshots": "dataset", "registry": "Hugging Face", "k": 1000}
            elif name == "turnover_compare":
                params = {"registries": {"HF": "dataset", "HF again": "dataset"}, "k": 1000}
            check = _check(name, params, metric.default_test)
            t0 = time.perf_counter()
            compute_metric(check, dataset=ds, store=None, base=None)
            cold = time.perf_counter() - t0
            t0 = time.perf_counter()
            m = compute_metric(check, dataset=ds, store=None, base=None)
            lib = time.perf_counter() - t0
            bare = bare_sql_seconds(db, m.queries)
            worst = max(worst, lib)
            value = f"{m.value:.4g}" if isinstance(m.value, (int, float)) else str(m.value)
            print(f"{name:32} {cold:8.3f} {lib:10.3f} {bare:11.3f} {lib - bare:11.3f} {len(m.queries):8d}  {value}")
    print(f"slowest metric (second run): {worst:.3f} s (target < 1 s)\n")

    t0 = time.perf_counter()
    import pingouin  # noqa: F401  (imported lazily by the tests; about 2 s once per process)
    print(f"importing pingouin (once per process, not counted below): {time.perf_counter() - t0:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        with Store.open(build_demo(Path(tmp) / "demo")) as store:
            t0 = time.perf_counter()
            out = validate_study(store, dataset=db, claims_file=DEMO_SOURCE / "claims.yaml", record=False)
            whole = time.perf_counter() - t0
    print(f"{'claim':22} {'check':14} {'metric':28} {'s':>7} {'bare SQL s':>11}  verdict")
    all_models = None
    whole_bare = 0.0
    for o in out:
        for c in o.checks:
            bare = bare_sql_seconds(db, c.metric.queries) if c.metric else 0.0
            whole_bare += bare
            if c.check.metric == "documentation_popularity" and c.check.params.get("sample") == 0:
                all_models = (c.seconds, bare)
            print(f"{o.claim_id:22} {c.check.label[:14]:14} {c.check.metric:28} {c.seconds:7.3f} {bare:11.3f}"
                  f"  {o.verdict.verdict}")
    print(f"\nwhole demo claims file ({len(out)} claims): {whole:.2f} s = {whole / max(whole_bare, 1e-9):.2f}x its bare"
          f" SQL ({whole_bare:.2f} s) (target < 3 s)")
    if all_models:
        print(f"the all-models check: {all_models[0]:.2f} s = {all_models[0] / max(all_models[1], 1e-9):.2f}x its bare"
              f" SQL ({all_models[1]:.2f} s) (target < 1 s; benchmarks/bench_duckdb.py: the same on DuckDB)")
    print(f"peak resident memory: {peak_mb():.0f} MB (target < 1024 MB)")


def _check(name: str, params: dict, test: str) -> Check:
    [check] = checks_of({"id": "bench", "text": "bench", "data": {"metric": name, "params": params, "test": test}})
    return check


if __name__ == "__main__":
    sys.exit(main())
