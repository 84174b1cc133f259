"""Schema recognition of both PeaTMOSS versions, and the synthetic sample generator."""

from __future__ import annotations

import re
import sqlite3

import numpy as np
import pytest

from studyapp.datasets import peatmoss_schema as schema
from studyapp.datasets.peatmoss import recognise, require
from studyapp.datasets.sample import generate
from studyapp.datasets.sandbox import DatasetError, open_dataset
from tests.conftest import shared_or_skip


def _from_sql(path, sql_file):
    c = sqlite3.connect(path)
    text = sql_file.read_text(encoding="utf-8")
    for stmt in re.split(r";\s*\n", text):
        stmt = "\n".join(line for line in stmt.splitlines() if not line.lstrip().startswith("--")).strip()
        if stmt and "sqlite_sequence" not in stmt:
            c.execute(stmt)
    c.commit()
    c.close()


@pytest.mark.shared
@pytest.mark.parametrize("name, key, n", [("PeaTMOSS.sql", "peatmoss-msr24", 56),
                                          ("PeaTMOSS_DIST_schema.sql", "peatmoss-dist", 76)])
def test_the_published_schemas_are_recognised(tmp_path, name, key, n):
    db = tmp_path / "p.db"
    _from_sql(db, shared_or_skip("peatmoss", name))
    with open_dataset(db) as ds:
        info = recognise(ds, counts=True)
    assert info.key == key and not info.missing and not info.extra and not info.synthetic
    assert len([t for t in info.tables if not t.startswith("sqlite_")]) == n


@pytest.mark.shared
def test_our_schema_spec_matches_the_published_columns():
    import csv

    rows = list(csv.DictReader(shared_or_skip("peatmoss", "peatmoss_schema_columns.csv").open()))
    for version, flag in ((schema.MSR24, "in_PeaTMOSS.sql_MSR24"), (schema.DIST, "in_PeaTMOSS_DIST_ESEM24")):
        published = {(r["table"], r["column"]) for r in rows if r[flag] == "1" and r["table"] != "sqlite_sequence"}
        ours = {(t, c["name"]) for t in schema.tables(version) for c in schema.columns(t, version)}
        assert ours == published, version


@pytest.mark.parametrize("version, key", [(schema.DIST, "peatmoss-dist"), (schema.MSR24, "peatmoss-msr24")])
def test_sample_is_recognised_and_says_it_is_synthetic(tmp_path, version, key):
    summary = generate(tmp_path / "s.db", models=400, seed=3, version=version)
    with open_dataset(summary.path) as ds:
        info = recognise(ds, counts=True)
        assert info.key == key and not info.missing
        assert set(info.extra) == {"dataset_metadata", "download_snapshot", "model_card_section"}
        assert info.synthetic and "SYNTHETIC" in info.metadata["note"]
        assert info.counts["model"] == 400 and info.counts["reuse_repository"] == summary.repositories
        snaps = ds.query("SELECT DISTINCT snapshot FROM download_snapshot ORDER BY snapshot").rows
        assert len(snaps) == 4
        assert ds.scalar("SELECT typeof(context_id) FROM model LIMIT 1") == "text"  # the PeaTMOSS quirk


def test_sample_shapes_are_heavy_tailed_and_deterministic(tmp_path):
    a = generate(tmp_path / "a.db", models=3000, seed=11)
    b = generate(tmp_path / "b.db", models=3000, seed=11)
    assert (tmp_path / "a.db").read_bytes() == (tmp_path / "b.db").read_bytes()
    with open_dataset(a.path) as ds:
        d = np.array([r[0] for r in ds.query("SELECT downloads FROM model").rows], dtype=float)
        assert 0.3 < (d == 0).mean() < 0.6
        top = np.sort(d)[::-1]
        assert top[: len(d) // 100].sum() > 0.5 * d.sum()  # the top 1% hold most downloads
        assert d.mean() > 5 * np.median(d)
        bases = ds.query("SELECT count(*) FROM model_to_base_model GROUP BY base_model_name "
                         "ORDER BY 1 DESC").rows
        assert bases[0][0] > 10 * bases[len(bases) // 2][0]


def test_require_names_the_missing_table(tmp_path):
    generate(tmp_path / "m.db", models=100, version=schema.MSR24)
    with open_dataset(tmp_path / "m.db") as ds:
        with pytest.raises(DatasetError, match="model_to_base_model.*76-table PeaTMOSS DIST"):
            require(ds, {"model_to_base_model": ("model_id",)}, "descendants")
        with pytest.raises(DatasetError, match="column"):
            require(ds, {"model": ("nope",)}, "x")


def test_unknown_schema(tmp_path):
    c = sqlite3.connect(tmp_path / "x.db")
    c.execute("CREATE TABLE other (a)")
    c.close()
    with open_dataset(tmp_path / "x.db") as ds:
        assert recognise(ds).key == "unknown"
