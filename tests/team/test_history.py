"""The audit trail: every kind of change lands in the history with who and when; a unit's trail shows
in `studyapp history --unit` and in the History expander of the coding pages; `--as CODER` (and the
page, for the signed-in coder) hides other coders' values until a lead opens reconciliation; and
nothing is deleted in place: the history only grows, a cleared value is a new row."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from studyapp.cli import main
from studyapp.services.agreement.adjudication import adjudicate
from studyapp.services.coding.codebooks import add_codebook
from studyapp.services.coding.coding import CodingRow, code_many, open_reconciliation
from studyapp.services.study.auth import set_password
from studyapp.services.study.history import HIDDEN, unit_history
from studyapp.store import archive

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def new_rows(store, since: int) -> list[dict]:
    """History rows after id `since`, oldest first."""
    return [r for r in reversed(store.history.recent(None)) if r["id"] > since]


def last_id(store) -> int:
    return store.change_counter()


def when(row: dict) -> dt.datetime:
    t = dt.datetime.fromisoformat(row["at"])
    assert t.tzinfo is not None and abs(dt.datetime.now(dt.timezone.utc) - t) < dt.timedelta(minutes=10)
    return t


def one(rows: list[dict], action: str, **match) -> dict:
    hits = [r for r in rows if r["action"] == action and all(r.get(k) == v for k, v in match.items())]
    assert len(hits) == 1, (action, match, [(r["action"], r["actor"]) for r in rows])
    return hits[0]


def test_annotations_set_changed_and_cleared(study):
    d1 = study.units.by_key("defect", "D1")["id"]
    start = last_id(study)
    code_many(study, [CodingRow(d1, "tiny", "stage", "bob", "env", note="first look")])
    code_many(study, [CodingRow(d1, "tiny", "stage", "bob", "Training")])
    code_many(study, [CodingRow(d1, "tiny", "stage", "bob", None)])
    rows = new_rows(study, start)
    assert [(r["action"], r["old"], r["new"], r["actor"], r["coder"], r["round"]) for r in rows] == [
        ("annotation.set", None, "env", "bob", "bob", "main"),
        ("annotation.set", "env", "train", "bob", "bob", "main"),
        ("annotation.clear", "train", None, "bob", "bob", "main")]
    assert rows[0]["note"] == "first look" and rows[0]["unit_id"] == d1
    assert when(rows[0]) <= when(rows[1]) <= when(rows[2])
    assert all(r["detail"]["v"] for r in rows[:2])  # the codebook version each value was made with


def test_codebook_versions_reconciliation_and_adjudication(study, tiny_codebook):
    d1 = study.units.by_key("defect", "D1")["id"]
    code_many(study, [CodingRow(d1, "tiny", "stage", "bob", "env"), CodingRow(d1, "tiny", "stage", "chen", "train")])
    start = last_id(study)
    tiny_codebook.write_text(tiny_codebook.read_text() + "  - id: extra\n    type: text\n", encoding="utf-8")
    add_codebook(study, tiny_codebook, actor="lea")
    add_codebook(study, tiny_codebook, actor="lea")  # the same text: no new version, no new row
    open_reconciliation(study, "main", actor="lea")
    adjudicate(study, unit_id=d1, codebook_id="tiny", field_id="stage", value="env", rationale="API setup",
               actor="lea", round_id="main")
    adjudicate(study, unit_id=d1, codebook_id="tiny", field_id="stage", value="train", rationale="re-read",
               actor="lea", round_id="main")
    rows = new_rows(study, start)
    assert [r["action"] for r in rows] == ["codebook.version", "round.reconciliation", "final.set", "final.set"]
    v = rows[0]
    assert v["actor"] == "lea" and v["codebook"] == "tiny" and v["new"]["id"] == 2 and len(v["new"]["hash"]) == 64
    assert rows[1]["actor"] == "lea" and rows[1]["round"] == "main" and rows[1]["new"] == {"open": True}
    assert [(r["old"], r["new"], r["note"], r["actor"]) for r in rows[2:]] == [
        (None, "env", "API setup", "lea"), ("env", "train", "re-read", "lea")]
    for r in rows:
        when(r)


def test_every_import_is_recorded_with_who_and_when(study, tmp_path):
    from studyapp.services.coding.labels import import_labels
    from studyapp.services.defects.imports import import_defects
    from studyapp.services.interviews.imports import import_transcripts
    from studyapp.services.papers.imports import import_papers

    start = last_id(study)
    import_papers(study, [DATA / "papers" / "scopus.csv"], actor="lea")
    import_transcripts(study, [DATA / "transcripts" / "interview-05.txt"], actor="lea")
    issues = tmp_path / "issues.csv"
    issues.write_text("url,title,body\nhttps://github.com/o/r/issues/7,CUDA crash,boom\n", encoding="utf-8")
    import_defects(study, [issues], actor="lea")
    labels = tmp_path / "labels.csv"
    labels.write_text("key,stage\nD1,env\nD2,train\n", encoding="utf-8")
    import_labels(study, labels, coder="chen", codebook="tiny", actor="lea")
    rows = new_rows(study, start)
    imports = {i["id"]: i for i in study.imports.list()}
    logged = [r for r in rows if r["action"] == "import"]
    assert [imports[r["detail"]["import"]]["kind"] for r in logged] == ["papers", "transcripts", "defects", "labels"]
    for r in logged:
        assert r["actor"] == "lea" and imports[r["detail"]["import"]]["by"] == "lea"
        when(r)
    added = [r for r in rows if r["action"] == "units.add"]
    assert {k for r in added for k in r["detail"]["kinds"]} == {"paper", "transcript", "segment", "defect"}
    assert all(r["actor"] == "lea" and r["detail"]["import"] in imports for r in added)
    labelled = [r for r in rows if r["action"] == "annotation.set"]
    assert [(r["coder"], r["actor"], r["new"]) for r in labelled] == [("chen", "lea", "env"), ("chen", "lea", "train")]


def test_claims_added_changed_and_validated(study):
    from studyapp.services.claims.validation import validate_study

    d1 = study.units.by_key("defect", "D1")["id"]
    code_many(study, [CodingRow(d1, "tiny", "stage", "bob", "env")])
    start = last_id(study)
    spec = {"metric": "coding_count", "params": {"codebook": "tiny", "field": "stage", "code": "env"},
            "rule": "count >= 1"}
    study.claims.upsert("C9", text="Some defects are environment defects", type="quantitative", data=spec,
                        actor="bob")
    study.claims.upsert("C9", text="Some defects are about the environment", type="quantitative", data=spec,
                        actor="lea")
    [outcome] = validate_study(study, actor="lea", ids=["C9"])
    rows = new_rows(study, start)
    added, changed = [r for r in rows if r["action"] == "claim.set"]
    assert added["old"] is None and added["new"]["text"] == "Some defects are environment defects"
    assert added["actor"] == "bob"
    assert changed["old"]["text"] == "Some defects are environment defects" and changed["actor"] == "lea"
    validated = one(rows, "claim.validate")
    assert validated["note"] == "C9" and validated["actor"] == "lea" and validated["new"] == outcome.verdict.verdict
    assert study.claims.latest_validations()["C9"]["by"] == "lea"
    for r in rows:
        when(r)


@pytest.fixture
def coded(study):
    """D1 coded by bob and chen in the blind main round, chen's with a note."""
    d1 = study.units.by_key("defect", "D1")["id"]
    code_many(study, [CodingRow(d1, "tiny", "stage", "bob", "env")])
    code_many(study, [CodingRow(d1, "tiny", "stage", "chen", "train", note="chen-only-reading"),
                      CodingRow(d1, "tiny", "note", "chen", "chen-secret-note")])
    code_many(study, [CodingRow(d1, "tiny", "note", "chen", "chen-secret-note, revised")])
    return study


def test_history_unit_in_the_cli(coded):
    folder = coded.folder
    r = cli("history", folder, "--unit", "defect:D1", "--format", "json", "--limit", "0")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert [x["id"] for x in rows] == sorted((x["id"] for x in rows), reverse=True)  # newest first
    assert {x["unit"] for x in rows} == {"defect:D1"}
    assert [(x["who"], x["action"], x["old"], x["new"]) for x in rows][:2] == [
        ("chen", "annotation.set", "chen-secret-note", "chen-secret-note, revised"),
        ("chen", "annotation.set", None, "chen-secret-note")]
    table = cli("history", folder, "--unit", "defect:D1").output.splitlines()
    assert len(table) == 4 and "chen  annotation.set  tiny.note, coder chen, round main: chen-secret-note -> " \
                                  "chen-secret-note, revised" in table[0]
    assert "bob  annotation.set  tiny.stage, coder bob, round main: - -> env" in table[-1]
    assert cli("history", folder, "--unit", "defect:D2").output.strip() == "no changes recorded for defect:D2"
    for bad, message in (("defect:nope", "no defect with key 'nope'"), ("D1", "a unit is KIND:KEY")):
        r = cli("history", folder, "--unit", bad)
        assert r.exit_code == 2 and message in r.stderr
    r = cli("history", folder, "--as", "zoe")
    assert r.exit_code == 2 and "no coder named 'zoe'" in r.stderr


def test_as_coder_hides_other_values_until_reconciliation(coded):
    folder = coded.folder
    for args in (("--unit", "defect:D1"), ()):
        before = cli("history", folder, *args, "--as", "bob", "--format", "json", "--limit", "0")
        text = before.output
        assert "chen-secret-note" not in text and "chen-only-reading" not in text and '"train"' not in text
        rows = json.loads(text)
        # not even chen's rows: which unit another coder changed, and when, is blind too (issue 17 M1)
        assert not [x for x in rows if x["coder"] == "chen" and x["action"].startswith("annotation.")]
        assert any(x["coder"] == "bob" and x["new"] == "env" and not x["hidden"] for x in rows)
        table = cli("history", folder, *args, "--as", "bob").output
        assert "chen-secret-note" not in table and HIDDEN not in table and "coder chen, round main" not in table
    assert "chen-secret-note" in cli("history", folder, "--as", "lea").output  # a lead sees all
    open_reconciliation(coded, "main", actor="lea")
    after = cli("history", folder, "--unit", "defect:D1", "--as", "bob", "--format", "json").output
    assert "chen-secret-note, revised" in after and "chen-only-reading" in after
    assert not any(x["hidden"] for x in json.loads(after))


def test_history_expander_on_the_defects_page(coded, monkeypatch):
    from tests.team._app import open_page, sign_in

    monkeypatch.setenv("STUDYAPP_STUDY", str(coded.folder))
    monkeypatch.setenv("STUDYAPP_AUTH", "1")
    set_password(coded, "bob", "bob-password")

    def trail():
        at = open_page(sign_in("bob", "bob-password"), "defects")
        [exp] = [e for e in at.expander if e.label.startswith("History (")]
        return exp.label, exp.dataframe[0].value, " ".join(c.value for c in exp.caption)

    label, df, notes = trail()
    assert label == "History (1 change)"  # chen's three changes are not even listed before reconciliation
    assert list(df.columns) == ["when", "who", "action", "what", "old", "new", "note"]
    assert list(df["who"]) == ["bob"] and df["new"].iloc[-1] == "env"
    assert "chen" not in df.to_csv()
    assert "once a lead opens reconciliation" in notes and "Nothing is edited or deleted" in notes
    open_reconciliation(coded, "main", actor="lea")
    label, df, _ = trail()
    assert label == "History (4 changes)" and df["new"].iloc[0] == "chen-secret-note, revised" and df["note"].iloc[2] == "chen-only-reading"


def test_history_expander_on_the_interviews_page(ui_study, monkeypatch):
    """A segment's trail under the interview coding panel (here in single-user mode, as chen)."""
    from streamlit.testing.v1 import AppTest

    from tests.team._app import APP

    interview = ui_study.folder.parent / "iv.yaml"
    interview.write_text('id: iv\ntitle: Interviews\nversion: "1"\nkind: interview\nfields:\n'
                         '  - id: theme\n    type: multi\n    codes: [{id: trust, label: Trust}]\n', encoding="utf-8")
    add_codebook(ui_study, interview, actor="lea")
    s1 = ui_study.units.by_key("segment", "int-1:1")["id"]
    code_many(ui_study, [CodingRow(s1, "iv", "theme", "chen", ["trust"]), CodingRow(s1, "iv", "theme", "bob", None)])
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["app.coder"] = "chen"
    at.run()
    at.switch_page("views/interviews.py").run()
    assert not at.exception, [e.value for e in at.exception]
    [exp] = [e for e in at.expander if e.label.startswith("History (")]
    df = exp.dataframe[0].value
    assert list(df[["who", "action", "new"]].itertuples(index=False, name=None)) == [
        ("chen", "annotation.set", '["trust"]')]


def test_nothing_is_deleted_in_place(busy_study, tiny_codebook):
    """After every kind of change the earlier history is still there, row for row, and it grew; the
    current values are what the history says (replay)."""
    store = busy_study
    d1, d2 = (store.units.by_key("defect", k)["id"] for k in ("D1", "D2"))
    changes = [
        lambda: code_many(store, [CodingRow(d2, "tiny", "effort", "chen", 3)]),
        lambda: code_many(store, [CodingRow(d2, "tiny", "effort", "chen", 4)]),
        lambda: code_many(store, [CodingRow(d2, "tiny", "effort", "chen", None)]),
        lambda: code_many(store, [CodingRow(d1, "tiny", "stage", "bob", None, round="pilot")]),
        lambda: store.finals.set(unit_id=d1, codebook="tiny", field="stage", value=None, round="pilot", by="lea",
                                 rationale="withdrawn"),
        lambda: store.memos.edit(1, "rewritten memo", actor="bob"),
        lambda: store.claims.upsert("C1", text="Changed claim", type="quantitative", data={}, actor="lea"),
        lambda: open_reconciliation(store, "pilot", actor="lea", open_=False),
        lambda: store.coders.set_role("bob", "lead", actor="lea"),
    ]
    before = archive.all_rows(store.conn)["history"]
    for change in changes:
        change()
        after = archive.all_rows(store.conn)["history"]
        assert after[:len(before)] == before, "an earlier history row changed or vanished"
        assert len(after) > len(before)
        before = after
        assert store.annotations.replay() == store.annotations.current_rows()
        assert store.finals.replay() == store.finals.current_rows()
    cleared = [r for r in store.history.for_unit(d2) if r["action"] == "annotation.clear" and r["field"] == "effort"]
    assert [(r["old"], r["coder"]) for r in cleared] == [("4.0", "chen")]
    trail = [(r["action"], r["old"], r["new"]) for r in unit_history(store, d2, "lea") if r["field"] == "effort"
             and r["coder"] == "chen"]
    assert trail == [("annotation.clear", "4.0", None), ("annotation.set", "3.0", "4.0"),
                     ("annotation.set", None, "3.0")]
    memo = [r for r in store.history.recent(None) if r["action"].startswith("memo.")]
    assert [r["new"] for r in memo][:2] == ["rewritten memo", "stage definition unclear for forks"]
