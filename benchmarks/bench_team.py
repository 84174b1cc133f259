"""Team use on one study file: concurrent writer processes, and reads while an import runs.

Prints, for N spawned writer processes each making M single-row writes through `code_many` (the
path the coding pages take): the wall time, writes per second, and per-write latency (median, 95th
percentile, slowest), with any error (there should be none: `BEGIN IMMEDIATE` plus a busy timeout).
Then, while one process imports K defects in one transaction, how long a page's reads (open the
store, the Defects list, the Home status) take in another process. tests/team/test_concurrency.py
asserts the properties (nothing lost, no "database is locked", reads answer); this prints figures.
Run: python benchmarks/bench_team.py [--writers 8] [--writes 2000] [--import-rows 20000]
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import statistics
import tempfile
import textwrap
import time
from pathlib import Path

CODEBOOK = textwrap.dedent("""\
    id: tiny
    title: Benchmark
    version: "1"
    kind: defect
    fields:
      - id: effort
        type: number
    """)


def writer(folder: str, coder: str, n: int, barrier) -> dict:
    from studyapp.services.coding.coding import CodingRow, code_many
    from studyapp.store import Store

    with Store.open(folder) as store:
        ids = [u["id"] for u in store.units.list("defect", with_text=False)]
        rows = [CodingRow(ids[i % len(ids)], "tiny", "effort", coder, i, round=f"r{i // len(ids)}") for i in range(n)]
        barrier.wait()
        times, errors = [], []
        for row in rows:
            t = time.perf_counter()
            try:
                code_many(store, [row])
            except Exception as e:  # noqa: BLE001 - counted and printed
                errors.append(f"{type(e).__name__}: {e}")
            times.append(time.perf_counter() - t)
    return {"times": times, "errors": errors}


def reader(folder: str, stop: str, ready: str) -> list[float]:
    import os

    from studyapp.services.study.browse import unit_table
    from studyapp.services.study.study import status
    from studyapp.store import Store

    out = []
    while not os.path.exists(stop):
        t = time.perf_counter()
        with Store.open(folder) as store:
            unit_table(store, "defect", "w0")
            status(store)
        out.append(time.perf_counter() - t)
        Path(ready).touch()
    return out


def build(folder: Path, writers: int, writes: int) -> None:
    from studyapp.services.study.study import init_study

    (folder.parent / "tiny.yaml").write_text(CODEBOOK, encoding="utf-8")
    store = init_study(folder, codebooks=[folder.parent / "tiny.yaml"])
    store.coders.add("lead", "lead")
    for i in range(writers):
        store.coders.add(f"w{i}")
    store.units.add_many([{"kind": "defect", "key": f"D{i}", "title": f"Defect {i}"} for i in range(250)])
    for r in range(-(-writes // 250)):
        store.rounds.ensure(f"r{r}")
    store.close()


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--writes", type=int, default=2000)
    ap.add_argument("--import-rows", type=int, default=20_000)
    args = ap.parse_args()
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        build(folder, args.writers, args.writes)
        barrier = ctx.Manager().Barrier(args.writers)
        with ctx.Pool(args.writers) as pool:
            t0 = time.perf_counter()
            jobs = [pool.apply_async(writer, (str(folder), f"w{i}", args.writes, barrier)) for i in range(args.writers)]
            results = [j.get() for j in jobs]
            wall = time.perf_counter() - t0
        times = [t for r in results for t in r["times"]]
        errors = [e for r in results for e in r["errors"]]
        print(f"{args.writers} writers x {args.writes} writes: {wall:.1f} s wall (with process start), "
              f"{len(times) / wall:,.0f} writes/s; per write median {statistics.median(times) * 1000:.1f} ms, "
              f"p95 {pct(times, 0.95) * 1000:.1f} ms, slowest {max(times) * 1000:.0f} ms; errors: {len(errors)}")
        for e in errors[:5]:
            print(f"  {e}")

        from studyapp.services.defects.imports import import_defects
        from studyapp.store import Store

        issues = Path(tmp) / "issues.csv"
        with issues.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["url", "title", "body"])
            for i in range(1, args.import_rows + 1):
                w.writerow([f"https://github.com/o/r/issues/{i}", f"Crash {i}", "Traceback\n" * 20])
        stop, ready = Path(tmp) / "stop", Path(tmp) / "ready"
        with ctx.Pool(1) as pool:
            job = pool.apply_async(reader, (str(folder), str(stop), str(ready)))
            while not ready.exists():
                time.sleep(0.05)
            t0 = time.perf_counter()
            with Store.open(folder) as store:
                import_defects(store, [issues], actor="lead")
            took = time.perf_counter() - t0
            stop.touch()
            reads = job.get()
        print(f"import of {args.import_rows:,} defects: {took:.2f} s; {len(reads)} page reads meanwhile, median "
              f"{statistics.median(reads) * 1000:.0f} ms, slowest {max(reads) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
