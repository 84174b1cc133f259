"""Rounds belong to codebooks (issue 14 #1): coding views open on the codebook's active round and list
only its rounds, a save into another codebook's round is refused, agreement leaves one-coder rounds
out and says so, and an old study's rounds are attached to the codebooks that used them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from studyapp.cli import main
from studyapp.errors import InvalidInput, PermissionDenied
from studyapp.services.agreement import report
from studyapp.services.agreement.views import field_view, overview_view
from studyapp.services.coding import rounds as rounds_svc
from studyapp.services.coding.codebooks import add_codebook
from studyapp.services.coding.coding import CodingRow, code_many, code_unit
from studyapp.services.defects.views import labelling_view
from studyapp.services.interviews.views import coding_view
from studyapp.services.study.browse import codebooks_for
from studyapp.store import Store
from tests.conftest import copy_demo

DEFECTS, INTERVIEWS, SLR = "dl-reengineering-defects", "ptm-reuse-interviews", "ptm-reuse-slr"


@pytest.fixture
def demo(demo_template, tmp_path):
    store = Store.open(copy_demo(demo_template, tmp_path / "demo"))
    yield store
    store.close()


def _defects_cb(store):
    return next(b for b in codebooks_for(store, "defect") if b.id == DEFECTS)


def test_coding_views_open_on_the_codebooks_active_round_and_list_only_its_rounds(demo):
    assert demo.rounds.list()[-1]["id"] == "screening-ft"  # what the Round box used to open on
    v = coding_view(demo, "bob")
    assert v.codebook.id == INTERVIEWS and v.round == "main" and v.rounds == ["pilot", "main"]
    lv = labelling_view(demo, _defects_cb(demo), "bob")
    assert lv.round == "main" and lv.rounds == ["pilot", "calibration", "main"]
    assert "screening-ft" not in v.rounds + lv.rounds and "extraction" not in v.rounds + lv.rounds
    # a lead moves the active round: the views follow
    rounds_svc.add_round(demo, "second", "Second pass", codebook=DEFECTS, actor="alice")
    rounds_svc.set_active_round(demo, DEFECTS, "second", actor="alice")
    lv = labelling_view(demo, _defects_cb(demo), "bob")
    assert lv.round == "second" and lv.rounds[-1] == "second"
    assert coding_view(demo, "bob").round == "main"  # the interviews codebook keeps its own


def test_saving_into_another_codebooks_round_is_refused(demo):
    uid = demo.units.list("defect", with_text=False)[0]["id"]
    before = demo.annotations.count()
    with pytest.raises(InvalidInput) as e:
        code_unit(demo, CodingRow(uid, DEFECTS, "is_defect", "bob", "defect", round="screening-ft"))
    msg = str(e.value)
    assert "round 'screening-ft' belongs to codebook ptm-reuse-slr-screening, not to 'dl-reengineering-defects'" in msg
    assert "pilot, calibration, main (active: main)" in msg
    assert not [a for a in demo.annotations.for_unit(uid) if a["round"] == "screening-ft"]
    assert demo.annotations.count() == before
    # a free round is taken by the first codebook coded in it, then refuses the others
    demo.rounds.ensure("spare")
    code_unit(demo, CodingRow(uid, DEFECTS, "is_defect", "bob", "defect", round="spare"))
    assert demo.rounds.codebooks_of("spare") == [DEFECTS]
    seg = demo.units.list("segment", with_text=False)[1]["id"]
    with pytest.raises(InvalidInput, match="round 'spare' belongs to codebook dl-reengineering-defects"):
        code_many(demo, [CodingRow(seg, INTERVIEWS, "challenges", "bob", ["discrepancies"], round="spare")])


def test_only_a_lead_sets_the_active_round_and_the_cli_does_it(demo):
    with pytest.raises(PermissionDenied):
        rounds_svc.set_active_round(demo, DEFECTS, "pilot", actor="bob")
    with pytest.raises(InvalidInput, match="belongs to codebook"):
        rounds_svc.set_active_round(demo, DEFECTS, "extraction", actor="alice")
    folder = str(demo.folder)
    demo.close()
    run = CliRunner().invoke
    r = run(main, ["round", "add", folder, "recode", "--codebook", DEFECTS, "--active", "--by", "alice"])
    assert r.exit_code == 0, r.stderr
    assert "round recode: serves dl-reengineering-defects; active round of dl-reengineering-defects" in r.output
    r = run(main, ["round", "list", folder])
    assert "dl-reengineering-defects: active round recode" in r.output and f"{INTERVIEWS}: active round main" in r.output
    r = run(main, ["round", "active", folder, DEFECTS, "main"])
    assert r.exit_code == 0 and "active round main" in r.output
    r = run(main, ["round", "active", folder, DEFECTS, "screening-ta"])
    assert r.exit_code == 2 and "belongs to codebook ptm-reuse-slr-screening" in r.stderr
    with Store.open(folder) as store:
        assert store.rounds.active(DEFECTS) == "main"
        assert [h["action"] for h in store.history.recent(3, action_prefix="round.active")] == ["round.active"] * 3


def test_agreement_leaves_a_one_coder_round_out_and_says_so(demo):
    """One defect label saved in a round nobody else coded: no undefined rows, a note instead."""
    latex_before = report.render(demo, "latex", DEFECTS, n_boot=0)
    rounds_svc.add_round(demo, "solo", codebook=DEFECTS, actor="alice")
    uid = demo.units.list("defect", with_text=False)[0]["id"]
    code_unit(demo, CodingRow(uid, DEFECTS, "is_defect", "bob", "defect", round="solo"))
    latex = report.render(demo, "latex", DEFECTS, n_boot=0)
    assert latex.count("undefined") == latex_before.count("undefined")
    assert "solo" not in latex.split("\\bottomrule")[0]  # no row of the round in the table
    assert "round solo of dl-reengineering-defects left out: 1 coder" in latex
    md = report.render(demo, "markdown", DEFECTS, n_boot=0)
    assert "round solo of dl-reengineering-defects left out: 1 coder" in md
    # Agreement -> Field opens on a round with two coders (a lead sees main), and names what it left out
    fv = field_view(demo, "alice", DEFECTS, field="is_defect")
    assert fv.rounds == ["main"] and "solo" not in fv.round_options and fv.agreement is not None
    assert "round solo left out: 1 coder" in fv.left_out
    ov = overview_view(demo, DEFECTS, viewer="alice")
    assert "solo" not in set(ov.table["rounds"]) and any("solo" in n for n in ov.left_out)


def test_an_old_study_gets_its_rounds_attached_to_the_codebooks_that_used_them(tmp_path, tiny_codebook):
    folder = tmp_path / "old"
    folder.mkdir()
    old = Store._connect(folder, stop_before="m009_round_codebooks")
    assert "round_codebooks" not in old.db.table_names()
    iv = tmp_path / "iv.yaml"
    iv.write_text('id: iv\ntitle: Interviews\nversion: "1"\nkind: interview\nfields:\n'
                  '  - id: theme\n    type: multi\n    codes: [{id: trust, label: Trust}]\n', encoding="utf-8")
    for name in ("main", "pilot", "screening-ft", "unused"):
        old.rounds.ensure(name)
    add_codebook(old, tiny_codebook)
    add_codebook(old, iv)
    old.coders.add("bob")
    old.coders.add("chen")
    [d1] = old.units.add_many([{"kind": "defect", "key": "D1", "title": "d"}])
    [t] = old.units.add_many([{"kind": "transcript", "key": "t", "title": "t"}])
    [s1] = old.units.add_many([{"kind": "segment", "key": "t:1", "parent_id": t, "title": "P1", "text": "x"}])
    code_many(old, [CodingRow(d1, "tiny", "stage", "bob", "env", round="pilot"),
                    CodingRow(d1, "tiny", "stage", "chen", "env", round="main")])
    code_many(old, [CodingRow(s1, "iv", "theme", "bob", ["trust"], round="pilot")])
    old.conn.execute("INSERT INTO memos (target_kind, unit_id, coder, text, created_at, updated_at)"
                     " VALUES ('unit', ?, 'bob', 'on a turn', 'x', 'x')", (s1,))
    old.conn.execute("INSERT INTO memos (target_kind, codebook, code, coder, text, created_at, updated_at)"
                     " VALUES ('code', 'tiny', 'stage:env', 'chen', 'on a code', 'x', 'x')")
    old.close()
    with Store.open(folder) as new:
        assert new.rounds.codebooks_of("pilot") == ["iv", "tiny"]
        assert new.rounds.codebooks_of("main") == ["tiny"]
        assert new.rounds.codebooks_of("unused") == [] and new.rounds.codebooks_of("screening-ft") == []
        assert new.rounds.active("tiny") == "main" and new.rounds.active("iv") == "pilot"
        assert {m["text"]: m["round"] for m in new.memos.list()} == {"on a turn": "pilot", "on a code": "main"}
        assert coding_view(new, "bob").rounds == ["pilot"]
        with pytest.raises(InvalidInput, match="belongs to codebook tiny"):
            code_unit(new, CodingRow(s1, "iv", "theme", "chen", ["trust"], round="main"))


def test_a_lead_sets_the_active_round_on_the_codebooks_page(demo, monkeypatch):
    from studyapp.services.study.auth import set_password
    from tests.team._app import open_page, sign_in

    set_password(demo, "alice", "alice-password")
    set_password(demo, "bob", "bob-password")
    rounds_svc.add_round(demo, "second", codebook=DEFECTS, actor="alice")
    monkeypatch.setenv("STUDYAPP_STUDY", str(demo.folder))
    monkeypatch.setenv("STUDYAPP_AUTH", "1")
    bob = open_page(sign_in("bob", "bob-password"), "codebooks")
    box = bob.selectbox(key="codebooks.pick")
    box.select_index(box.options.index(next(o for o in box.options if "defect" in o.lower()))).run()
    assert not [b for b in bob.button if b.label == "Make active"]  # a coder sees the active round, no control
    assert any("active round: **main**" in c.value for c in bob.caption)
    at = open_page(sign_in("alice", "alice-password"), "codebooks")
    box = at.selectbox(key="codebooks.pick")
    box.select_index(box.options.index(next(o for o in box.options if "defect" in o.lower()))).run()
    at.selectbox(key=f"codebooks.active.{DEFECTS}").set_value("second").run()
    at.button(key=f"codebooks.make_active.{DEFECTS}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("now open on round 'second'" in s.value for s in at.success)
    with Store.open(demo.folder) as store:
        assert store.rounds.active(DEFECTS) == "second"
        assert labelling_view(store, _defects_cb(store), "bob").round == "second"


def test_the_disagreements_view_of_a_codebook_names_only_its_own_rounds(demo_copy):
    """The defects' Disagreements view once offered (and called blind) the papers' screening rounds."""
    from studyapp.services.agreement.adjudication import disagreements
    from studyapp.services.agreement.views import disagreements_view

    with Store.open(demo_copy) as store:
        v = disagreements_view(store, "dl-reengineering-defects")
        own = {r["id"] for r in store.rounds.of_codebook("dl-reengineering-defects")}
        assert {r["id"] for r in v.rounds} == own and not any(r.startswith("screening") for r in own)
        for fid in v.fields:
            hidden = disagreements(store, "dl-reengineering-defects", fid).hidden_rounds
            assert set(hidden) <= own, (fid, hidden)
        assert not any("screening" in h for h in v.progress["hidden_rounds"])
