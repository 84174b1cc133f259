"""The coincidence pairs the triggers keep (migration m008) always equal counting the annotations
again: after random sets, changes and clears through the service, raw SQL writes that move values
between units and rounds, a whole-study archive round trip (rows loaded with triggers set aside),
a tampered archive, and an old study upgraded to this schema. And alpha read from them (V x V
numbers) equals alpha from the coders x units matrix."""

from __future__ import annotations

import json
import random
import zipfile

import numpy as np
import pytest

from studyapp.errors import UnknownCode
from studyapp.services.agreement.fields import field_agreement, field_alpha
from studyapp.services.coding.coding import CodingRow, code_many
from studyapp.services.study.archive import export_study, import_study
from studyapp.store import Store
from studyapp.store import migrations as schema

CODERS = ["bob", "chen", "lea"]


def _random_codings(study, rng: random.Random, n: int) -> None:
    study.rounds.ensure("main", "Main")
    study.rounds.ensure("pilot", "Pilot")
    units = [u["id"] for u in study.units.list("defect", with_text=False)]
    for _ in range(n):
        field = rng.choice(["stage", "cause", "severity"])
        codes = {"stage": ["env", "train"], "cause": ["env", "api", "gpu", "train", "loss"],
                 "severity": ["low", "high"]}[field]
        value = None if rng.random() < 0.2 else rng.choice(codes)
        rows = [CodingRow(rng.choice(units), "tiny", field, rng.choice(CODERS), value,
                          round=rng.choice(["main", "pilot"]))]
        try:
            code_many(study, rows)
        except UnknownCode:  # a cause under another stage than the coder's: refused, nothing written
            pass


@pytest.fixture
def coded(study):
    study.units.add_many([{"kind": "defect", "key": f"E{i}", "title": "", "text": ""} for i in range(12)])
    _random_codings(study, random.Random(11), 400)
    return study


def test_kept_pairs_equal_a_recount_after_every_random_change(study):
    study.units.add_many([{"kind": "defect", "key": f"E{i}", "title": "", "text": ""} for i in range(5)])
    rng = random.Random(3)
    for step in range(250):
        _random_codings(study, rng, 1)
        assert study.annotations.pairs_drift() == [], f"drift after change {step}"
        assert study.annotations.counts_drift() == []
    assert study.annotations.kept_pairs("tiny", "stage")
    assert study.scalar("SELECT count(*) FROM agreement_pairs WHERE n <= 0") == 0, "no zero rows are kept"


def test_raw_updates_that_move_values_between_units_and_rounds_keep_them_right(coded):
    """Every writer goes through the triggers, not only `Annotations.set_many`."""
    conn = coded.conn
    ids = [u["id"] for u in coded.units.list("defect", with_text=False)]
    with coded.transaction():
        conn.execute("UPDATE annotations SET round = 'pilot' WHERE round = 'main' AND coder = 'bob'"
                     " AND unit_id % 2 = 0 AND NOT EXISTS (SELECT 1 FROM annotations b WHERE"
                     " b.unit_id = annotations.unit_id AND b.codebook = annotations.codebook AND b.field ="
                     " annotations.field AND b.coder = 'bob' AND b.round = 'pilot')")
        conn.execute("UPDATE annotations SET value = 'high' WHERE field = 'severity' AND coder = 'chen'")
        conn.execute("DELETE FROM annotations WHERE coder = 'lea' AND unit_id = ?", (ids[0],))
    assert coded.annotations.pairs_drift() == [] and coded.annotations.counts_drift() == []


def test_an_archive_round_trip_loads_them_with_triggers_set_aside_and_they_still_match(coded, tmp_path):
    out = tmp_path / "study.zip"
    export_study(coded, out)
    import_study(out, tmp_path / "copy")
    with Store.open(tmp_path / "copy") as copy:
        assert copy.annotations.pairs_drift() == [] and copy.annotations.counts_drift() == []
        kept = sorted(copy.annotations.kept_pairs("tiny", "cause"))
        assert kept == sorted(coded.annotations.kept_pairs("tiny", "cause"))
        _random_codings(copy, random.Random(5), 60)  # the triggers are back after the load
        assert copy.annotations.pairs_drift() == []


def test_an_archive_with_altered_kept_numbers_is_refused(coded, tmp_path):
    """Derived numbers are never taken on trust from a file: the import recounts and compares."""
    out, bad = tmp_path / "study.zip", tmp_path / "bad.zip"
    export_study(coded, out)
    with zipfile.ZipFile(out) as zin:
        manifest = json.loads(zin.read("manifest.json"))
        member = next(m for m in manifest["members"] if "agreement_pairs" in m)
        text = zin.read(member).decode()
    lines = text.splitlines()
    row = json.loads(lines[0])
    row[-1] += 1000
    lines[0] = json.dumps(row)
    changed = "\n".join(lines) + ("\n" if text.endswith("\n") else "")
    import hashlib

    manifest["members"][member] = hashlib.sha256(changed.encode()).hexdigest()
    with zipfile.ZipFile(out) as zin, zipfile.ZipFile(bad, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == member:
                data = changed.encode()
            elif name == "manifest.json":
                data = json.dumps(manifest).encode()
            zout.writestr(name, data)
    # Derived numbers are never taken on trust: the import recounts them and refuses an archive
    # whose kept pairs differ from the recount, leaving nothing behind.
    from studyapp.errors import InvalidInput

    with pytest.raises(InvalidInput, match="the agreement pairs do not match the annotations"):
        import_study(bad, tmp_path / "copy")
    assert not Store.exists(tmp_path / "copy")


def test_a_study_from_before_the_kept_pairs_is_upgraded_with_them_counted(tmp_path, tiny_codebook):
    folder = tmp_path / "old"
    folder.mkdir()
    old = Store._connect(folder, stop_before="m008_agreement_pairs")
    assert "m008_agreement_pairs" not in old.schema_migrations()
    from studyapp.services.coding.codebooks import add_codebook

    old.coders.add("lea", "lead")
    for c in CODERS[:2]:
        old.coders.add(c)
    add_codebook(old, tiny_codebook, actor="lea")
    old.units.add_many([{"kind": "defect", "key": f"D{i}", "title": "", "text": ""} for i in range(8)])
    _random_codings(old, random.Random(8), 150)
    before = field_agreement(old, "tiny", "stage", n_boot=0).stat("krippendorff_alpha")
    old.close()
    with Store.open(folder) as new:
        assert new.schema_migrations() == [m.name for m in schema.migrations._migrations]
        assert new.annotations.pairs_drift() == [] and new.annotations.kept_pairs("tiny", "stage")
        assert field_alpha(new, "tiny", "stage").value == pytest.approx(before.value, abs=1e-12)
        _random_codings(new, random.Random(9), 80)
        assert new.annotations.pairs_drift() == []


@pytest.mark.parametrize("field,depth", [("stage", None), ("severity", None), ("cause", None), ("cause", 1)])
def test_alpha_from_the_kept_pairs_equals_alpha_from_the_units(coded, field, depth):
    for rounds in (None, ["main"], ["pilot"], ["main", "pilot"]):
        fast = field_alpha(coded, "tiny", field, rounds=rounds, depth=depth)
        slow = field_agreement(coded, "tiny", field, rounds=rounds, depth=depth, n_boot=0).stat("krippendorff_alpha")
        counted = field_alpha(coded, "tiny", field, rounds=rounds, depth=depth, coders=CODERS)
        assert (fast.value is None) == (slow.value is None) == (counted.value is None)
        if slow.value is not None:
            assert fast.value == pytest.approx(slow.value, abs=1e-12) == counted.value
            assert fast.n_units == slow.n_units and fast.n_coders == slow.n_coders
        else:
            assert fast.undefined_reason == slow.undefined_reason


def test_degenerate_fields_give_the_same_reasons_on_the_fast_path(study):
    d = [u["id"] for u in study.units.list("defect", with_text=False)]
    code_many(study, [CodingRow(d[0], "tiny", "stage", "bob", "env")])
    assert field_alpha(study, "tiny", "stage").undefined_reason == \
        field_agreement(study, "tiny", "stage", n_boot=0).stat("krippendorff_alpha").undefined_reason
    code_many(study, [CodingRow(d[0], "tiny", "stage", "chen", "env"), CodingRow(d[1], "tiny", "stage", "chen", "env"),
                      CodingRow(d[1], "tiny", "stage", "bob", "env")])
    fast = field_alpha(study, "tiny", "stage")
    assert fast.value is None and fast.undefined_reason == \
        field_agreement(study, "tiny", "stage", n_boot=0).stat("krippendorff_alpha").undefined_reason


def test_a_value_that_is_no_code_of_the_codebook_falls_back_to_counting(study):
    """An older codebook's code is left out before units are paired; the kept pairs cannot do that."""
    d = [u["id"] for u in study.units.list("defect", with_text=False)]
    for u, (a, b) in zip(d, [("env", "env"), ("train", "env"), ("env", "train")]):
        study.annotations.set_many([
            {"unit_id": u, "codebook": "tiny", "field": "stage", "coder": "bob", "round": "main", "value": a},
            {"unit_id": u, "codebook": "tiny", "field": "stage", "coder": "chen", "round": "main", "value": b}])
    study.annotations.set_many([{"unit_id": d[0], "codebook": "tiny", "field": "stage", "coder": "lea",
                                 "round": "main", "value": "retired-code"}])
    fast = field_alpha(study, "tiny", "stage")
    slow = field_agreement(study, "tiny", "stage", n_boot=0).stat("krippendorff_alpha")
    assert fast.value == pytest.approx(slow.value, abs=1e-12) and fast.n_units == slow.n_units


def test_kept_alpha_on_a_larger_random_field_matches_the_matrix(study):
    rng = np.random.default_rng(2)
    ids = study.units.add_many([{"kind": "defect", "key": f"R{i}", "title": "", "text": ""} for i in range(400)])
    truth = rng.integers(0, 5, len(ids))
    codes = ["env", "api", "gpu", "train", "loss"]
    rows = [{"unit_id": u, "codebook": "tiny", "field": "cause", "coder": c, "round": "main",
             "value": codes[truth[j] if rng.random() < 0.7 else rng.integers(0, 5)]}
            for c in CODERS for j, u in enumerate(ids) if rng.random() < 0.8]
    study.annotations.set_many(rows)
    assert study.annotations.pairs_drift() == []
    fast = field_alpha(study, "tiny", "cause")
    slow = field_agreement(study, "tiny", "cause", n_boot=0).stat("krippendorff_alpha")
    assert fast.value == pytest.approx(slow.value, abs=1e-12) and fast.n_units == slow.n_units
