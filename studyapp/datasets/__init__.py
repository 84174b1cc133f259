"""External datasets (PeaTMOSS-schema SQLite files), opened read-only and untrusted.

- `open_dataset(path)`: the sandboxed connection (see `sandbox.py` for its layers);
- `dataset_info(path)`: tables, row counts and the recognised schema (`studyapp dataset info`);
- `query_dataset(path, sql)`: one SELECT through the sandbox, with the truncated flag;
- `sample.generate(out, models=, seed=)`: a synthetic PeaTMOSS database (`studyapp dataset sample`);
- `metrics`: the metric library claims are checked with.
"""

from __future__ import annotations

from pathlib import Path

from studyapp.datasets.sandbox import (
    DEFAULT_ROW_CAP,
    DEFAULT_TIME_LIMIT,
    Dataset,
    DatasetError,
    QueryRefused,
    QueryResult,
    QueryTimeout,
    open_dataset,
)


def dataset_info(path: str | Path, *, counts: bool = True, count_time_limit: float = 10.0) -> dict:
    """What a dataset file holds: {path, schema, label, synthetic, tables: {name: rows|None}, missing, extra,
    metadata}. A count that hits its time limit is None."""
    from studyapp.datasets.peatmoss import recognise

    with open_dataset(path) as ds:
        info = recognise(ds, counts=counts, count_time_limit=count_time_limit)
    return {"path": str(path), **info.to_dict()}


def query_dataset(path: str | Path, sql: str, *, row_cap: int = 1000,
                  time_limit: float = DEFAULT_TIME_LIMIT) -> QueryResult:
    with open_dataset(path, time_limit=time_limit) as ds:
        return ds.query(sql, row_cap=row_cap)


__all__ = ["open_dataset", "dataset_info", "query_dataset", "Dataset", "DatasetError", "QueryRefused",
           "QueryTimeout", "QueryResult", "DEFAULT_ROW_CAP", "DEFAULT_TIME_LIMIT"]
