"""Every row of issue 16's speed table, measured in one run, each figure beside its target.

Each measurement runs in a fresh Python process (so imports, caches and peak memory are its own)
and, where there is a floor, is printed as a ratio to it in the same run: the raw
`krippendorff.alpha` call for alpha from the study store, the bare SQL query for the claims
checks, fitting the model alone for the queue after a decision, a Home rerun for views in the
browser. The slow rows are opt-in: --pages (bench_scale's page runs after a save, needs its
study: built once in --scale-folder), --install (a fresh `make install` in a copy of the repo,
then the demo served to its first page: downloads every package, no cache), --suite (the whole
`make test`). --all turns on all three.
Run: python benchmarks/bench_issue16.py [--pages] [--install] [--suite] [--all]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PY = sys.executable
ROWS: list[tuple[str, str, str, str]] = []


def row(what: str, figure: str, target: str, floor: str = "") -> None:
    ROWS.append((what, figure, target, floor))
    print(f"  {what}: {figure}  (target {target}){'  ' + floor if floor else ''}", flush=True)


def child(code: str, *args: str) -> dict:
    """Run `code` in a fresh interpreter; it prints one JSON line last."""
    r = subprocess.run([PY, "-c", code, *args], capture_output=True, text=True, cwd=REPO,
                       env={**os.environ, "PYTHONPATH": str(BENCH)})
    if r.returncode:
        raise RuntimeError(r.stderr[-2000:])
    return json.loads(r.stdout.strip().splitlines()[-1])


AGREEMENT = r"""
import json, sys, tempfile, time
from pathlib import Path
import krippendorff, numpy as np
import bench_agreement as b
from studyapp.services.agreement.fields import field_alpha
from studyapp.services.agreement.reliability_data import reliability_data
with tempfile.TemporaryDirectory() as tmp:
    t0 = time.perf_counter(); store = b.build(Path(tmp) / "study", 100_000); setup = time.perf_counter() - t0
    m = reliability_data(store, "bench", "label").matrix
    t_raw, raw = b.best(lambda: krippendorff.alpha(reliability_data=m, level_of_measurement="nominal",
                                                    value_domain=np.arange(10, dtype=float)))
    t_fast, fast = b.best(lambda: field_alpha(store, "bench", "label"))
    assert abs(fast.value - raw) < 1e-9
    store.close()
print(json.dumps({"raw": t_raw, "fast": t_fast, "setup": setup}))
"""

ALPHA = r"""
import json, resource, sys, time
import numpy as np
from studyapp import stats
V = int(sys.argv[1]); n = 100_000
rng = np.random.default_rng(0)
truth = rng.integers(0, V, n)
m = np.where(rng.random((5, n)) < 0.7, truth, rng.integers(0, V, (5, n))).astype(float)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter(); s = stats.krippendorff_alpha(m, categories=list(range(V))); t = time.perf_counter() - t0
print(json.dumps({"seconds": t, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "added_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024}))
"""

LONG_FILE = r"""
import csv, json, sys
import numpy as np
V = int(sys.argv[1]); n = 100_000
rng = np.random.default_rng(0)
truth = rng.integers(0, V, n)
m = np.where(rng.random((5, n)) < 0.7, truth, rng.integers(0, V, (5, n)))
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f); w.writerow(["unit", "coder", "value"])
    for j in range(n):
        for i in range(5):
            w.writerow([f"u{j}", f"coder{i}", f"code{m[i, j]}"])
print(json.dumps({}))
"""

QUEUE = r"""
import json, sys
from pathlib import Path
import bench_queue as q
folder = Path(sys.argv[1])
if not (folder / "study.db").exists():
    q.build(folder, 10_000)
print(json.dumps(q.cases(folder)))
"""

CLAIMS = r"""
import json, sys, tempfile, time
from pathlib import Path
import bench_claims as bc
from studyapp.datasets.sample import generate
from studyapp.paths import DEMO_SOURCE
from studyapp.services.claims.validation import validate_study
from studyapp.services.demo.build import build_demo
from studyapp.store import Store
folder = Path(sys.argv[1]); folder.mkdir(parents=True, exist_ok=True)
db = folder / f"peatmoss-{bc.FULL}.db"
if not db.exists():
    generate(db, models=bc.FULL, seed=7)
import pingouin  # noqa: F401  (once per process, as bench_claims leaves it out)
with tempfile.TemporaryDirectory() as tmp:
    with Store.open(build_demo(Path(tmp) / "demo")) as store:
        validate_study(store, dataset=db, claims_file=DEMO_SOURCE / "claims.yaml", record=False)  # warm the file
        t0 = time.perf_counter()
        out = validate_study(store, dataset=db, claims_file=DEMO_SOURCE / "claims.yaml", record=False)
        whole = time.perf_counter() - t0
checks = [c for o in out for c in o.checks]
allm = next(c for c in checks if c.check.metric == "documentation_popularity")
whole_sql = sum(bc.bare_sql_seconds(db, c.metric.queries) for c in checks if c.metric)
print(json.dumps({"whole": whole, "whole_sql": whole_sql, "all": allm.seconds,
                  "all_sql": bc.bare_sql_seconds(db, allm.metric.queries)}))
"""

BROWSER = r"""
import json
import bench_browser as bb
print(json.dumps(bb.measure(5)))
"""

PAGES = r"""
import json, sys
from pathlib import Path
import bench_scale as bs
from studyapp.store import Store
folder = Path(sys.argv[1])
if not Store.exists(folder):
    bs.build(folder)
print(json.dumps(bs.page_times(folder)))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", action="store_true")
    ap.add_argument("--install", action="store_true")
    ap.add_argument("--suite", action="store_true")
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--scale-folder", default=str(Path(tempfile.gettempdir()) / "studyapp-scale"))
    ap.add_argument("--claims-folder", default=str(Path(tempfile.gettempdir()) / "studyapp-claims"))
    ap.add_argument("--queue-folder", default=str(Path(tempfile.gettempdir()) / "studyapp-queue"))
    args = ap.parse_args()
    if args.all:
        args.pages = args.install = args.suite = True
    print(f"issue 16, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")

    a = child(AGREEMENT)
    row("alpha from the study store, 5 coders x 100,000 units, 10 codes", f"{a['fast']:.4f} s",
        "<= 1.0x the raw krippendorff.alpha call", f"= {a['fast'] / a['raw']:.3f}x the raw call ({a['raw']:.3f} s)")
    for v, secs, mem in ((100, 0.5, None), (1000, 3.0, 1024)):
        r = child(ALPHA, str(v))
        row(f"stats krippendorff_alpha, 5 x 100,000, {v:,} codes", f"{r['seconds']:.2f} s, {r['peak_mb']:.0f} MB peak",
            f"< {secs:g} s" + (f", < {mem / 1024:g} GB" if mem else ""))
    with tempfile.TemporaryDirectory() as tmp:
        for v, secs, gb in ((100, 2.0, 0.5), (1000, 5.0, 1.0)):
            path = Path(tmp) / f"long{v}.csv"
            child(LONG_FILE, str(v), str(path))
            t, peak = _timed_with_peak([str(Path(PY).parent / "studyapp"), "irr", "--long", str(path), "--n-boot", "0"])
            row(f"studyapp irr --long (every statistic, --n-boot 0), 5 x 100,000, {v:,} codes",
                f"{t:.2f} s, {peak:.0f} MB peak", f"< {secs:g} s, < {gb:g} GB, whole command")
    if args.pages:
        pages = child(PAGES, args.scale_folder)
        for name, (warm, cold) in pages.items():
            row(f"page {name} at scale (bench_scale): warm / first run after a save",
                f"{warm * 1000:.0f} / {cold * 1000:.0f} ms", "< 300 ms")
    q = child(QUEUE, args.queue_folder)
    row("first screening queue in a new process, 10k abstracts, no decision since (ranking kept)",
        f"{q['restart']:.2f} s", "< 1 s", f"nothing kept: {q['cold']:.2f} s; features kept, decisions since:"
        f" {q['features']:.2f} s (imports {q['imports']:.2f} s + call {q['call']:.2f} s)")
    row("  first queue under `studyapp serve`, decisions since (the server warms up as it starts)",
        f"{q['call']:.2f} s", "< 1 s", "imports and features done by the server's warm-up thread"
        f" (queue.warm_up_in), so the reviewer pays the call alone")
    row("screening queue after a decision (the model retrains)", f"{q['after']:.2f} s", "as cheap as honest",
        f"= {q['after'] / q['fit']:.2f}x fitting the model alone ({q['fit']:.2f} s)")
    try:
        b = child(BROWSER)
        floor = b.pop("Home rerun (floor)")
        for name, secs in b.items():
            row(f"real browser, small demo: {name}", f"{secs:.2f} s", "< 0.5 s",
                f"= {secs / floor:.1f}x a Home rerun ({floor:.2f} s)")
    except RuntimeError as e:
        row("real browser, small demo: Defects -> Label, Analyse", "not measured", "< 0.5 s",
            str(e).strip().splitlines()[-1][:80])
    c = child(CLAIMS, args.claims_folder)
    row("claims file over a full-size PeaTMOSS (bench_claims), whole file", f"{c['whole']:.2f} s", "< 3 s",
        f"= {c['whole'] / c['whole_sql']:.2f}x its bare SQL ({c['whole_sql']:.2f} s)")
    row("  the all-models check (documentation vs downloads, every model)", f"{c['all']:.2f} s", "< 1 s",
        f"= {c['all'] / c['all_sql']:.2f}x its bare SQL ({c['all_sql']:.2f} s)")
    if args.install:
        install_row()
    if args.suite:
        t0 = time.perf_counter()
        r = subprocess.run(["make", "test"], cwd=REPO, capture_output=True, text=True)
        t = time.perf_counter() - t0
        last = [ln for ln in r.stdout.splitlines() if " passed" in ln or " failed" in ln][-1:]
        row(f"make test on {os.cpu_count()} cores", f"{t:.0f} s ({last[0].strip('= ') if last else 'no summary'})",
            "< 300 s, same tests")
    print("\n| what | figure | target | floor |\n|---|---|---|---|")
    for what, figure, target, floor in ROWS:
        print(f"| {what} | {figure} | {target} | {floor} |")


def _timed_with_peak(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one command, read from its own rusage (os.wait4)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    if status:
        raise RuntimeError(proc.stderr.read().decode()[-2000:])
    return seconds, usage.ru_maxrss / 1024


def install_row() -> None:
    """`make install` in a fresh copy of the repo with no package cache, then the demo to its first page."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "repo"
        copy.mkdir()
        archive = subprocess.run(["git", "archive", "HEAD"], cwd=REPO, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(copy)], input=archive, check=True)
        env = {**os.environ, "UV_NO_CACHE": "1", "PIP_NO_CACHE_DIR": "1"}
        t0 = time.perf_counter()
        subprocess.run(["make", "install"], cwd=copy, env=env, check=True, capture_output=True)
        t_install = time.perf_counter() - t0
        import socket
        import urllib.request

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = subprocess.Popen([str(copy / ".venv/bin/studyapp"), "demo", "--port", str(port)], cwd=copy,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            while True:
                try:
                    if urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).status == 200:
                        break
                except OSError:
                    time.sleep(0.2)
                if time.perf_counter() - t0 > 600:
                    raise RuntimeError("the demo did not come up")
        finally:
            import signal

            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        total = time.perf_counter() - t0
        row("make run on a fresh machine (venv, install, demo build, the app answering)", f"{total:.0f} s",
            "< 60 s", f"install {t_install:.0f} s, demo build and serving {total - t_install:.0f} s")


if __name__ == "__main__":
    main()
