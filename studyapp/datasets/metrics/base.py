"""The metric library's types: a `Metric`, what it measured (`MetricResult`), each query it ran
(`QueryRun`), and `run_query`, the one way a metric asks the sandbox (recorded, never truncated).

Kept apart from the package's `__init__`, which lists the metrics, so that a metric module
imports these without importing the list that imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd


@dataclass(frozen=True)
class QueryRun:
    """One query a metric ran: the exact SQL (or a description for non-SQL sources) and its cost."""
    sql: str
    params: tuple = ()
    seconds: float = 0.0
    rows: int = 0
    truncated: bool = False

    def to_dict(self) -> dict:
        return {"sql": self.sql, "params": list(self.params), "seconds": self.seconds, "rows": self.rows,
                "truncated": self.truncated}


@dataclass
class MetricResult:
    """What a metric measured.

    `value` is the headline number (None when it cannot be computed, with the reason in `notes`);
    `extras` holds other named numbers a decision rule may use (count, total, k, churn...);
    `data` holds the test inputs: x/y (correlation), a/b (two groups), successes/trials/p0
    (proportion), table (chi-square); `chart` says how to draw `table`.
    """
    name: str
    params: dict
    value: float | None
    label: str
    table: pd.DataFrame
    data: dict = field(default_factory=dict)
    extras: dict = field(default_factory=dict)
    queries: list[QueryRun] = field(default_factory=list)
    chart: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    n: int = 0
    seconds: float = 0.0

    @property
    def sql_seconds(self) -> float:
        return sum(q.seconds for q in self.queries)


@dataclass(frozen=True)
class Metric:
    """A named metric: `fn(source, **params) -> MetricResult`, its parameters with defaults and meaning,
    the test it is checked with unless a claim says otherwise, and the tests that fit its data."""
    name: str
    title: str
    source: str
    fn: Callable[..., MetricResult]
    params: dict[str, tuple[Any, str]]
    default_test: str
    tests: tuple[str, ...]
    description: str

    def defaults(self) -> dict:
        return {k: v[0] for k, v in self.params.items()}


#: Metrics read whole columns (281,638 models at full size), never unbounded ones.
METRIC_ROW_CAP = 5_000_000


def run_query(ds, sql: str, params: tuple = (), runs: list[QueryRun] | None = None):
    """Run a metric's query through the sandbox, record it in `runs`, return the `QueryResult`.
    A result the row cap truncated is an error: a metric never computes on part of its data."""
    from studyapp.datasets.sandbox import DatasetError

    params = tuple(p.item() if hasattr(p, "item") else p for p in params)  # numpy scalars bind wrongly
    res = ds.query(sql, params, row_cap=METRIC_ROW_CAP)
    if res.truncated:
        raise DatasetError(f"a metric query returned more than {METRIC_ROW_CAP:,} rows; narrow it",
                           path=str(ds.path))
    if runs is not None:
        runs.append(QueryRun(sql, tuple(params), res.seconds, len(res.rows), res.truncated))
    return res
