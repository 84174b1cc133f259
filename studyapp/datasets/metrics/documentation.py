"""Documentation quality and its relation to popularity (ESEM 2024, "documentation quality influences
selection").

Documentation score of a model = mean of
- the model-card score: the share of five sections its card has (description, limitations, how to
  use, training, evaluation), read from `model_card_section` when the dataset has it. Without it, the
  DIST tables stand in for four sections (limitation_and_bias, demo, hyper_parameters,
  evaluation_metric; a note says so); the 56-table release has neither, and the score is then the
  metadata score alone (noted);
- the metadata-completeness score: the share of metadata link tables with at least one row for the
  model (architecture, author, dataset, framework, license, paper, library, tag, language, and in
  DIST also domain, task, hardware, grant, GitHub repository).

Popularity is `downloads`, `likes` or `reuse_repositories` (links in model_to_reuse_repository).
Lookups use an index probe where the link table has an index on model_id, and otherwise a
semi-join restricted to the chosen models; scoring every model reads each link table once instead
(`score_sql(every_model=True)`), so no query probes every link table once per model.
"""

from __future__ import annotations

import pandas as pd

from studyapp.datasets.metrics.base import Metric, MetricResult, run_query
from studyapp.datasets.peatmoss import existing, require
from studyapp.datasets.sandbox import Dataset, DatasetError, quote_ident

METADATA_TABLES = (("architecture", "model_to_architecture"), ("author", "model_to_author"),
                   ("dataset", "model_to_dataset"), ("framework", "model_to_framework"),
                   ("license", "model_to_license"), ("paper", "model_to_paper"), ("library", "model_to_library"),
                   ("tag", "model_to_tag"), ("language", "model_to_language"), ("domain", "model_to_domain"),
                   ("task", "model_to_model_task"), ("hardware", "model_to_hardware"), ("grant", "model_to_grant"),
                   ("github_repo", "github_repo"))
CARD_SECTIONS = ("description", "limitations", "how_to_use", "training", "evaluation")
CARD_PROXIES = (("limitations", "limitation_and_bias"), ("how_to_use", "demo"), ("training", "hyper_parameters"),
                ("evaluation", "evaluation_metric"))
POPULARITY = ("downloads", "likes", "reuse_repositories")
SAMPLE_MODULUS = 1_000_003
#: Score every model with one pass per link table (False: probe per model, the plan tests compare with).
ONE_PASS = True


def _popularity(by: str) -> tuple[str, str]:
    """(FROM clause over model `m`, popularity expression) for a popularity measure."""
    if by not in POPULARITY:
        raise DatasetError(f"popularity must be one of {', '.join(POPULARITY)}, not {by!r}")
    if by == "reuse_repositories":
        return "model m", "(SELECT count(*) FROM model_to_reuse_repository r WHERE r.model_id = m.id)"
    return "model m", f"m.{by}"


def _tied(ds: Dataset, by: str, edge, runs: list) -> int:
    """How many models have popularity `edge` (to say when the bottom-k is cut out of a tie)."""
    if by != "reuse_repositories":
        return int(run_query(ds, f"SELECT count(*) FROM model WHERE {by} = ?", (edge,), runs).rows[0][0])
    if edge == 0:
        sql = ("SELECT (SELECT count(*) FROM model)"
               " - (SELECT count(DISTINCT model_id) FROM model_to_reuse_repository)")
        return int(run_query(ds, sql, (), runs).rows[0][0])
    sql = ("SELECT count(*) FROM (SELECT model_id FROM model_to_reuse_repository GROUP BY model_id"
           " HAVING count(*) = ?)")
    return int(run_query(ds, sql, (edge,), runs).rows[0][0])


def _has_row(ds: Dataset, table: str) -> str:
    """SQL that is 1 when chosen model `c` has a row in `table`, picked by the table's indexes."""
    t = quote_ident(table)
    if ds.indexed(table, "model_id"):
        return f"EXISTS (SELECT 1 FROM {t} WHERE model_id = c.id)"
    return f"(c.id IN (SELECT model_id FROM {t} WHERE model_id IN (SELECT id FROM chosen)))"


def _present_in(table: str, flag: str) -> str:
    """Every model id with a row in `table` once, tagged as a metadata field or a card proxy."""
    meta, proxy = (1, 0) if flag == "meta" else (0, 1)
    return (f"SELECT DISTINCT model_id, {meta} AS meta, {proxy} AS proxy FROM {quote_ident(table)}"
            " WHERE model_id IS NOT NULL")


def score_sql(ds: Dataset, chosen_sql: str, extra: str = "", *, every_model: bool = False
              ) -> tuple[str, list[str], list[str]]:
    """A query scoring the models of `chosen_sql` (a SELECT giving id, context_id[, popularity, grp]);
    `extra` adds columns computed per chosen model `c`. Returns (sql, metadata fields used, notes).

    Two plans for the same numbers. For a few chosen models (top and bottom k), an index probe per
    model and link table. For every model (`every_model`), one pass per link table instead: each
    table's distinct model ids are tagged and counted in one GROUP BY and joined to the models, so
    scoring all 281,638 models of a full PeaTMOSS reads each link table once instead of making 18
    index probes per model (a test holds both plans equal)."""
    require(ds, {"model": ("id", "context_id", "downloads", "likes")}, "the documentation score")
    fields = [(f, t) for f, t in METADATA_TABLES if t in set(existing(ds, [t for _, t in METADATA_TABLES]))]
    notes: list[str] = []
    if every_model:
        parts = [_present_in(t, "meta") for _, t in fields]
        meta = "coalesce(h.fields, 0)"
    else:
        parts, meta = [], "(" + " + ".join(_has_row(ds, t) for _, t in fields) + ")"
    join = ""
    if ds.has("model_card_section", "model_id", *CARD_SECTIONS):
        card = "(" + " + ".join(f"coalesce(s.{c}, 0)" for c in CARD_SECTIONS) + f") * 1.0 / {len(CARD_SECTIONS)}"
        join = " LEFT JOIN model_card_section s ON s.model_id = c.id"
    elif len(existing(ds, [t for _, t in CARD_PROXIES])) == len(CARD_PROXIES):
        if every_model:
            parts += [_present_in(t, "proxy") for _, t in CARD_PROXIES]
            proxies = "coalesce(h.proxies, 0)"
        else:
            proxies = "(" + " + ".join(_has_row(ds, t) for _, t in CARD_PROXIES) + ")"
        card = f"{proxies} * 1.0 / {len(CARD_PROXIES)}"
        notes.append("no model_card_section table: the card score is the share of four sections proxied by "
                     "limitation_and_bias, demo, hyper_parameters and evaluation_metric (no proxy for description)")
    else:
        card = "NULL"
        notes.append("no model-card data in this dataset (56-table release): the documentation score is the "
                     "metadata-completeness score alone")
    head = f"WITH chosen AS MATERIALIZED ({chosen_sql})"
    if every_model:
        union = "\n    UNION ALL ".join(parts)
        head += (f",\nhas AS MATERIALIZED (SELECT model_id, sum(meta) AS fields, sum(proxy) AS proxies FROM (\n"
                 f"    {union}) GROUP BY model_id)")
        join = " LEFT JOIN has h ON h.model_id = c.id" + join
    sql = (f"{head}\nSELECT c.*,{extra} {meta} * 1.0 / {len(fields)} AS metadata_score,\n"
           f"       {card} AS card_score\nFROM chosen c{join}")
    return sql, [f for f, _ in fields], notes


def _frame(res) -> pd.DataFrame:
    df = res.frame()
    df["score"] = df[["card_score", "metadata_score"]].mean(axis=1, skipna=True)
    return df


def top_bottom(ds: Dataset, *, by: str = "downloads", k: int = 1000) -> MetricResult:
    """Documentation scores of the top-k and bottom-k models by popularity (value: mean top - mean bottom)."""
    k = int(k)
    source, pop = _popularity(by)
    chosen = (f"WITH ranked AS MATERIALIZED (SELECT m.id, m.context_id, {pop} AS popularity FROM {source}\n"
              f"    WHERE {pop} IS NOT NULL)\n"
              f"  SELECT * FROM (SELECT *, 'top' AS grp FROM ranked ORDER BY popularity DESC, id LIMIT {k})\n"
              f"  UNION ALL SELECT * FROM (SELECT *, 'bottom' AS grp FROM ranked ORDER BY popularity ASC, id LIMIT {k})")
    sql, fields, notes = score_sql(ds, chosen)
    runs: list = []
    df = _frame(run_query(ds, sql, (), runs))
    top, bottom = df[df.grp == "top"], df[df.grp == "bottom"]
    n_models = int(run_query(ds, "SELECT count(*) FROM model", (), runs).rows[0][0])
    if n_models < 2 * k:
        notes.append(f"only {n_models} models: the top and bottom {k} overlap")
    if len(bottom):
        edge = bottom.popularity.max()
        tied = _tied(ds, by, edge, runs)
        if tied > int((bottom.popularity == edge).sum()):
            notes.append(f"{tied:,} models tie at {by} = {edge:g} at the bottom edge; the bottom {k} take them in "
                         "id order")
    value = float(top.score.mean() - bottom.score.mean()) if len(top) and len(bottom) else None
    return MetricResult(
        "documentation_top_bottom", {"by": by, "k": k}, value,
        f"mean documentation score of the top {k} minus the bottom {k} models by {by}",
        df[["grp", "context_id", "popularity", "card_score", "metadata_score", "score"]],
        data={"a": top.score.to_numpy(), "b": bottom.score.to_numpy(), "a_label": f"top {k}",
              "b_label": f"bottom {k}"},
        extras={"top_mean": float(top.score.mean()) if len(top) else None,
                "bottom_mean": float(bottom.score.mean()) if len(bottom) else None, "k": k,
                "fields": len(fields)},
        queries=runs, notes=notes, n=len(df),
        chart={"kind": "box", "x": "grp", "y": "score", "title": f"Documentation score, top vs bottom {k} by {by}"})


def popularity_correlation(ds: Dataset, *, by: str = "downloads", sample: int = 20000) -> MetricResult:
    """Documentation score against popularity over all models, or a deterministic sample of about
    `sample` models (0 = every model); value: the mean documentation score of the models scored."""
    source, pop = _popularity(by)
    runs: list = []
    total = int(run_query(ds, "SELECT count(*) FROM model", (), runs).rows[0][0])
    sample = int(sample)
    where = ""
    if sample and sample < total:
        keep = max(1, round(SAMPLE_MODULUS * sample / total))
        where = f" WHERE (m.id * 2654435761) % {SAMPLE_MODULUS} < {keep}"
    one_pass = ONE_PASS and not where
    # only the columns the table needs travel: 281,638 rows of them at full size
    chosen = f"SELECT m.id, m.context_id, {pop} AS popularity FROM model m{where}"
    if by == "reuse_repositories" and one_pass:  # every model: count the links once, not per model
        chosen = ("SELECT m.id, m.context_id, coalesce(r.n, 0) AS popularity FROM model m"
                  " LEFT JOIN (SELECT model_id, count(*) AS n FROM model_to_reuse_repository GROUP BY model_id) r"
                  " ON r.model_id = m.id")
    extra = ""
    sql, fields, notes = score_sql(ds, chosen, extra, every_model=one_pass)
    df = _frame(run_query(ds, sql, (), runs))
    df = df[df.popularity.notna()]
    if where:
        notes.append(f"{len(df):,} of {total:,} models, drawn deterministically by id (sample: 0 scores every model)")
    return MetricResult(
        "documentation_popularity", {"by": by, "sample": sample}, float(df.score.mean()) if len(df) else None,
        f"mean documentation score of {len(df):,} models (tested against {by})",
        df[["context_id", "popularity", "card_score", "metadata_score", "score"]],
        data={"x": df.score.to_numpy(), "y": df.popularity.to_numpy(dtype=float)},
        extras={"models": len(df), "fields": len(fields)}, queries=runs, notes=notes, n=len(df),
        chart={"kind": "scatter", "x": "score", "y": "popularity", "log_y": True,
               "title": f"Documentation score vs {by}"})


METRICS = [
    Metric("documentation_top_bottom", "Documentation quality: top vs bottom models", "dataset", top_bottom,
           {"by": ("downloads", "popularity measure: downloads, likes or reuse_repositories"),
            "k": (1000, "how many models at each end")},
           "welch_t", ("welch_t", "mann_whitney"),
           "Documentation score (mean of model-card sections present and metadata completeness) of the top-k "
           "vs the bottom-k models by popularity; the ESEM 2024 check, with a one-sided Welch t-test."),
    Metric("documentation_popularity", "Documentation quality vs popularity", "dataset", popularity_correlation,
           {"by": ("downloads", "popularity measure: downloads, likes or reuse_repositories"),
            "sample": (20000, "models scored, drawn deterministically by id; 0 = all")},
           "spearman", ("spearman", "kendall", "pearson"),
           "Documentation score of each model against its popularity, as a rank correlation."),
]
