"""The study store: migrations, pragmas, all-or-nothing transactions, history-derived values."""

from __future__ import annotations

import sqlite3

import pytest

from studyapp.errors import NotFound, StudyError
from studyapp.store import Store
from studyapp.store.base import BUSY_TIMEOUT_MS
from studyapp.store.migrations import migrations

ALL_MIGRATIONS = [m.name for m in migrations._migrations]  # core first, then each feature's, in order


def test_create_and_reopen(tmp_path):
    s = Store.create(tmp_path / "s", "My study")
    assert s.title == "My study"
    assert s.schema_migrations() == ALL_MIGRATIONS
    assert ALL_MIGRATIONS[:4] == ["m001_core", "m002_indexes", "m003_memos_claims", "m004_agreement_counts_index"]
    s.close()
    with Store.open(tmp_path / "s") as s2:
        assert s2.title == "My study"
        assert s2.scalar("PRAGMA journal_mode") == "wal"
        assert s2.scalar("PRAGMA foreign_keys") == 1
        assert s2.scalar("PRAGMA busy_timeout") == BUSY_TIMEOUT_MS


def test_open_missing_and_create_twice(tmp_path):
    with pytest.raises(NotFound, match="studyapp init"):
        Store.open(tmp_path / "nope")
    Store.create(tmp_path / "s").close()
    with pytest.raises(StudyError, match="already holds a study"):
        Store.create(tmp_path / "s")


def test_study_made_by_migration_1_upgrades_cleanly(tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    old = Store._connect(folder, stop_before="m002_indexes")
    assert old.schema_migrations() == ["m001_core"]
    old.conn.execute("INSERT INTO coders (name, role, created_at) VALUES ('bob', 'coder', 'x')")
    old.conn.execute("INSERT INTO units (kind, key, created_at) VALUES ('paper', 'P1', 'x')")
    old.conn.execute("INSERT INTO annotations (unit_id, codebook, field, coder, round, value, updated_at)"
                     " VALUES (1, 'cb', 'f', 'bob', 'main', 'a', 'x')")
    old.close()
    with Store.open(folder) as new:
        assert new.schema_migrations() == ALL_MIGRATIONS
        assert new.annotations.current_rows() == [(1, "cb", "f", "bob", "main", "a")]
        assert new.memos.count() == 0
        indexes = {r["name"] for r in new.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "idx_annotations_field" in indexes
        assert new.annotations.value_counts("cb", "f") == [(1, "main", "a", 1)]  # counted at the upgrade
        assert new.annotations.counts_drift() == []


def test_transaction_is_all_or_nothing(tmp_path):
    s = Store.create(tmp_path / "s")
    s.coders.add("bob")
    before = s.table_counts()
    with pytest.raises(StudyError, match="already in the study"):
        s.units.add_many([{"kind": "paper", "key": "P1"}, {"kind": "paper", "key": "P2"},
                          {"kind": "paper", "key": "P1"}])
    assert s.table_counts() == before
    with pytest.raises(RuntimeError):
        with s.transaction():
            s.units.add_many([{"kind": "paper", "key": "P9"}])
            raise RuntimeError("boom")
    assert s.units.count("paper") == 0
    assert not s.conn.in_transaction


def test_every_change_is_in_history_and_current_values_derive_from_it(tmp_path):
    s = Store.create(tmp_path / "s")
    s.coders.add("bob")
    [u1, u2] = s.units.add_many([{"kind": "paper", "key": "P1"}, {"kind": "paper", "key": "P2"}])
    kw = dict(codebook="cb", field="f", coder="bob", round="main")
    s.annotations.set(unit_id=u1, value="a", **kw)
    s.annotations.set(unit_id=u1, value="b", **kw)
    s.annotations.set(unit_id=u2, value="a", **kw)
    assert not s.annotations.set(unit_id=u2, value="a", **kw), "a no-op writes nothing"
    s.annotations.set(unit_id=u2, value=None, **kw)
    assert s.annotations.current_rows() == [(u1, "cb", "f", "bob", "main", "b")]
    assert s.annotations.replay() == s.annotations.current_rows()
    changes = [h for h in s.history.for_unit(u1) if h["action"].startswith("annotation")]
    assert [(h["old"], h["new"]) for h in changes] == [("a", "b"), (None, "a")]
    assert all(h["actor"] == "bob" and h["at"] for h in changes)


def test_finals_are_kept_apart_from_coders_values(tmp_path):
    s = Store.create(tmp_path / "s")
    s.coders.add("bob")
    [u] = s.units.add_many([{"kind": "paper", "key": "P1"}])
    s.annotations.set(unit_id=u, codebook="cb", field="f", coder="bob", round="main", value="a")
    s.finals.set(unit_id=u, codebook="cb", field="f", value="b", rationale="definition 2 applies", by="lea")
    s.finals.set(unit_id=u, codebook="cb", field="f", value="c", rationale="second thought", by="lea")
    assert s.annotations.current_rows() == [(u, "cb", "f", "bob", "main", "a")]
    assert s.finals.current_rows() == [(u, "cb", "f", "c")] == s.finals.replay()
    assert s.finals.for_unit(u)[0]["rationale"] == "second thought"


def test_foreign_keys_are_enforced(tmp_path):
    s = Store.create(tmp_path / "s")
    with pytest.raises(sqlite3.IntegrityError):
        s.annotations.set(unit_id=99, codebook="cb", field="f", coder="ghost", round="main", value="a")
    assert s.annotations.count() == 0


def test_codebook_versions_by_hash(tmp_path):
    s = Store.create(tmp_path / "s")
    v1, new1 = s.codebooks.add_version(codebook="cb", version="1", hash="h1", kind="any", title="T", yaml="a")
    again, new_again = s.codebooks.add_version(codebook="cb", version="1", hash="h1", kind="any", title="T", yaml="a")
    v2, new2 = s.codebooks.add_version(codebook="cb", version="1", hash="h2", kind="any", title="T", yaml="b")
    assert (new1, new_again, new2) == (True, False, True) and again == v1 and v2 > v1
    assert s.codebooks.latest("cb")["id"] == v2
    assert len(s.codebooks.versions("cb")) == 2


def test_change_counter_grows(tmp_path):
    s = Store.create(tmp_path / "s")
    c0 = s.change_counter()
    s.coders.add("bob")
    assert s.change_counter() > c0


def test_kept_agreement_counts_follow_every_set_change_and_clear(study):
    """The per-(unit, value) counts the triggers keep equal counting the annotations again, after
    inserts, changed values, clears and re-sets across fields, coders and rounds."""
    import random

    from studyapp.services.coding.coding import code_many

    rng = random.Random(4)
    study.rounds.ensure("pilot", "Pilot")
    units = [u["id"] for u in study.units.list("defect", with_text=False)]
    for _ in range(300):
        row = _row(rng, units)
        code_many(study, [row])
        assert study.annotations.counts_drift() == []
    fast = study.annotations.value_counts("tiny", "stage")
    slow = study.annotations.value_counts("tiny", "stage", coders=["bob", "chen", "lea"])
    assert fast == slow and fast


def _row(rng, units):
    from studyapp.services.coding.coding import CodingRow

    field = rng.choice(["stage", "severity"])
    codes = {"stage": ["env", "train"], "severity": ["low", "high"]}[field]
    value = None if rng.random() < 0.2 else rng.choice(codes)
    return CodingRow(rng.choice(units), "tiny", field, rng.choice(["bob", "chen", "lea"]), value,
                     round=rng.choice(["main", "pilot"]))
