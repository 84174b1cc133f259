"""Blind dual screening stored as annotations: decisions, verdicts, conflicts, resolution, the queue."""

from __future__ import annotations

import pytest

from studyapp.errors import PermissionDenied, StudyError, UnknownCode
from studyapp.services.agreement.reliability_data import reliability_data
from studyapp.services.coding.coding import visible_annotations
from studyapp.services.papers import screening as S
from studyapp.services.papers import queue as Q


def _ids(store, *keys):
    ids = store.units.ids_by_key("paper")
    return [ids[k] for k in keys]


def test_setup_generates_the_screening_codebook_from_the_criteria(imported):
    cb = S.setup(imported, actor="lea")
    assert cb.id == "ptm-reuse-slr-screening" and cb.kind == "slr"
    assert [c.id for c in cb.require_field("reason_ta").codes] == ["E1", "E2", "E4"]
    assert [c.id for c in cb.require_field("reason_ft").codes] == ["E1", "E2", "E3", "E4", "E5", "not-retrieved"]
    assert [c.id for c in cb.require_field("screen_ta").codes] == ["include", "exclude", "maybe"]
    assert "I1 About PTM reuse" in cb.require_field("screen_ft").code("include").definition
    versions = len(imported.codebooks.versions(cb.id))
    S.setup(imported)
    assert len(imported.codebooks.versions(cb.id)) == versions == 1
    assert {"screening-ta", "screening-ft"} <= {r["id"] for r in imported.rounds.list()}


def test_decisions_are_annotations_with_history(imported):
    [p] = _ids(imported, "jiang2023ptmtorrent")
    assert S.decide(imported, p, "bob", "ta", "exclude", "E2") == 2
    assert S.decide(imported, p, "bob", "ta", "include") == 2
    rows = [r for r in imported.annotations.current_rows() if r[0] == p]
    assert rows == [(p, "ptm-reuse-slr-screening", "screen_ta", "bob", "screening-ta", "include")]
    assert [h["action"] for h in imported.history.for_unit(p)][:4] == [
        "annotation.clear", "annotation.set", "annotation.set", "annotation.set"]


def test_decisions_are_checked(imported):
    p = imported.units.list("paper")[0]["id"]
    with pytest.raises(StudyError, match="needs its criterion"):
        S.decide(imported, p, "bob", "ta", "exclude")
    with pytest.raises(UnknownCode):
        S.decide(imported, p, "bob", "ta", "exclude", "E3")
    with pytest.raises(StudyError, match="one of include"):
        S.decide(imported, p, "bob", "ta", "skip")
    with pytest.raises(StudyError, match="not passed title/abstract"):
        S.decide(imported, p, "bob", "ft", "include")
    dup = _ids(imported, "jiang2023empiricala")[0]
    with pytest.raises(StudyError, match="duplicate"):
        S.decide(imported, dup, "bob", "ta", "include")
    assert imported.annotations.count() == 0


def test_verdict_rules(imported):
    a, b, c, d = [u["id"] for u in S.primary_papers(imported)[:4]]
    S.decide(imported, a, "bob", "ta", "include")
    assert S.verdicts(imported, "ta")[a].status == "pending"
    S.decide(imported, a, "chen", "ta", "maybe")
    S.decide(imported, b, "bob", "ta", "include")
    S.decide(imported, b, "chen", "ta", "exclude", "E1")
    S.decide(imported, c, "bob", "ta", "exclude", "E1")
    S.decide(imported, c, "chen", "ta", "exclude", "E2")
    v = S.verdicts(imported, "ta")
    assert (v[a].status, v[b].status, v[c].status, v[d].status) == ("included", "conflict", "excluded", "unscreened")
    assert S.eligible(imported, "ft") == [a]
    S.decide(imported, a, "bob", "ft", "exclude", "E3")
    S.decide(imported, a, "chen", "ft", "exclude", "E5")
    assert S.verdicts(imported, "ft")[a].status == "conflict"
    S.decide(imported, a, "chen", "ft", "exclude", "E3")
    assert S.verdicts(imported, "ft")[a] == S.Verdict("excluded", "exclude", "E3", 2)


def test_single_reviewer_mode(imported):
    with pytest.raises(PermissionDenied):
        S.set_reviewers(imported, 1, actor="bob")
    S.set_reviewers(imported, 1, actor="lea")
    a = S.primary_papers(imported)[0]["id"]
    S.decide(imported, a, "bob", "ta", "exclude", "E4")
    assert S.verdicts(imported, "ta")[a].status == "excluded"


def test_reviewers_stay_blind_until_the_lead_opens_the_stage(imported):
    a, b = [u["id"] for u in S.primary_papers(imported)[:2]]
    S.decide(imported, a, "bob", "ta", "include")
    S.decide(imported, a, "chen", "ta", "exclude", "E1")
    S.decide(imported, b, "bob", "ta", "include")
    assert {x["coder"] for x in visible_annotations(imported, a, "bob")} == {"bob"}
    assert S.my_decisions(imported, "ta", "bob") == {a: ("include", None), b: ("include", None)}
    assert S.conflicts(imported, "ta", "bob") == S.Conflicts("ta", True, 0, [])
    assert S.conflicts(imported, "ta", "lea") == S.Conflicts("ta", True, 1, [])
    with pytest.raises(PermissionDenied):
        S.open_stage_reconciliation(imported, "ta", actor="bob")
    with pytest.raises(PermissionDenied):
        S.resolve(imported, a, "ta", "include", None, "fits I1", actor="lea")
    S.open_stage_reconciliation(imported, "ta", actor="lea")
    assert not imported.rounds.is_open("screening-ft")
    assert {x["coder"] for x in visible_annotations(imported, a, "bob")} == {"bob", "chen"}
    conf = S.conflicts(imported, "ta", "bob")
    assert conf.count == 1 and conf.rows[0]["votes"] == {"bob": "include", "chen": "exclude (E1: Not about PTMs)"}


def test_lead_resolves_a_conflict(imported):
    a = S.primary_papers(imported)[0]["id"]
    S.decide(imported, a, "bob", "ta", "include")
    S.decide(imported, a, "chen", "ta", "exclude", "E1")
    S.open_stage_reconciliation(imported, "ta", actor="lea")
    with pytest.raises(PermissionDenied):
        S.resolve(imported, a, "ta", "include", None, "fits I1", actor="bob")
    with pytest.raises(StudyError, match="rationale"):
        S.resolve(imported, a, "ta", "include", None, " ", actor="lea")
    S.resolve(imported, a, "ta", "exclude", "E1", "uses PTMs as a tool", actor="lea")
    assert S.verdicts(imported, "ta")[a] == S.Verdict("excluded", "exclude", "E1", 2, True)
    S.resolve(imported, a, "ta", "include", None, "second look: it studies reuse", actor="lea")
    assert S.verdicts(imported, "ta")[a].status == "included"
    assert imported.finals.current_rows() == [(a, "ptm-reuse-slr-screening", "screen_ta", "include")]
    assert S.conflicts(imported, "ta", "lea").count == 0


def test_agreement_reads_screening_like_any_field(imported):
    papers = [u["id"] for u in S.primary_papers(imported)[:4]]
    for p, (x, y) in zip(papers, [("include", "include"), ("exclude", "exclude"), ("include", "exclude"),
                                  ("maybe", "include")]):
        S.decide(imported, p, "bob", "ta", x, "E1" if x == "exclude" else None)
        S.decide(imported, p, "chen", "ta", y, "E1" if y == "exclude" else None)
    data = reliability_data(imported, "ptm-reuse-slr-screening", "screen_ta")
    assert data.coders == ["bob", "chen"] and data.n_units == 4


def test_queue_learns_only_from_what_the_reviewer_may_see(imported):
    q0 = Q.queue(imported, "ta", "bob")
    assert not q0.prioritised and len(q0.ids) == q0.eligible == 13
    peatmoss, bert = _ids(imported, "jiang2024peatmoss", "doe2022finetuning")
    S.decide(imported, peatmoss, "bob", "ta", "include")
    S.decide(imported, bert, "bob", "ta", "exclude", "E1")
    q1 = Q.queue(imported, "ta", "bob")
    assert q1.prioritised and len(q1.ids) == 11 and q1.done_by_me == 2
    others = q1.ids[-3:]
    for i in others:
        S.decide(imported, i, "chen", "ta", "include")
    assert Q.queue(imported, "ta", "bob").ids == q1.ids
    assert all(i not in Q.queue(imported, "ta", "chen").ids for i in others)


def test_papers_decided_by_enough_reviewers_leave_the_queue(imported):
    lea_free = Q.queue(imported, "ta", "lea").ids
    a = lea_free[0]
    S.decide(imported, a, "bob", "ta", "include")
    S.decide(imported, a, "chen", "ta", "include")
    assert a not in Q.queue(imported, "ta", "lea").ids
