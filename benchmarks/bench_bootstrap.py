"""Time the unit-resampling bootstrap of Krippendorff's alpha at study scale and print the figure.

1,000 resamples of nominal alpha on 10,000 units x 5 coders x 10 codes (about 10% missing values)
must take under 5 s; the other rows show the ordinal level, MASI-free kappa bootstraps and the
KALPHA algorithm for comparison. Run: python benchmarks/bench_bootstrap.py
"""

from __future__ import annotations

import time

import numpy as np

from studyapp import stats


def reliability_data(n_units: int = 10_000, n_coders: int = 5, n_codes: int = 10, seed: int = 0) -> np.ndarray:
    """Coders who agree with a true code 70% of the time, with 10% of values missing."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_codes, n_units)
    m = np.where(rng.random((n_coders, n_units)) < 0.7, truth, rng.integers(0, n_codes, (n_coders, n_units)))
    m = m.astype(float)
    m[rng.random(m.shape) < 0.1] = np.nan
    return m


def timed(label: str, fn) -> float:
    t0 = time.perf_counter()
    result = fn()
    dt = time.perf_counter() - t0
    print(f"{label:<58} {dt:6.2f} s   {result}")
    return dt


def main() -> None:
    m = reliability_data()
    cats = list(range(10))
    print("10,000 units x 5 coders x 10 codes, 1,000 resamples, seed 0")
    timed("krippendorff_alpha point estimate", lambda: round(stats.krippendorff_alpha(m, categories=cats).value, 4))
    dt = timed("bootstrap_ci alpha nominal (unit resampling)",
               lambda: stats.bootstrap_ci(m, "krippendorff_alpha", categories=cats, n_boot=1000).interval)
    timed("bootstrap_ci alpha ordinal (unit resampling)",
          lambda: stats.bootstrap_ci(m, "krippendorff_alpha", level="ordinal", categories=cats,
                                     n_boot=1000).interval)
    timed("bootstrap_ci fleiss_kappa (unit resampling)",
          lambda: stats.bootstrap_ci(m, "fleiss_kappa", categories=cats, n_boot=1000).interval)
    timed("bootstrap_ci cohen_kappa, coders 1-2 (unit resampling)",
          lambda: stats.bootstrap_ci(m[:2], "cohen_kappa", categories=cats, n_boot=1000).interval)
    timed("kalpha_bootstrap_ci alpha nominal (Krippendorff 2006)",
          lambda: stats.kalpha_bootstrap_ci(m, categories=cats, n_boot=1000).interval)
    timed("summarize (all statistics + CIs)",
          lambda: len(stats.summarize(m, categories=[f"c{i}" for i in cats]).stats)
          if hasattr(stats, "summarize") else "n/a")
    print(f"\nalpha bootstrap: {dt:.2f} s for 1,000 resamples (budget 5 s): {'OK' if dt < 5 else 'TOO SLOW'}")


if __name__ == "__main__":
    main()
