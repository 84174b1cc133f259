"""The metric library on a hand-made PeaTMOSS database whose answers are known, and on snapshot CSVs."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from studyapp.datasets import peatmoss_schema as schema
from studyapp.datasets.metrics import METRICS
from studyapp.datasets.metrics import turnover as t
from studyapp.datasets.metrics.codings import CodingTable, coding_count, coding_share
from studyapp.datasets.metrics.descendants import (
    concentration,
    downloads_correlation,
    gini,
)
from studyapp.datasets.metrics.documentation import popularity_correlation, top_bottom
from studyapp.datasets.metrics.licenses import classify, consistency
from studyapp.datasets.sandbox import DatasetError, open_dataset
from studyapp.errors import InvalidInput
from tests.conftest import shared_or_skip


def _db(path, version=schema.DIST):
    c = sqlite3.connect(path)
    for stmt in schema.ddl(version):
        c.execute(stmt)
    # six models: downloads 600..100; documentation falls with popularity
    c.executemany('INSERT INTO model (id, context_id, downloads, likes) VALUES (?, ?, ?, ?)',
                  [(i, f"org/m{i}", 700 - 100 * i, 7 - i) for i in range(1, 7)])
    c.executemany('INSERT INTO "license" (id, name) VALUES (?, ?)', [(1, "mit"), (2, "gpl-3.0"), (3, "cc-by-nc-4.0")])
    c.executemany("INSERT INTO author (id, name) VALUES (?, ?)", [(1, "org")])
    c.executemany("INSERT INTO model_to_author VALUES (?, 1)", [(i,) for i in (1, 2, 3)])
    c.executemany("INSERT INTO model_to_license VALUES (?, ?)", [(1, 1), (2, 2), (3, 3)])
    c.executemany("INSERT INTO reuse_repository (id, owner, name) VALUES (?, 'o', ?)", [(1, "a"), (2, "b"), (3, "c")])
    c.executemany("INSERT INTO model_to_reuse_repository VALUES (?, ?)", [(1, 1), (2, 2), (3, 3), (1, 2)])
    if version == schema.DIST:
        c.executemany("INSERT INTO reuse_repository_to_license VALUES (?, ?)", [(1, 1), (2, 1), (3, 3)])
        c.executemany("INSERT INTO model_to_base_model (model_id, base_model_name, base_model_id) VALUES (?, ?, ?)",
                      [(4, "org/m1", 1), (5, "org/m1", 1), (6, "org/m2", 2), (3, "outside/x", None)])
        c.execute("INSERT INTO domain (id, name) VALUES (1, 'nlp')")
        c.executemany("INSERT INTO model_to_domain VALUES (?, 1)", [(1,), (2,)])
    c.commit()
    c.close()
    return path


@pytest.fixture
def tiny(tmp_path):
    return open_dataset(_db(tmp_path / "tiny.db"))


def test_every_metric_is_documented_with_params_and_tests():
    for m in METRICS.values():
        assert m.description and m.title and m.default_test in m.tests
        assert all(isinstance(v, tuple) and len(v) == 2 for v in m.params.values())


def test_documentation_scores_top_vs_bottom(tiny):
    r = top_bottom(tiny, by="downloads", k=2)
    by_model = dict(zip(r.table.context_id, r.table.metadata_score))
    n_fields = r.extras["fields"]
    assert n_fields == 14  # every DIST metadata link table
    # m1: author, license, domain; m5/m6: nothing
    assert by_model["org/m1"] == pytest.approx(3 / 14) and by_model["org/m6"] == 0
    assert list(r.table[r.table.grp == "top"].context_id) == ["org/m1", "org/m2"]
    assert r.value == pytest.approx(r.table[r.table.grp == "top"].score.mean() - r.table[r.table.grp == "bottom"].score.mean())
    assert "proxied" in " ".join(r.notes)  # no model_card_section: the DIST proxies stand in
    assert r.queries and "WITH chosen AS MATERIALIZED" in r.queries[0].sql


def test_documentation_by_reuse_and_correlation(tiny):
    r = top_bottom(tiny, by="reuse_repositories", k=1)
    assert r.table[r.table.grp == "top"].context_id.tolist() == ["org/m1"]  # two repositories
    c = popularity_correlation(tiny, by="likes", sample=0)
    assert c.n == 6 and list(c.data["y"]) == [6, 5, 4, 3, 2, 1]
    with pytest.raises(DatasetError, match="popularity"):
        top_bottom(tiny, by="stars")


def test_documentation_on_the_56_table_release_uses_metadata_only(tmp_path):
    with open_dataset(_db(tmp_path / "m.db", schema.MSR24)) as ds:
        r = top_bottom(ds, k=2)
    assert r.extras["fields"] == 9 and "metadata-completeness score alone" in " ".join(r.notes)
    assert r.table.card_score.isna().all()


def test_descendants(tiny):
    r = downloads_correlation(tiny)
    assert r.value == 3  # m1, m2 and one base outside the dataset
    assert sorted(zip(r.data["x"], r.data["y"])) == [(1.0, 500.0), (2.0, 600.0)]
    assert "not in the dataset" in r.notes[0]
    c = concentration(tiny, top_n=1)
    assert c.value == pytest.approx(2 / 4) and c.data == {"successes": 2, "trials": 4, "p0": pytest.approx(1 / 3)}
    assert gini([1, 1, 1]) == pytest.approx(0) and gini([0, 0, 10]) == pytest.approx(2 / 3)


def test_descendants_need_the_dist_version(tmp_path):
    with open_dataset(_db(tmp_path / "m.db", schema.MSR24)) as ds, \
            pytest.raises(DatasetError, match="model_to_base_model"):
        downloads_correlation(ds)


def test_license_consistency(tiny):
    assert classify("mit", "gpl-3.0") == "consistent"
    assert classify("gpl-3.0", "mit") == "inconsistent"
    assert classify("cc-by-nc-4.0", "apache-2.0") == "inconsistent"
    assert classify("openrail", "openrail") == "consistent"
    assert classify("other", "mit") == "unknown" and classify(None, "mit") == "unknown"
    r = consistency(tiny)
    # links: m1-r1 mit/mit, m2-r2 gpl/mit (bad), m3-r3 nc/nc, m1-r2 mit/mit
    assert (r.extras["consistent"], r.extras["inconsistent"]) == (3, 1) and r.value == 0.75


def test_turnover_counts_by_hand():
    snaps = [t.Snapshot("s1", ("a", "b", "c")), t.Snapshot("s2", ("a", "d", "e")), t.Snapshot("s3", ("b", "a", "f"))]
    rows, distinct = t.counts(snaps, 3)
    assert [(r["remained"], r["newcomers"], r["returning"]) for r in rows] == [(None, None, None), (1, 2, 0), (1, 1, 1)]
    assert distinct == 6
    r = t.turnover({"reg": snaps}, k=3)
    assert r.value == 6 and r.extras["churn"] == pytest.approx((2 / 3 + 2 / 3) / 2)
    cmp = t.turnover_compare({"fast": snaps, "slow": [t.Snapshot("x", ("a", "b")), t.Snapshot("y", ("b", "a"))]}, k=2)
    assert cmp.data["table"] == [[2, 2], [0, 2]] and cmp.value is None  # the slow registry never churns
    assert "no churn" in " ".join(cmp.notes)


def test_turnover_from_a_dataset(tmp_path):
    from studyapp.datasets.sample import generate

    generate(tmp_path / "s.db", models=300, seed=1)
    with open_dataset(tmp_path / "s.db") as ds:
        runs = []
        snaps = t.dataset_snapshots(ds, 10, runs)
    assert len(snaps) == 4 and all(len(s.ranked) == 10 for s in snaps) and len(runs) == 5


def test_snapshot_csv_reader(tmp_path):
    p = tmp_path / "2024-01.csv"
    p.write_text(",package,weekly_downloads\n0,b,10\n1,a,10\n2,c,\"1,500\"\n", encoding="utf-8")
    assert t.read_csv_snapshot(p).ranked == ("c", "a", "b")  # ties by name
    for body, line, msg in (("name,downloads\nx,1\nx,2\n", 3, "appears twice"), ("name,downloads\nx,many\n", 2, "not a number"),
                            ("name,stars\nx,1\n", 1, "downloads column")):
        p.write_text(body, encoding="utf-8")
        with pytest.raises(InvalidInput, match=msg) as e:
            t.read_csv_snapshot(p)
        assert e.value.line == line and e.value.path == str(p)


@pytest.mark.shared
def test_the_published_top20_files_read_as_snapshots():
    for name in ("top20model_downloads.csv", "top20npm_downloads.csv", "top20pypi_downloads.csv"):
        snap = t.read_csv_snapshot(shared_or_skip("ptm-reuse-interviews", name))
        assert len(snap.ranked) == 20
    assert t.read_csv_snapshot(shared_or_skip("ptm-reuse-interviews", "top20npm_downloads.csv")).ranked[0] == "debug"


def _coding_table():
    rows = pd.DataFrame({"unit_id": [1, 2, 3, 4, 5], "unit_key": list("abcde"),
                         "participant": ["P1", "P1", "P2", "P3", "P4"],
                         "values": [("sec",), (), ("sec", "doc"), ("doc",), ()],
                         "coded": [True, True, True, True, False]})
    return CodingTable("cb", "challenges", rows, {"sec": "Security", "doc": "Docs"}, "test rows")


def test_coding_counts_units_and_participants():
    tab = _coding_table()
    assert coding_count(tab, code="sec").value == 2 and coding_count(tab, code="sec").extras["total"] == 4
    r = coding_count(tab, code="sec", of="participants")
    assert (r.value, r.extras["total"]) == (2, 4)  # P1 and P2 of all four participants
    s = coding_share(tab, code="sec", of="participants", denominator="coded")
    assert s.value == pytest.approx(2 / 3) and s.data["trials"] == 3
    assert list(r.table.code) == ["doc", "sec"] and r.table["count"].tolist() == [2, 2]
