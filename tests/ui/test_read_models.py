"""The pages' read-models: the UI asks services for what it draws, and what comes back is blind.

Two kinds of test. The house rule, checked on the source of `studyapp/ui/` (and proven to catch a
planted violation): no UI module imports the store, readers, interop or YAML (only `ui/state.py`
opens the store), touches `st.session_state` or `st.cache_*` outside `ui/state.py`, or calls a
service by dotted name. And the read-models themselves, called directly on the demo study: a
coder's views carry no other coder's values before a lead opens reconciliation, and do after;
selections fall back as the page's widgets do; cached reads are what the page passes in.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from studyapp.services.agreement.views import field_view, overview_view
from studyapp.services.claims.views import claims_view
from studyapp.services.coding.coding import open_reconciliation
from studyapp.services.coding.views import codebooks_view
from studyapp.services.defects.views import analysis_view, defect_codebooks, labelling_view
from studyapp.services.interviews.views import coding_view
from studyapp.services.papers import extraction, screening
from studyapp.services.papers.views import conflicts_view, extract_view, records_view, screen_view
from studyapp.services.study.study import status
from studyapp.services.study.views import home_view
from studyapp.store import Store

UI = Path(__file__).resolve().parents[2] / "studyapp" / "ui"
FORBIDDEN = ("studyapp.store", "studyapp.readers", "studyapp.interop", "yaml", "importlib")
STATE_ONLY = ("session_state", "cache_data", "cache_resource")
DOTTED = re.compile(r"studyapp(\.\w+){2,}")
INTERVIEWS, DEFECTS = "ptm-reuse-interviews", "dl-reengineering-defects"


def ui_violations(root: Path) -> list[str]:
    """Every place under `root` (a copy of studyapp/ui) that breaks the UI's rules."""
    out = []
    for p in sorted(root.rglob("*.py")):
        rel = p.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            where = f"{rel}:{getattr(node, 'lineno', '?')}"
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            for n in names:
                allowed = (rel, n) == ("state.py", "studyapp.store")
                if any(n == f or n.startswith(f + ".") for f in FORBIDDEN) and not allowed:
                    out.append(f"{where}: imports {n}")
            if rel == "state.py":
                continue
            if isinstance(node, ast.Attribute) and node.attr in STATE_ONLY:
                out.append(f"{where}: st.{node.attr} outside ui/state.py")
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Store":
                out.append(f"{where}: Store.{node.attr} (only ui/state.py opens the store)")
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "store":
                out.append(f"{where}: store.{node.attr} (a page passes the store to a service)")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED.fullmatch(node.value):
                out.append(f"{where}: calls {node.value} by name")
    return out


def test_the_ui_asks_services_and_never_the_store_readers_or_interop():
    assert ui_violations(UI) == []


def test_the_rule_catches_a_planted_violation(tmp_path):
    (tmp_path / "views").mkdir()
    (tmp_path / "state.py").write_text("from studyapp.store import Store\nimport streamlit as st\n"
                                       "st.session_state['a.b'] = 1\n", encoding="utf-8")
    (tmp_path / "views" / "page.py").write_text(
        "import yaml\n"
        "from studyapp.store import Store\n"
        "from studyapp.readers.defects.markdown import issue_blocks\n"
        "import studyapp.interop.refi_export\n"
        "from studyapp.ui.state import Store as S\n"
        "import streamlit as st\n"
        "st.session_state['papers.x'] = 1\n"
        "with Store.open('x') as store:\n"
        "    store.units.count('paper')\n"
        "state.cached(store, 'studyapp.services.study.study.status')\n", encoding="utf-8")
    found = ui_violations(tmp_path)
    assert sorted(f.split(": ", 1)[1] for f in found) == sorted([
        "imports yaml", "imports studyapp.store", "imports studyapp.readers.defects.markdown",
        "imports studyapp.interop.refi_export", "st.session_state outside ui/state.py",
        "Store.open (only ui/state.py opens the store)", "store.units (a page passes the store to a service)",
        "calls studyapp.services.study.study.status by name"])
    assert all(f.startswith("views/page.py:") for f in found)


def test_pages_and_ui_modules_stay_small():
    sizes = {p.relative_to(UI).as_posix(): len(p.read_text(encoding="utf-8").splitlines()) for p in UI.rglob("*.py")}
    assert {p: n for p, n in sizes.items() if p.startswith("views/") and n > 300} == {}
    assert {p: n for p, n in sizes.items() if n > 400} == {}
    views = Path(__file__).resolve().parents[2] / "studyapp" / "services"
    assert {p.as_posix(): n for p in views.glob("*/views.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400} == {}


# -- the read-models on the demo study -------------------------------------------------------------

@pytest.fixture(scope="module")
def built_demo(tmp_path_factory) -> Path:
    from studyapp.services.demo.build import build_demo

    return build_demo(tmp_path_factory.mktemp("demo") / "study")


@pytest.fixture
def demo(built_demo, tmp_path):
    """A copy of the demo study for one test (tests open rounds and decide)."""
    folder = tmp_path / "study"
    shutil.copytree(built_demo, folder)
    with Store.open(folder) as store:
        yield store


def _chip_coders(view) -> set[str]:
    return {c["title"].rsplit("(", 1)[1].rstrip(")") for s in view.segments for c in s["chips"]}


def _span_coders(view) -> set[str]:
    return {sp["label"].split(":", 1)[0] for s in view.segments for sp in s["spans"]}


def test_a_coders_coding_view_holds_no_other_coders_codes_before_reconciliation(demo):
    assert not demo.rounds.is_open("main")
    seen_chips, seen_spans = set(), set()
    for tid in coding_view(demo, "bob").transcripts:
        v = coding_view(demo, "bob", tid, codebook=INTERVIEWS, round="main")
        seen_chips |= _chip_coders(v)
        seen_spans |= _span_coders(v)
        assert all(not c["label"].startswith("chen:") for s in v.segments for c in s["chips"])
        assert all(m["coder"] == "bob" for m in v.panel.memos + v.panel.code_memos)
        assert all(q["coder"] == "bob" for q in v.panel.quotes)
    assert seen_chips == {"bob"} and seen_spans == {"bob"}  # bob coded; chen coded the same turns, unseen
    open_reconciliation(demo, "main", actor="alice")
    opened_chips, opened_spans = set(), set()
    for tid in coding_view(demo, "bob").transcripts:
        v = coding_view(demo, "bob", tid, codebook=INTERVIEWS, round="main")
        opened_chips |= _chip_coders(v)
        opened_spans |= _span_coders(v)
    assert opened_chips == {"bob", "chen"} and opened_spans == {"bob", "chen"}


def test_the_coding_panel_carries_the_coders_own_values_of_the_turn(demo):
    first = next(iter(coding_view(demo, "bob").transcripts))
    v = coding_view(demo, "bob", first, codebook=INTERVIEWS, round="main")
    coded = next(s for s in v.segments if s["chips"])
    v = coding_view(demo, "bob", first, codebook=INTERVIEWS, round="main", segment_id=coded["id"])
    assert v.segment_id == coded["id"] and v.panel.segment_id == coded["id"]
    assert v.panel.own_refs and all(r in v.panel.refs for r in v.panel.own_refs)  # field:code of coded fields
    labels = {v.panel.label_of[r].rsplit(" › ", 1)[-1] for r in v.panel.own_refs}
    assert labels == {c["label"] for c in coded["chips"]}
    assert v.panel.memo_code == v.panel.refs[0]  # no code chosen yet: the first, as the selectbox


def test_coding_view_selections_fall_back_as_the_widgets_do(demo):
    v = coding_view(demo, "bob")
    keys = v.transcripts
    # the codebook's active round, not the newest round of the study (issue 14 #1: that was screening-ft)
    assert v.transcript_id == next(iter(keys)) and v.round == demo.rounds.active(v.codebook.id) == "main"
    assert v.rounds == ["pilot", "main"]
    last = list(keys)[-1]
    assert coding_view(demo, "bob", transcript_key=keys[last]).transcript_id == last  # ?t=KEY
    assert coding_view(demo, "bob", 10 ** 6, transcript_key=keys[last]).transcript_id == last
    assert coding_view(demo, "bob", last, transcript_key=keys[next(iter(keys))]).transcript_id == last
    v = coding_view(demo, "bob", round="no-such-round", segment_id=-1)
    assert v.round == "main" and v.segment_id == v.segments[0]["id"]
    assert coding_view(demo, "bob", round="screening-ft").round == "main"  # another codebook's round: not offered
    assert coding_view(demo, None).panel is None


def test_a_coders_labelling_view_is_blind_until_reconciliation(demo):
    cb = next(b for b in defect_codebooks(demo) if b.id == DEFECTS)
    rows = [r for r in demo.annotations.current_rows() if r[1] == DEFECTS and r[4] == "main"]
    uid = sorted({r[0] for r in rows if r[3] == "chen"} & {r[0] for r in rows if r[3] == "bob"})[0]
    opened = {r["id"] for r in demo.rounds.list() if r["reconciliation_open"]}
    v = labelling_view(demo, cb, "bob", round="main", unit_id=uid)
    assert v.unit_id == uid and v.own
    assert {a["round"] for a in v.others} <= opened and "main" not in opened  # pilot rounds are open in the demo
    assert set(v.own) == {r[2] for r in rows if r[0] == uid and r[3] == "bob"}
    open_reconciliation(demo, "main", actor="alice")
    v = labelling_view(demo, cb, "bob", round="main", unit_id=uid)
    assert v.others and {a["coder"] for a in v.others if a["round"] == "main"} == {"chen"}


def test_labelling_view_filters_and_falls_back(demo):
    cb = next(b for b in defect_codebooks(demo) if b.id == DEFECTS)
    v = labelling_view(demo, cb, "bob", round="gone", unit_id=-1, query="")
    assert v.round == "main" and v.unit_id == v.units[0]["id"]
    assert v.rounds == ["pilot", "calibration", "main"]
    key = v.units[5]["key"]
    v = labelling_view(demo, cb, "bob", round="main", query=key.upper())
    assert [u["key"] for u in v.shown] == [key] and v.unit_id == v.shown[0]["id"]
    v = labelling_view(demo, cb, "bob", round="main", query="no defect is called this")
    assert v.shown == [] and v.unit is None
    v = labelling_view(demo, cb, "bob", round="main")
    assert v.done == sum(1 for u in v.units if v.status.get(u["id"]))
    assert v.next_after(v.unit_id) in {u["id"] for u in v.units if not v.status.get(u["id"])} | {None}


def test_defect_analysis_reads_only_sources_the_viewer_may_see(demo):
    cb = next(b for b in defect_codebooks(demo) if b.id == DEFECTS)
    opened = {r["id"] for r in demo.rounds.list() if r["reconciliation_open"]}
    v = analysis_view(demo, cb, "bob")
    assert v.sources.source.coder == "bob" and v.sources.labels[0].startswith("my labels")
    for s in v.sources.sources[1:]:
        assert s.final or set(s.rounds) <= opened
    assert v.field == "dl_stage" and v.distribution["n"] > 0 and v.crosstab["row_field"] == "dl_stage"
    assert v.distribution["source"] == "bob's labels"
    calls = []
    analysis_view(demo, cb, "bob", distribution_for=lambda *a: calls.append(a) or v.distribution,
                  crosstab=lambda *a, **k: calls.append(k) or v.crosstab)
    assert len(calls) == 2 and calls[1]["coder"] == "bob"  # the page's cached reads are the ones used


def test_screen_view_holds_only_the_reviewers_own_decisions(demo):
    v = screen_view(demo, "bob", "ta")
    assert v.has_papers and v.codebook_error is None
    assert v.mine == screening.my_decisions(demo, "ta", "bob")
    assert {r["id"] for r in v.decisions} == set(v.mine)
    assert v.current is not None and v.current["id"] not in v.mine and v.current["id"] in v.queue.ids
    skipped = screen_view(demo, "bob", "ta", skip=1)
    if len(v.queue.ids) > 1:
        assert skipped.current["id"] == v.queue.ids[1]
    some = next(iter(v.mine))
    assert screen_view(demo, "bob", "ta", revisit=some).current["id"] == some
    asked = []
    screen_view(demo, "bob", "ta", queue=lambda s, st_, c: asked.append((st_, c)) or v.queue,
                my_decisions=lambda s, st_, c: asked.append((st_, c)) or v.mine)
    assert asked == [("ta", "bob"), ("ta", "bob")]


def test_conflicts_show_reviewers_decisions_only_while_the_stage_is_open(demo):
    assert demo.rounds.is_open("screening-ta")
    v = conflicts_view(demo, "bob", "ta")
    assert not v.conflicts.hidden and v.conflicts.rows and v.reasons
    screening.open_stage_reconciliation(demo, "ta", actor="alice", open_=False)
    v = conflicts_view(demo, "bob", "ta")
    assert v.conflicts.hidden and v.conflicts.rows == [] and v.conflicts.count == 0
    assert conflicts_view(demo, "alice", "ta").conflicts.count > 0  # the lead learns how many, not which
    assert set(v.status) == {"ta", "ft"} and v.reviewers == screening.reviewers(demo)


def test_extract_view_is_prefilled_with_the_coders_own_values(demo):
    papers = extraction.included_papers(demo)
    filled = extraction.filled_by(demo, "bob")
    uid = sorted(filled)[0]
    v = extract_view(demo, "bob", uid)
    assert v.unit_id == uid and v.form.values == extraction.form(demo, uid, "bob").values
    assert v.filled == filled and [p["id"] for p in v.papers] == [p["id"] for p in papers]
    assert extract_view(demo, "bob", -1).unit_id == papers[0]["id"]


def test_records_view_filters_like_the_page(demo):
    v = records_view(demo)
    assert v.total == demo.units.count("paper") == len(v.rows) and v.keys
    key = v.rows[3]["key"]
    assert [r["key"] for r in records_view(demo, key.lower()).rows] == [key]


def test_field_view_shows_pair_details_to_a_lead_or_in_open_rounds(demo):
    # a coder gets no statistics of a round still blind (issue 17 M1): main is not even offered
    v = field_view(demo, "bob", DEFECTS, field="dl_stage", rounds=["main"])
    assert v.field_id == "dl_stage" and v.rounds == [] and v.agreement is None and "main" not in v.round_options
    assert "round main left out: reconciliation not open yet" in v.left_out
    lead = field_view(demo, "alice", DEFECTS, field="dl_stage", rounds=["main"])
    assert lead.coders == ["bob", "chen"] and lead.agreement is not None and lead.details_visible is True
    assert field_view(demo, "bob", DEFECTS, field="dl_stage", rounds=["pilot"]).details_visible is True
    default = field_view(demo, "bob", DEFECTS, field="dl_stage")
    assert default.rounds == default.round_options[-1:]  # nothing chosen yet: the newest round bob may see
    cleared = field_view(demo, "bob", DEFECTS, field="dl_stage", rounds=[], coders=["bob"])
    assert cleared.rounds == [] and cleared.coders == ["bob"] and cleared.agreement is None
    assert field_view(demo, "bob", DEFECTS, field="no-such-field").field_id == next(iter(default.fields))


def test_overview_uses_the_field_rows_it_is_given(demo):
    asked = []
    from studyapp.services.agreement.report import field_rows

    def counting(store, cb, fid):
        asked.append(fid)
        return field_rows(store, cb, fid)
    v = overview_view(demo, DEFECTS, field_rows=counting)
    assert asked and set(v.table["label"]) and v.chart is not None
    assert len(v.rows) == len(v.table)


def test_home_codebooks_and_claims_views(demo):
    h = home_view(demo)
    s = status(demo)
    assert (h.units, h.claims, h.annotations, h.history) == (s["units"], s["claims"], s["annotations"], s["history"])
    assert 0 < len(h.recent) <= 15 and set(h.recent[0]) == {"when", "who", "what", "field", "coder"}
    assert home_view(demo, status=lambda store: {**s, "title": "cached"}).title == "cached"
    c = codebooks_view(demo)
    assert {b.id for b in c.books} == set(c.versions) and all(c.versions.values())
    assert all(c.codes[(b.id, f.id)] for b in c.books for f in b.fields if f.codes)
    v = claims_view(demo, "no-such-claim")
    assert v.claim["id"] == v.claims[0]["id"] and "claims:" in v.claims_yaml
    assert len(v.charts) == len((v.record or {}).get("checks") or [])
    last = v.claims[-1]["id"]
    assert claims_view(demo, last).claim["id"] == last
