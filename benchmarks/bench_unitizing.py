"""Time Krippendorff's unitizing alphas on a realistic interview study and print ratios to a floor.

The study: 3 coders, 20 transcripts of 20,000 characters, about 300 spans per coder and
transcript (18,000 spans), 30 codes; coders move boundaries by a few characters, skip 10% of the
quotes and pick another code for 20%. The floor is what any span statistic has to do at least:
sort every span boundary of every coder (numpy argsort of 36,000 offsets). Rows: the family's
point estimates (u, |u, cu, (k)u and per-code binary for all 30 codes), the same with 1,000
bootstrap resamples of regions, and the 1995/2004 per-code alpha.
Run: python benchmarks/bench_unitizing.py
"""

from __future__ import annotations

import time

import numpy as np

from studyapp.stats.unitizing import krippendorff_2004_u_alpha, unitizing_agreement

CODERS, TRANSCRIPTS, LENGTH, SPANS, CODES = 3, 20, 20_000, 300, 30


def study(seed: int = 0) -> tuple[list[tuple], dict[str, int]]:
    rng = np.random.default_rng(seed)
    rows, lengths = [], {}
    for t in range(TRANSCRIPTS):
        key = f"transcript-{t:02d}"
        lengths[key] = LENGTH
        cuts = np.sort(rng.choice(np.arange(1, LENGTH), 2 * SPANS, replace=False))
        truth = list(zip(cuts[::2], cuts[1::2], rng.integers(0, CODES, SPANS)))
        for coder in range(CODERS):
            for s, e, code in truth:
                if rng.random() < 0.10:
                    continue
                s2 = int(min(s + rng.integers(0, 6), e - 1))
                e2 = int(max(e - rng.integers(0, 6), s2 + 1))
                code2 = int(code) if rng.random() < 0.8 else int(rng.integers(0, CODES))
                rows.append((key, f"coder-{coder}", s2, e2, f"code-{code2:02d}"))
    return rows, lengths


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    rows, lengths = study()
    bounds = np.array([b for r in rows for b in (r[2], r[3])])
    floor, _ = best_of(lambda: np.argsort(bounds, kind="stable"), repeat=20)
    print(f"{CODERS} coders, {TRANSCRIPTS} transcripts x {LENGTH:,} characters, {len(rows):,} spans, {CODES} codes")
    print(f"{'floor: argsort of ' + format(len(bounds), ',') + ' span boundaries':<52} {floor * 1e3:9.2f} ms   1x")
    cases = [
        ("family point estimates (n_boot=0)", lambda: unitizing_agreement(rows, lengths, n_boot=0)),
        ("family + 1,000 region resamples", lambda: unitizing_agreement(rows, lengths, n_boot=1000)),
        ("1995/2004 per-code alpha", lambda: krippendorff_2004_u_alpha(rows, lengths)),
    ]
    for label, fn in cases:
        dt, r = best_of(fn, repeat=1 if "resamples" in label else 3)
        print(f"{label:<52} {dt * 1e3:9.2f} ms   {dt / floor:,.0f}x")
        if hasattr(r, "u_alpha"):
            print(f"    u {r.u_alpha.value:.3f} {r.u_alpha.ci or ''}  |u {r.binary.value:.3f}  "
                  f"cu {r.cu_alpha.value:.3f}  coverage {r.coverage:.2f}")
        else:
            print(f"    alpha {r.alpha.value:.3f}")


if __name__ == "__main__":
    main()
