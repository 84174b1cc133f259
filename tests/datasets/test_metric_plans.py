"""The documentation score's two query plans give the same numbers.

Scoring a few models probes each link table per model; scoring every model reads each link table
once and counts in one GROUP BY (`score_sql(every_model=True)`). On synthetic PeaTMOSS databases of
both released shapes (with model-card sections, and without them, where proxies stand in) and on a
hand-made file with duplicate and NULL link rows, both plans must score every model identically,
and the all-models metric must equal the same metric computed with the per-model plan.
"""

from __future__ import annotations

import sqlite3

import pytest

from studyapp.datasets import peatmoss_schema as schema
from studyapp.datasets.metrics import documentation as doc
from studyapp.datasets.sample import generate
from studyapp.datasets.sandbox import open_dataset

ALL = "SELECT m.id, m.context_id, m.downloads, m.likes FROM model m"


def _scores(ds, every_model: bool):
    sql, fields, notes = doc.score_sql(ds, ALL, " c.downloads AS popularity,", every_model=every_model)
    res = ds.query(sql, row_cap=1_000_000)
    cols = list(res.columns)
    out = sorted((r[cols.index("id")], r[cols.index("metadata_score")], r[cols.index("card_score")]) for r in res.rows)
    return out, fields, notes


@pytest.fixture(scope="module", params=[schema.DIST, schema.MSR24])
def sample_db(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("plans") / f"sample-{request.param}.db"
    generate(path, models=600, seed=5, version=request.param)
    return path


def test_both_plans_score_every_model_the_same(sample_db):
    with open_dataset(sample_db) as ds:
        probe, f1, n1 = _scores(ds, every_model=False)
        scan, f2, n2 = _scores(ds, every_model=True)
    assert len(probe) == 600 and probe == scan and f1 == f2 and n1 == n2


def test_duplicate_and_null_link_rows_count_once_and_never(tmp_path):
    path = tmp_path / "dups.db"
    c = sqlite3.connect(path)
    for stmt in schema.ddl(schema.DIST):
        c.execute(stmt)
    c.executemany("INSERT INTO model (id, context_id, downloads, likes) VALUES (?, ?, ?, ?)",
                  [(i, f"org/m{i}", 10 * i, i) for i in range(1, 6)])
    c.execute("INSERT INTO tag (id, name) VALUES (1, 'a')")
    c.execute("INSERT INTO tag (id, name) VALUES (2, 'b')")
    c.executemany("INSERT INTO model_to_tag VALUES (?, ?)", [(1, 1), (1, 2), (2, 1)])
    try:
        c.execute("INSERT INTO model_to_tag VALUES (NULL, 2)")
    except sqlite3.IntegrityError:
        pass
    c.commit()
    c.close()
    with open_dataset(path) as ds:
        probe, *_ = _scores(ds, every_model=False)
        scan, *_ = _scores(ds, every_model=True)
    assert probe == scan


@pytest.mark.parametrize("by", ["downloads", "likes", "reuse_repositories"])
def test_the_all_models_metric_equals_the_per_model_plan(sample_db, by, monkeypatch):
    with open_dataset(sample_db) as ds:
        fast = doc.popularity_correlation(ds, by=by, sample=0)
        monkeypatch.setattr(doc, "ONE_PASS", False)
        slow = doc.popularity_correlation(ds, by=by, sample=0)
    assert "UNION ALL" in fast.queries[-1].sql and "UNION ALL" not in slow.queries[-1].sql
    assert fast.value == pytest.approx(slow.value, abs=1e-12) and fast.n == slow.n == 600
    order = ["context_id", "popularity", "score"]
    assert fast.table.sort_values(order).reset_index(drop=True).equals(
        slow.table.sort_values(order).reset_index(drop=True))
