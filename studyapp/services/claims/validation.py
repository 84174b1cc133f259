"""Validate claims: for each claim, compute its metric(s), run the test(s), apply the decision rule.

`validate(claims, dataset=..., store=..., base_dir=...)` returns one `ClaimOutcome` per claim: the
verdict and its reason, and per check the metric result (value, table, exact queries), the test
result and the check's own verdict. A claim's tests are Holm-corrected together (unless it says
`correction: none`). A metric that cannot run (a table the dataset lacks, a codebook the study lacks)
makes that check inconclusive with the reason; it never stops the other claims.

`ClaimOutcome.to_json()` is the record `studyapp validate` prints; `record()` is what the study
keeps (via `store.claims.record_validation`) so the Claims page shows the last evidence without
recomputing. Codings are read through the store (`coding_table`), keeping blind coding: a coder who
is not a lead counts only finals, their own values and rounds whose reconciliation is open.
"""

from __future__ import annotations

import time
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from studyapp.datasets.metrics import METRICS, MetricResult
from studyapp.datasets.metrics import turnover as turnover_metrics
from studyapp.datasets.metrics.codings import CodingTable
from studyapp.datasets.sandbox import Dataset, DatasetError, open_dataset
from studyapp.errors import InvalidInput, NotFound, StudyError
from studyapp.files import check_input_size
from studyapp.services.claims.claims_file import Check, checks_of, snapshot_path_problem, snapshot_sources
from studyapp.services.claims.verdicts import (
    INCONCLUSIVE,
    Verdict,
    combine,
    decide,
    namespace,
)
from studyapp.stats import hypothesis as h
from studyapp.store import Store

Progress = Callable[[int, int, str], None]
CHART_ROWS = 500


@dataclass
class CheckOutcome:
    check: Check
    metric: MetricResult | None
    test: h.TestResult | None
    verdict: Verdict
    error: str | None = None
    seconds: float = 0.0


@dataclass
class ClaimOutcome:
    claim_id: str
    text: str
    type: str
    sources: list[dict]
    checks: list[CheckOutcome]
    verdict: Verdict
    dataset: str | None = None
    seconds: float = 0.0
    spec: dict = field(default_factory=dict)

    @property
    def decisive(self) -> CheckOutcome | None:
        """The check the one-line record reports: the first that fails the claim's verdict, else the weakest."""
        if not self.checks:
            return None
        same = [c for c in self.checks if c.verdict.verdict == self.verdict.verdict] or self.checks
        tested = [c for c in same if c.test is not None and c.test.p is not None]
        return max(tested, key=lambda c: c.test.p) if tested else same[0]

    def to_json(self) -> dict:
        """The `studyapp validate` record: exactly the documented keys."""
        c = self.decisive
        m, t = (c.metric, c.test) if c else (None, None)
        return {"claim": self.claim_id, "metric": c.check.metric if c else None,
                "value": _num(m.value) if m else None, "test": t.test if t else (c.check.test if c else None),
                "statistic": _num(t.statistic) if t else None, "p_value": _num(t.p) if t else None,
                "effect_size": _num(t.effect_size) if t else None,
                "ci95": [_num(t.ci95[0]), _num(t.ci95[1])] if t and t.ci95 else None,
                "n": int(t.n if t else (m.n if m else 0)), "verdict": self.verdict.verdict,
                "reason": self.verdict.reason}

    def record(self) -> dict:
        """What the study keeps of this validation (numbers, queries, a chart sample; no full tables)."""
        return {**self.to_json(), "claim_text": self.text, "dataset": self.dataset, "seconds": self.seconds,
                "spec": self.spec,
                "checks": [_check_record(c) for c in self.checks]}


def _num(x):
    if x is None:
        return None
    if isinstance(x, (np.integer, int)) and not isinstance(x, bool):
        return int(x)
    x = float(x)
    return x if np.isfinite(x) else None


def _chart_rows(m: MetricResult) -> list[dict]:
    df = m.table
    if len(df) > CHART_ROWS:
        df = df.sample(CHART_ROWS, random_state=0) if m.chart.get("kind") in ("scatter", "box") else df.head(CHART_ROWS)
    return df.replace({np.nan: None}).to_dict("records")


def _check_record(c: CheckOutcome) -> dict:
    m = c.metric
    return {"label": c.check.label, "metric": c.check.metric, "params": c.check.params, "test": c.check.test,
            "alternative": c.check.alternative, "rule": c.check.rule, "refute": c.check.refute,
            "verdict": c.verdict.verdict, "reason": c.verdict.reason, "error": c.error, "seconds": c.seconds,
            "value": _num(m.value) if m else None, "label_value": m.label if m else None,
            "extras": {k: _num(v) if not isinstance(v, (str, list)) else v for k, v in (m.extras if m else {}).items()},
            "notes": m.notes if m else [], "queries": [q.to_dict() for q in m.queries] if m else [],
            "chart": m.chart if m else {}, "rows": _chart_rows(m) if m else [], "total_rows": len(m.table) if m else 0,
            "test_result": c.test.to_dict() if c.test else None}


# -- running one check ---------------------------------------------------------------------------
def run_test(check: Check, m: MetricResult) -> h.TestResult:
    """The check's test on the metric's data (an undefined result when the metric has no value)."""
    d, t, alt = m.data, check.test, check.alternative
    if t == "none":
        return h.descriptive(m.value, m.n, reason=None if m.value is not None else "; ".join(m.notes) or None)
    if t in ("spearman", "kendall", "pearson"):
        return h.correlation(d.get("x", []), d.get("y", []), method=t, alternative=alt)
    if t == "welch_t":
        return h.welch_t(d.get("a", []), d.get("b", []), alternative=alt)
    if t == "mann_whitney":
        return h.mann_whitney(d.get("a", []), d.get("b", []), alternative=alt)
    if t == "proportion":
        p0 = check.params.get("p0", d.get("p0")) or 0.5
        return h.proportion(d.get("successes", 0), d.get("trials", 0), p0=float(p0), alternative=alt)
    if t == "chi_square":
        return h.chi_square(d.get("table", []))
    raise InvalidInput(f"unknown test {t!r}")


def _dataset_path(spec: str | None, base: Path | None) -> Path | None:
    if not spec:
        return None
    p = Path(spec)
    return p if p.is_absolute() or base is None else base / p


def _require_file(path: Path, what: str) -> None:
    """A dataset named by the user that is not there stops validation: recording every claim as
    inconclusive because of a typo would look like evidence."""
    if not path.is_file():
        raise DatasetError(f"no such dataset file ({what}); nothing was validated or recorded", path=str(path))


def snapshot_files(source, base: Path | None) -> list[Path]:
    """The snapshot files a turnover check names, each inside `base` (the study's or the claims
    file's folder): a path out of it (absolute, `..`, a symlink out), the study database or a hidden
    file is refused without being opened, so a claim cannot make the server read or show any file."""
    problem = snapshot_path_problem(source)
    if problem:
        raise InvalidInput(problem)
    if source in (None, "dataset"):
        return []
    root = (base or Path.cwd()).resolve()
    out = []
    for f in [source] if isinstance(source, str) else source:
        real = (root / f).resolve()
        if not real.is_relative_to(root) or _hidden_or_db(real.relative_to(root)):
            raise InvalidInput(f"snapshot {f!r} leads out of the study folder (a symlink?): snapshots are files "
                               "of the study folder")
        out.append(check_input_size(real, what="a snapshot file"))
    return out


def _hidden_or_db(rel: Path) -> bool:
    return any(p.startswith(".") for p in rel.parts) or rel.name.startswith(Store.db_path(".").name)


def compute_metric(check: Check, *, dataset: Dataset | None, store: Store | None, base: Path | None,
                   viewer: str | None = None) -> MetricResult:
    """Run the check's metric on its source with the claim's parameters."""
    metric = METRICS[check.metric]
    params = {**metric.defaults(), **check.params}
    start = time.perf_counter()
    if metric.source == "dataset":
        if dataset is None:
            raise StudyError(f"metric {check.metric!r} needs a dataset: give --dataset (or set the study's dataset)")
        args = {k: v for k, v in params.items() if k in metric.params}
        result = metric.fn(dataset, **args)
    elif metric.source == "snapshots":
        k = int(params["k"])
        runs: list = []
        for src in snapshot_sources(check.metric, params):
            snapshot_files(src, base)
        if check.metric == "turnover":
            regs = {str(params["registry"]): turnover_metrics.load(params["snapshots"], k=k, dataset=dataset,
                                                                 base=base, runs=runs)}
        else:
            if not isinstance(params.get("registries"), dict) or len(params["registries"]) < 2:
                raise InvalidInput("turnover_compare needs params.registries: at least two labels, each "
                                   '"dataset" or a list of snapshot files')
            regs = {str(label): turnover_metrics.load(src, k=k, dataset=dataset, base=base, runs=runs)
                    for label, src in params["registries"].items()}
        result = metric.fn(regs, k=k)
        result.queries = runs + result.queries
    else:
        if store is None:
            raise StudyError(f"metric {check.metric!r} counts the study's codings: validate inside a study")
        table, match = coding_table(store, params["codebook"], params["field"], params["code"],
                                    among=params.get("among"), values=params.get("values") or "agreed", viewer=viewer)
        result = metric.fn(table, code=params["code"], match=match, of=params.get("of") or "units",
                           denominator=params.get("denominator"), p0=float(params.get("p0") or 0.5))
    result.seconds = time.perf_counter() - start
    return result


# -- claims ------------------------------------------------------------------------------------
def validate(claims: Sequence[dict], *, dataset: str | Path | None = None, store: Store | None = None,
             base: Path | None = None, viewer: str | None = None, progress: Progress | None = None,
             time_limit: float | None = None) -> list[ClaimOutcome]:
    """Validate claims ({id, text, type, data}); datasets are opened read-only, once each."""
    specs = [(c, checks_of(c)) for c in claims]
    if dataset is not None:
        _require_file(Path(dataset), "--dataset, or the study's dataset")
    for c, cs in specs:
        p = _dataset_path(c["data"].get("dataset"), base)
        if p is not None and any(METRICS[k.metric].source != "codings" for k in cs):
            _require_file(p, f"the dataset claim {c['id']} names")
    total = sum(max(1, len(cs)) for _, cs in specs)
    done = 0
    outcomes = []
    with ExitStack() as stack:
        opened: dict[Path, Dataset] = {}

        def ds_for(c: dict) -> Dataset | None:
            p = _dataset_path(c["data"].get("dataset"), base) or (Path(dataset) if dataset else None)
            if p is None:
                return None
            if p not in opened:
                kw = {"time_limit": time_limit} if time_limit else {}
                opened[p] = stack.enter_context(open_dataset(p, **kw))
            return opened[p]

        for claim, checks in specs:
            start = time.perf_counter()
            results: list[CheckOutcome] = []
            for check in checks:
                if progress:
                    progress(done, total, f"{claim['id']}: {check.label}")
                results.append(_run_check(check, claim, ds_for, store, base, viewer))
                done += 1
            if not checks:
                done += 1
            outcomes.append(_conclude(claim, results, ds_for, time.perf_counter() - start, base))
    if progress:
        progress(total, total, "done")
    return outcomes


def _run_check(check: Check, claim: dict, ds_for, store, base, viewer) -> CheckOutcome:
    start = time.perf_counter()
    try:
        ds = ds_for(claim) if METRICS[check.metric].source != "codings" else None
        m = compute_metric(check, dataset=ds, store=store, base=base, viewer=viewer)
        t = run_test(check, m)
        return CheckOutcome(check, m, t, Verdict(INCONCLUSIVE, "pending"), None, time.perf_counter() - start)
    except (StudyError, ValueError, OSError, EOFError, zipfile.BadZipFile) as e:  # bad data: this check only
        return CheckOutcome(check, None, None, Verdict(INCONCLUSIVE, f"the metric could not be computed: {e}"),
                            str(e), time.perf_counter() - start)


def _conclude(claim: dict, results: list[CheckOutcome], ds_for, seconds: float,
              base: Path | None = None) -> ClaimOutcome:
    d = claim["data"]
    ran = [r for r in results if r.test is not None]
    if len(ran) > 1 and d.get("correction", "holm") == "holm":
        adjusted = h.holm([r.test for r in ran])
        for r, t in zip(ran, adjusted):
            r.test = t
    for r in ran:
        ns = namespace(r.metric.value, r.metric.extras, r.test)
        why = r.test.undefined_reason or ("; ".join(r.metric.notes) if r.metric.value is None else None)
        r.verdict = decide(r.check.rule, ns, refute=r.check.refute, undefined_reason=why)
    if results:
        verdict = combine([r.verdict for r in results], d.get("require", "all"), [r.check.label for r in results])
    else:
        verdict = Verdict(INCONCLUSIVE, "no metric is linked to this claim, so it has no quantitative check")
    try:
        ds = ds_for(claim) if any(METRICS[r.check.metric].source != "codings" for r in results) else None
    except StudyError:
        ds = None
    spec = {k: d.get(k) for k in ("metric", "params", "test", "alternative", "rule", "refute", "checks", "require",
                                  "correction", "dataset") if d.get(k) is not None}
    return ClaimOutcome(claim["id"], claim["text"], claim.get("type", "quantitative"), list(d.get("sources") or []),
                        results, verdict, dataset_name(ds.path, base) if ds else None, seconds, spec)


def dataset_name(path: Path, base: Path | None) -> str:
    """How a record names its dataset: relative to the study (or claims file) folder when inside
    it, else the file's name: never a machine's absolute path (a build's temporary folder, a home)."""
    path = Path(path)
    if base is not None:
        try:
            return Path(path).resolve().relative_to(Path(base).resolve()).as_posix()
        except ValueError:
            pass
    return path.name


def validate_study(store: Store, *, dataset: str | Path | None = None, claims_file: str | Path | None = None,
                   viewer: str | None = None, progress: Progress | None = None, record: bool = True,
                   actor: str | None = None, ids: Sequence[str] | None = None) -> list[ClaimOutcome]:
    """Validate a study's claims (or a claims file's, read against the study's codings) on `dataset`
    (default: the study's `dataset` meta, relative to the study folder); records the outcomes."""
    from studyapp.services.claims.claims_file import read_claims_file

    if claims_file:
        cf = read_claims_file(claims_file)
        claims, base = cf.claims, cf.path.parent
        dataset = dataset or (_dataset_path(cf.dataset, base) if cf.dataset else None)
    else:
        claims, base = store.claims.list(), store.folder
    if ids:
        missing = sorted(set(ids) - {c["id"] for c in claims})
        if missing:
            raise NotFound(f"no claim {missing[0]!r}")
        claims = [c for c in claims if c["id"] in set(ids)]
    dataset = dataset or _dataset_path(store.meta("dataset"), store.folder)
    outcomes = validate(claims, dataset=dataset, store=store, base=base, viewer=viewer, progress=progress)
    if record and not claims_file:
        with store.transaction():
            for o in outcomes:
                store.claims.record_validation(o.claim_id, o.record(), actor=actor or viewer)
    return outcomes


def latest(store: Store) -> dict[str, dict]:
    """The last recorded validation of each claim: {claim id: record (with `at` and `by`)}."""
    return store.claims.latest_validations()


def evidence_table(store: Store) -> pd.DataFrame:
    """The evidence table: every claim with its last verdict, metric, test and numbers."""
    last = latest(store)
    rows = []
    for c in store.claims.list():
        r = last.get(c["id"], {})
        rows.append({"claim": c["id"], "text": c["text"], "verdict": r.get("verdict", "not validated"),
                     "metric": r.get("metric") or c["data"].get("metric") or ("checks" if c["data"].get("checks")
                                                                              else None),
                     "value": r.get("value"), "test": r.get("test"), "statistic": r.get("statistic"),
                     "p_value": r.get("p_value"), "effect_size": r.get("effect_size"), "n": r.get("n"),
                     "validated_at": r.get("at"), "reason": r.get("reason"),
                     "stale": bool(r) and (r.get("spec") != _spec_of(c)
                                           or r.get("claim_text", c["text"]) != c["text"])})
    return pd.DataFrame(rows)


def _spec_of(c: dict) -> dict:
    d = c["data"]
    return {k: d.get(k) for k in ("metric", "params", "test", "alternative", "rule", "refute", "checks", "require",
                                  "correction", "dataset") if d.get(k) is not None}


def coding_table(store: Store, codebook: str, field_id: str, code, *, among: dict | None = None,
                 values: str = "agreed", viewer: str | None = None) -> tuple[CodingTable, set[str]]:
    """The study's units for a codebook field with the values that count, and the code ids that match."""
    from studyapp.services.claims.codings import build_coding_table

    return build_coding_table(store, codebook, field_id, code, among=among, values=values, viewer=viewer)
