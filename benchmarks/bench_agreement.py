"""Agreement at study scale: 5 coders x 100,000 units, nominal field with 10 codes.

Prints, in one run: the time of Krippendorff's alpha from the study store end to end
(`services.agreement.field_alpha`: the coincidence pairs the store keeps -> alpha, V x V numbers),
the raw `krippendorff.alpha` call on the prepared coders x units matrix, and their ratio (target,
issue 16: at most 1.0x the raw call); also the counted path (a subset of coders: SQL counts per
unit), the full `field_agreement` (every statistic, no bootstrap) and reading the matrix. Building
the study is setup (the annotation triggers keep the counts and pairs) and is timed separately.
Run: python benchmarks/bench_agreement.py [--units N]
"""

from __future__ import annotations

import argparse
import tempfile
import textwrap
import time
from pathlib import Path

import krippendorff
import numpy as np

from studyapp.services.agreement.fields import field_agreement, field_alpha
from studyapp.services.agreement.reliability_data import reliability_data
from studyapp.services.study.study import init_study

CODES = [f"c{i}" for i in range(10)]
CODEBOOK = textwrap.dedent("""\
    id: bench
    title: Benchmark
    version: "1"
    kind: any
    fields:
      - id: label
        type: nominal
        codes:
    """) + "".join(f"      - {{id: {c}}}\n" for c in CODES)


def build(folder: Path, n_units: int, n_coders: int = 5, seed: int = 0):
    cb = folder.parent / "bench.yaml"
    cb.write_text(CODEBOOK)
    store = init_study(folder, codebooks=[cb])
    coders = [f"coder{i}" for i in range(n_coders)]
    for c in coders:
        store.coders.add(c)
    ids = store.units.add_many([{"kind": "defect", "key": f"u{i}", "title": ""} for i in range(n_units)])
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 10, n_units)
    m = np.where(rng.random((n_coders, n_units)) < 0.7, truth, rng.integers(0, 10, (n_coders, n_units)))
    rows = ({"unit_id": uid, "codebook": "bench", "field": "label", "coder": c, "round": "main",
             "value": CODES[m[i, j]], "value_num": None, "codebook_version": 1, "note": None}
            for i, c in enumerate(coders) for j, uid in enumerate(ids))
    store.annotations.set_many(rows, actor="bench")
    return store


def best(fn, repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        store = build(Path(tmp) / "study", args.units)
        print(f"setup: {args.units:,} units x 5 coders = {store.annotations.count():,} annotations written "
              f"in {time.perf_counter() - t0:.1f} s")
        t_read, data = best(lambda: reliability_data(store, "bench", "label"))
        matrix = data.matrix
        domain = np.arange(len(data.categories), dtype=float)
        t_raw, raw = best(lambda: krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal",
                                                    value_domain=domain))
        t_e2e, fast = best(lambda: field_alpha(store, "bench", "label"))
        coders = [f"coder{i}" for i in range(5)]
        t_counted, counted = best(lambda: field_alpha(store, "bench", "label", coders=coders))
        t_full, full = best(lambda: field_agreement(store, "bench", "label", n_boot=0), repeat=1)
        assert abs(fast.value - raw) < 1e-9 and abs(full.stat("krippendorff_alpha").value - raw) < 1e-9
        assert abs(counted.value - raw) < 1e-9
        print(f"alpha = {raw:.4f}")
        print(f"raw krippendorff.alpha on the prepared 5 x {args.units:,} matrix: {t_raw:.3f} s")
        print(f"alpha from the study store, end to end (field_alpha):      {t_e2e:.3f} s")
        print(f"ratio end-to-end / raw: {t_e2e / t_raw:.2f}x (target <= 1.0x)")
        print(f"alpha counted per unit in SQL (a subset of coders):        {t_counted:.3f} s"
              f" = {t_counted / t_raw:.2f}x")
        print(f"reading the coders x units matrix (reliability_data):       {t_read:.3f} s")
        print(f"every statistic, no bootstrap (field_agreement):            {t_full:.3f} s")
        store.close()


if __name__ == "__main__":
    main()
