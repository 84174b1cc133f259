"""Fine-tuned descendants of base models (ESEM 2024: "popularity drives PTM selection", part b).

Read from `model_to_base_model` (DIST version only): one row per (model, base model). A base model
is identified by `base_model_id` when it is in the dataset, else by `base_model_name`; bases
outside the dataset have no download count and are left out of the correlation (noted).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from studyapp.datasets.metrics.base import Metric, MetricResult, run_query
from studyapp.datasets.peatmoss import require
from studyapp.datasets.sandbox import Dataset

PER_BASE_SQL = """SELECT coalesce(m.context_id, b.base_model_name) AS base_model, b.base_model_id,
       count(*) AS descendants, m.downloads AS base_downloads, m.likes AS base_likes,
       sum(d.downloads) AS descendant_downloads
FROM model_to_base_model b
LEFT JOIN model m ON m.id = b.base_model_id
LEFT JOIN model d ON d.id = b.model_id
GROUP BY coalesce(CAST(b.base_model_id AS TEXT), 'name:' || b.base_model_name)"""


def _per_base(ds: Dataset, runs: list) -> pd.DataFrame:
    require(ds, {"model_to_base_model": ("model_id", "base_model_name", "base_model_id"),
                 "model": ("id", "context_id", "downloads")}, "the descendants metrics")
    return run_query(ds, PER_BASE_SQL, (), runs).frame()


def downloads_correlation(ds: Dataset, *, y: str = "base_downloads") -> MetricResult:
    """Descendants per base model against its downloads (or its descendants' summed downloads);
    value: the number of base models."""
    if y not in ("base_downloads", "descendant_downloads", "base_likes"):
        raise ValueError("y must be base_downloads, descendant_downloads or base_likes")
    runs: list = []
    df = _per_base(ds, runs)
    notes = []
    outside = int(df.base_model_id.isna().sum())
    if outside:
        notes.append(f"{outside} base model(s) are not in the dataset (no downloads): left out")
    inside = df[df[y].notna()]
    return MetricResult(
        "descendants_downloads", {"y": y}, float(len(df)), "base models with at least one fine-tuned descendant",
        df.sort_values("descendants", ascending=False, kind="stable").reset_index(drop=True),
        data={"x": inside.descendants.to_numpy(dtype=float), "y": inside[y].to_numpy(dtype=float)},
        extras={"bases": len(df), "descendants": int(df.descendants.sum()),
                "max_descendants": int(df.descendants.max()) if len(df) else 0},
        queries=runs, notes=notes, n=len(inside),
        chart={"kind": "scatter", "x": "descendants", "y": y, "log_x": True, "log_y": True,
               "title": f"Descendants vs {y.replace('_', ' ')} per base model"})


def gini(values: np.ndarray) -> float | None:
    v = np.sort(np.asarray(values, dtype=float))
    if v.size == 0 or v.sum() == 0:
        return None
    n = v.size
    return float((2 * np.arange(1, n + 1) - n - 1).dot(v) / (n * v.sum()))


def concentration(ds: Dataset, *, top_share: float = 0.01, top_n: int | None = None) -> MetricResult:
    """Share of all descendant links that go to the top base models (the top `top_share` of bases by
    descendants, or the top `top_n`); the proportion test's p0 is the share those bases would hold
    if descendants were spread evenly."""
    runs: list = []
    df = _per_base(ds, runs).sort_values("descendants", ascending=False, kind="stable").reset_index(drop=True)
    bases, total = len(df), int(df.descendants.sum()) if len(df) else 0
    n_top = int(top_n) if top_n else max(1, int(round(bases * float(top_share))))
    n_top = min(n_top, bases)
    top = int(df.descendants.head(n_top).sum())
    value = top / total if total else None
    df["cumulative_share"] = df.descendants.cumsum() / total if total else None
    return MetricResult(
        "descendant_concentration", {"top_share": top_share, "top_n": top_n}, value,
        f"share of {total:,} fine-tuned descendants held by the top {n_top} of {bases:,} base models",
        df.head(200),
        data={"successes": top, "trials": total, "p0": n_top / bases if bases else None},
        extras={"bases": bases, "descendants": total, "top_n": n_top, "gini": gini(df.descendants.to_numpy())},
        queries=runs, notes=[] if total else ["no base-model links in this dataset"], n=total,
        chart={"kind": "bars", "x": "base_model", "y": "descendants", "limit": 20,
               "title": f"Descendants of the top base models (top {n_top} hold {value:.0%})" if value is not None
               else "Descendants per base model"})


METRICS = [
    Metric("descendants_downloads", "Descendants vs downloads of base models", "dataset", downloads_correlation,
           {"y": ("base_downloads", "base_downloads, descendant_downloads or base_likes")},
           "spearman", ("spearman", "kendall", "pearson"),
           "Number of direct fine-tuned descendants of each base model against its popularity."),
    Metric("descendant_concentration", "Concentration of descendants on few base models", "dataset", concentration,
           {"top_share": (0.01, "the top share of base models (by descendants)"),
            "top_n": (None, "or a fixed number of top base models")},
           "none", ("none", "proportion"),
           "Share of all fine-tuned descendants held by the most fine-tuned base models, with the Gini coefficient."),
]
