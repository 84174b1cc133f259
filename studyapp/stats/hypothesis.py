"""Hypothesis tests for claim validation: arrays in, a frozen `TestResult` out.

Wrappers over pingouin (imported lazily: it takes about 2 s) and scipy (Pearson, binomial, chi-square), so that every test reports
the same fields: statistic, p-value, effect size with its name, a 95% interval, n, and, when the
data cannot carry the test (too few values, no variance, an empty group), `undefined_reason` in
words with every number None; never NaN, never a made-up 0 or 1.

Tests
    correlation(x, y, method="spearman"|"kendall"|"pearson", alternative)  effect: r / rho / tau,
        CI by Fisher's z (Pearson; Bonett-Wright for Spearman, Fieller for Kendall)
    welch_t(a, b, alternative)          Welch's unequal-variance t; effect Cohen's d (a - b, pooled SD)
        with its 95% CI
    mann_whitney(a, b, alternative)     effect: rank-biserial correlation (no closed-form CI: None)
    proportion(successes, trials, p0, alternative)   exact binomial test; effect: the observed share,
        Clopper-Pearson CI
    chi_square(table)                   independence in an r x c table; effect: Cramer's V
    descriptive(value, n)               no test: the value itself, for count/threshold rules
    holm(results)                       Holm-adjusted p-values across one claim's tests

`alternative` is "two-sided", "greater" (a > b, or a positive association) or "less".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

import numpy as np

ALTERNATIVES = ("two-sided", "greater", "less")


@dataclass(frozen=True)
class TestResult:
    """One test. `p_adjusted` is set by `holm` when a claim has several tests."""
    __test__ = False  # not a pytest class

    test: str
    label: str
    statistic: float | None
    p_value: float | None
    effect_size: float | None
    effect_name: str | None
    ci95: tuple[float, float] | None
    n: int
    alternative: str = "two-sided"
    undefined_reason: str | None = None
    p_adjusted: float | None = None
    details: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def defined(self) -> bool:
        return self.undefined_reason is None

    @property
    def p(self) -> float | None:
        """The p-value to decide on: Holm-adjusted when there are several tests."""
        return self.p_adjusted if self.p_adjusted is not None else self.p_value

    def to_dict(self) -> dict:
        return {"test": self.test, "label": self.label, "statistic": self.statistic, "p_value": self.p_value,
                "p_adjusted": self.p_adjusted, "effect_size": self.effect_size, "effect_name": self.effect_name,
                "ci95": list(self.ci95) if self.ci95 else None, "n": self.n, "alternative": self.alternative,
                "undefined_reason": self.undefined_reason, "details": dict(self.details)}


def _f(x: Any) -> float | None:
    """A finite float, or None."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _clean(a: Sequence) -> np.ndarray:
    arr = np.asarray(a, dtype=float).ravel()
    return arr[np.isfinite(arr)]


def _undefined(test: str, label: str, n: int, reason: str, alternative: str = "two-sided", **details) -> TestResult:
    return TestResult(test, label, None, None, None, None, None, n, alternative, reason, details=details)


def _check_alt(alternative: str) -> None:
    if alternative not in ALTERNATIVES:
        raise ValueError(f"alternative must be one of {', '.join(ALTERNATIVES)}, not {alternative!r}")


def _alt_label(alternative: str) -> str:
    return "two-sided" if alternative == "two-sided" else f"one-sided, {alternative}"


def _pick(row: Mapping, *keys: str) -> Any:
    for k in keys:
        if k in row:
            return row[k]
    return None


def correlation(x: Sequence, y: Sequence, *, method: str = "spearman", alternative: str = "two-sided") -> TestResult:
    """Correlation of paired values (pairs with a missing side are dropped)."""
    _check_alt(alternative)
    if method not in ("spearman", "kendall", "pearson"):
        raise ValueError(f"method must be spearman, kendall or pearson, not {method!r}")
    xa, ya = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    if xa.size != ya.size:
        raise ValueError(f"x and y differ in length ({xa.size} vs {ya.size})")
    ok = np.isfinite(xa) & np.isfinite(ya)
    xa, ya = xa[ok], ya[ok]
    n = int(xa.size)
    name = {"spearman": "rho", "kendall": "tau", "pearson": "r"}[method]
    label = f"{method.capitalize()} correlation ({_alt_label(alternative)})"
    if n < 4:
        return _undefined(method, label, n, f"{n} pair(s): a correlation test needs at least 4", alternative)
    for side, arr in (("x", xa), ("y", ya)):
        if np.ptp(arr) == 0:
            return _undefined(method, label, n, f"every {side} value is {arr[0]:g}: no variance, so the "
                              "correlation is 0/0", alternative)
    if method == "pearson":
        # pingouin's Pearson also computes a Bayes factor that needs mpmath; scipy gives the same r and p.
        from scipy.stats import pearsonr

        res = pearsonr(xa, ya, alternative=alternative)
        row = {"r": res.statistic, "p_val": res.pvalue}
    else:
        import pingouin as pg

        row = pg.corr(xa, ya, method=method, alternative=alternative).iloc[0].to_dict()
    r = _f(row["r"])
    if r is None:
        return _undefined(method, label, n, "the correlation is undefined for these values", alternative)
    return TestResult(method, label, r, _f(_pick(row, "p_val", "p-val")), r, name, _corr_ci(r, n, method), n,
                      alternative)


def _corr_ci(r: float, n: int, method: str) -> tuple[float, float] | None:
    if n < 5 or abs(r) >= 1:
        return None
    se = {"pearson": 1 / math.sqrt(n - 3), "spearman": math.sqrt((1 + r * r / 2) / (n - 3)),
          "kendall": math.sqrt(0.437 / (n - 4))}[method]
    z = math.atanh(r)
    return (math.tanh(z - 1.959964 * se), math.tanh(z + 1.959964 * se))


def _two_groups(a: Sequence, b: Sequence, test: str, label: str, alternative: str, need: int):
    aa, bb = _clean(a), _clean(b)
    n = int(aa.size + bb.size)
    if aa.size < need or bb.size < need:
        return aa, bb, _undefined(test, label, n, f"groups of {aa.size} and {bb.size} values: the test needs at "
                                  f"least {need} in each", alternative, n_a=int(aa.size), n_b=int(bb.size))
    return aa, bb, None


def welch_t(a: Sequence, b: Sequence, *, alternative: str = "two-sided") -> TestResult:
    """Welch's t-test of mean(a) vs mean(b); Cohen's d = (mean a - mean b) / pooled SD, with its 95% CI."""
    _check_alt(alternative)
    label = f"Welch t-test ({_alt_label(alternative)})"
    aa, bb, bad = _two_groups(a, b, "welch_t", label, alternative, 2)
    if bad:
        return bad
    details = {"n_a": int(aa.size), "n_b": int(bb.size), "mean_a": float(aa.mean()), "mean_b": float(bb.mean())}
    if np.ptp(aa) == 0 and np.ptp(bb) == 0:
        return _undefined("welch_t", label, int(aa.size + bb.size), "both groups have no variance: t is 0/0",
                          alternative, **details)
    import pingouin as pg

    row = pg.ttest(aa, bb, correction=True, alternative=alternative).iloc[0].to_dict()
    d = _f(pg.compute_effsize(aa, bb, eftype="cohen"))
    ci = None
    if d is not None:
        lo, hi = pg.compute_esci(stat=d, nx=aa.size, ny=bb.size, eftype="cohen", decimals=10)
        ci = (_f(lo), _f(hi)) if _f(lo) is not None and _f(hi) is not None else None
    details["dof"] = _f(row.get("dof"))
    return TestResult("welch_t", label, _f(row.get("T")), _f(_pick(row, "p_val", "p-val")), d, "cohen_d", ci,
                      int(aa.size + bb.size), alternative, details=details)


def mann_whitney(a: Sequence, b: Sequence, *, alternative: str = "two-sided") -> TestResult:
    """Mann-Whitney U of a vs b; effect: rank-biserial correlation (positive when a tends to be larger)."""
    _check_alt(alternative)
    label = f"Mann-Whitney U ({_alt_label(alternative)})"
    aa, bb, bad = _two_groups(a, b, "mann_whitney", label, alternative, 1)
    if bad:
        return bad
    details = {"n_a": int(aa.size), "n_b": int(bb.size), "median_a": float(np.median(aa)),
               "median_b": float(np.median(bb))}
    if np.ptp(np.concatenate([aa, bb])) == 0:
        return _undefined("mann_whitney", label, int(aa.size + bb.size), "every value is the same: there is no "
                          "ranking to compare", alternative, **details)
    import pingouin as pg

    row = pg.mwu(aa, bb, alternative=alternative).iloc[0].to_dict()
    u = _f(_pick(row, "U_val", "U-val"))
    # Signed so that a > b gives a positive value, whatever pingouin's convention.
    rbc = None if u is None else 1.0 - 2.0 * (aa.size * bb.size - u) / (aa.size * bb.size)
    details["cles"] = _f(row.get("CLES"))
    return TestResult("mann_whitney", label, u, _f(_pick(row, "p_val", "p-val")), rbc, "rank_biserial", None,
                      int(aa.size + bb.size), alternative, details=details)


def proportion(successes: int, trials: int, *, p0: float = 0.5, alternative: str = "two-sided") -> TestResult:
    """Exact binomial test of successes/trials against p0; effect: the observed share (Clopper-Pearson CI)."""
    _check_alt(alternative)
    label = f"Binomial test against {p0:g} ({_alt_label(alternative)})"
    k, n = int(successes), int(trials)
    if n <= 0:
        return _undefined("proportion", label, 0, "no trials: a share of nothing is undefined", alternative)
    if not 0 <= k <= n:
        raise ValueError(f"successes ({k}) must be between 0 and trials ({n})")
    if not 0 < p0 < 1:
        raise ValueError(f"p0 must be strictly between 0 and 1, not {p0}")
    from scipy.stats import binomtest

    res = binomtest(k, n, p0, alternative=alternative)
    ci = binomtest(k, n, p0).proportion_ci(confidence_level=0.95, method="exact")  # two-sided, whatever the test
    return TestResult("proportion", label, k / n, _f(res.pvalue), k / n, "proportion",
                      (_f(ci.low), _f(ci.high)), n, alternative, details={"successes": k, "trials": n, "p0": p0})


def chi_square(table: Sequence[Sequence[float]]) -> TestResult:
    """Chi-square test of independence in an r x c table of counts; effect: Cramer's V."""
    label = "Chi-square test of independence"
    t = np.asarray(table, dtype=float)
    n = int(t.sum()) if t.size else 0
    if t.ndim != 2 or min(t.shape) < 2:
        return _undefined("chi_square", label, n, "the table needs at least 2 rows and 2 columns")
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    if min(t.shape) < 2:
        return _undefined("chi_square", label, n, "after dropping empty rows and columns fewer than 2 remain: "
                          "there is nothing to compare")
    from scipy.stats import chi2_contingency

    chi2, p, dof, expected = chi2_contingency(t, correction=False)
    v = math.sqrt(chi2 / (n * (min(t.shape) - 1)))
    details = {"dof": int(dof), "min_expected": float(expected.min())}
    if expected.min() < 5:
        details["warning"] = "some expected counts are below 5: the chi-square approximation is rough"
    return TestResult("chi_square", label, _f(chi2), _f(p), v, "cramers_v", None, n, "two-sided", details=details)


def descriptive(value: float | None, n: int = 0, *, reason: str | None = None) -> TestResult:
    """No test: the metric's value is compared with the rule as it is (counts, shares, thresholds)."""
    v = _f(value)
    if v is None and reason is None:
        reason = "the metric has no value"
    return TestResult("none", "No test (the value is compared with the rule)", v, None, None, None, None, int(n),
                      "two-sided", reason)


def holm(results: Sequence[TestResult]) -> list[TestResult]:
    """Holm-adjusted p-values across `results` (those without a p-value are left as they are)."""
    idx = [i for i, r in enumerate(results) if r.p_value is not None]
    out = list(results)
    if len(idx) < 2:
        return out
    order = sorted(idx, key=lambda i: results[i].p_value)
    m, running = len(order), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * results[i].p_value))
        out[i] = replace(results[i], p_adjusted=running)
    return out


TESTS = {
    "spearman": "x, y", "kendall": "x, y", "pearson": "x, y",
    "welch_t": "a, b", "mann_whitney": "a, b",
    "proportion": "successes, trials", "chi_square": "table", "none": "value",
}
