"""The metric library: named, documented measurements that turn a claim into numbers.

Each metric is a small function with parameters that returns a `MetricResult`: the value, the table
behind it, the inputs its statistical test needs (`data`), the exact queries it ran and how long
they took, and notes on anything a reader should know (ties broken, rows excluded, proxies used).
Metrics read one of three sources, named by `Metric.source`:

- "dataset": a read-only PeaTMOSS-schema `Dataset` (work is pushed into SQL; nothing loads a
  whole table of the 7 GB file into memory);
- "snapshots": ranked download snapshots (from a dataset or from `name,downloads` CSV files);
- "codings": the study's own codings, handed over as a `CodingTable` by
  `services.validation` (which reads them through the store, respecting blind coding).

`METRICS` maps each name to its `Metric`; docs/claims.md lists them with their parameters.
"""

from __future__ import annotations

from studyapp.datasets.metrics import codings, descendants, documentation, licenses, turnover
from studyapp.datasets.metrics.base import METRIC_ROW_CAP, Metric, MetricResult, QueryRun, run_query

def _registry() -> dict[str, Metric]:
    out: dict[str, Metric] = {}
    for module in (turnover, documentation, descendants, licenses, codings):
        for m in module.METRICS:
            out[m.name] = m
    return out


METRICS: dict[str, Metric] = _registry()


def get_metric(name: str) -> Metric | None:
    return METRICS.get(name)


__all__ = ["METRICS", "METRIC_ROW_CAP", "Metric", "MetricResult", "QueryRun", "get_metric", "run_query"]
