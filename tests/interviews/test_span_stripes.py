"""Where coders differ on quote spans: the stripes read-model, blindness, the lead's final spans
(keep, merge, draw, replace), their history, the CLI, the page and the REFI-QDA export."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from click.testing import CliRunner

from studyapp.cli import main
from studyapp.errors import InvalidInput, PermissionDenied
from studyapp.interop.refi_export import qdpx_bytes
from studyapp.interop.refi_import import import_qdpx_data
from studyapp.services.coding.coding import open_reconciliation
from studyapp.services.interviews.spans import add_span
from studyapp.services.interviews.stripes import adjudicate_span, stripes_view, undo_final_span
from studyapp.services.study.study import init_study
from tests.interviews.conftest import CODEBOOK, seg

CB = "ptm-reuse-interviews"
MA, DI = "challenges:missing-attributes", "challenges:discrepancies"


@pytest.fixture
def coded(istudy):
    """In interview-05:2, bob and chen quote overlapping stretches (boundaries differ) and the same
    stretch with the same code; chen alone quotes a third. bob also marks interview-05:1."""
    s, t = seg(istudy, "interview-05:2"), seg(istudy, "interview-05:1")
    ids = {"bob_a": add_span(istudy, s["id"], "bob", 0, 20, [MA], codebook=CB),
           "chen_a": add_span(istudy, s["id"], "chen", 5, 25, [MA], codebook=CB),
           "bob_b": add_span(istudy, s["id"], "bob", 30, 40, [DI], codebook=CB),
           "chen_b": add_span(istudy, s["id"], "chen", 30, 40, [DI], codebook=CB),
           "chen_c": add_span(istudy, s["id"], "chen", 42, 48, [DI], codebook=CB),
           "bob_t": add_span(istudy, t["id"], "bob", 0, 8, [MA], codebook=CB)}
    return istudy, s, ids


def test_the_stripes_show_each_coders_spans_and_mark_where_they_differ(coded):
    store, s, ids = coded
    v = stripes_view(store, "lea", transcript="interview-05")
    assert v.visible and v.coders == ["bob", "chen"] and v.round == "main"
    turn = next(t for t in v.turns if t.id == s["id"])
    assert [x.id for x in turn.stripes["bob"]] == [ids["bob_a"], ids["bob_b"]]
    assert [x.id for x in turn.stripes["chen"]] == [ids["chen_a"], ids["chen_b"], ids["chen_c"]]
    here = [c for c in v.clusters if c.segment_id == s["id"]]
    assert [(c.start, c.end, c.agreed) for c in here] == [(0, 25, False), (30, 40, True), (42, 48, False)]
    assert here[0].why == "boundaries differ by 10 character(s)"
    assert here[2].why == "only chen quoted this; bob did not"
    differ = [(p["start"], p["end"]) for p in turn.pieces if p["differ"]]
    assert differ == [(0, 5), (20, 25), (42, 48)]
    assert "".join(p["text"] for p in turn.pieces) == s["text"]
    pair = stripes_view(store, "lea", transcript="interview-05", coders=["bob"])
    assert pair.coders == ["bob"] and all(c.agreed for c in pair.clusters)


def test_a_coder_sees_the_stripes_only_once_reconciliation_is_open(coded):
    store = coded[0]
    v = stripes_view(store, "bob", transcript="interview-05")
    assert not v.visible and v.turns == [] and v.clusters == [] and "reconciliation" in v.reason
    assert not v.can_adjudicate
    open_reconciliation(store, "main", actor="lea")
    v = stripes_view(store, "bob", transcript="interview-05")
    assert v.visible and v.clusters and not v.can_adjudicate
    assert stripes_view(store, "lea", transcript="interview-05").can_adjudicate


def test_the_lead_keeps_merges_or_draws_a_final_span_with_a_rationale(coded):
    store, s, ids = coded
    with pytest.raises(PermissionDenied, match="not open"):
        adjudicate_span(store, s["id"], codebook=CB, round="main", actor="lea", rationale="r", keep=ids["bob_a"])
    open_reconciliation(store, "main", actor="lea")
    with pytest.raises(PermissionDenied):
        adjudicate_span(store, s["id"], codebook=CB, round="main", actor="bob", rationale="r", keep=ids["bob_a"])
    with pytest.raises(InvalidInput, match="rationale"):
        adjudicate_span(store, s["id"], codebook=CB, round="main", actor="lea", rationale=" ", keep=ids["bob_a"])
    with pytest.raises(InvalidInput, match="one of"):
        adjudicate_span(store, s["id"], codebook=CB, round="main", actor="lea", rationale="r", keep=ids["bob_a"],
                        start=0, end=3)
    with pytest.raises(InvalidInput, match="not in segment"):
        adjudicate_span(store, s["id"], codebook=CB, round="main", actor="lea", rationale="r", keep=ids["bob_t"])
    before = store.history.count()
    f1 = adjudicate_span(store, s["id"], codebook=CB, round="main", actor="lea", rationale="bob's boundary",
                         keep=ids["bob_a"])
    [final] = store.transcripts.final_spans(ids=[f1])
    assert (final["start"], final["end"], final["codes"], final["decision"], final["source_spans"]) == \
        (0, 20, [["challenges", "missing-attributes"]], "keep", [ids["bob_a"]])
    assert final["snippet"] == s["text"][0:20] and final["adjudicator"] == "lea"
    f2 = adjudicate_span(store, s["id"], codebook=CB, round="main", actor="lea", rationale="both halves",
                         merge=[ids["bob_a"], ids["chen_a"]])
    assert [(f["id"], f["start"], f["end"], f["decision"]) for f in store.transcripts.final_spans()] == \
        [(f2, 0, 25, "merge")]  # the merge replaced the overlapping keep
    f3 = adjudicate_span(store, s["id"], codebook=CB, round="main", actor="lea", rationale="only this clause",
                         start=43, end=47, codes=["Discrepancies"])
    assert [(f["start"], f["end"]) for f in store.transcripts.final_spans()] == [(0, 25), (43, 47)]
    actions = [h["action"] for h in store.history.recent(10) if h["id"] > before]
    assert actions.count("final_span.add") == 3 and actions.count("final_span.delete") == 1
    assert [r[0] for r in store.transcripts.replay_final_spans()] == [f2, f3]
    assert store.spans_unchanged if hasattr(store, "spans_unchanged") else True
    assert len(store.transcripts.spans()) == 6  # coders' spans are untouched
    v = stripes_view(store, "lea", transcript="interview-05")
    [c0] = [c for c in v.clusters if c.segment_id == s["id"] and c.start == 0]
    assert [f["id"] for f in c0.finals] == [f2]
    undo_final_span(store, f3, actor="lea")
    assert [f["id"] for f in store.transcripts.final_spans()] == [f2]


def test_the_final_span_is_the_adjudicated_coding_in_the_refi_export(coded, tmp_path):
    store, s, ids = coded
    open_reconciliation(store, "main", actor="lea")
    fid = adjudicate_span(store, s["id"], codebook=CB, round="main", actor="lea", rationale="chen's extent",
                          keep=ids["chen_a"])
    data, result = qdpx_bytes(store)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        qde = zf.read("project.qde").decode("utf-8")
        meta = json.loads(zf.read("studyapp.json"))
    finals = [g for g, k in meta["selections"].items() if k["kind"] == "final"]
    assert len(finals) == 1 and meta["selections"][finals[0]]["decision"] == "keep"
    assert f'guid="{finals[0]}"' in qde and 'name="final: ' in qde and "chen&apos;s extent" in qde or \
        "chen's extent" in qde
    src_text = [k for k in meta["sources"].values() if k["key"] == "interview-05"][0]
    off = next(x["start"] for x in src_text["segments"] if x["key"] == "interview-05:2")
    assert f'startPosition="{off + 5}" endPosition="{off + 25}"' in qde
    # back into a new study: the final is not taken for a coder's span
    other = init_study(tmp_path / "back", title="Back", codebooks=[CODEBOOK])
    other.coders.add("lea", "lead")
    import_qdpx_data(other, "p.qdpx", data, actor="lea")
    assert len(other.transcripts.spans()) == len(store.transcripts.spans())
    assert fid


def test_cli_stripes_adjudicate_span_and_final_spans(coded):
    store, s, ids = coded
    folder = str(store.folder)
    run = CliRunner().invoke
    r = run(main, ["interviews", "stripes", folder, "--transcript", "interview-05"])
    assert r.exit_code == 0, r.output
    assert "3 of 4 stretch(es) differ" in r.output and "boundaries differ by 10" in r.output
    r = run(main, ["interviews", "stripes", folder, "--as", "bob"])
    assert r.exit_code != 0 and "reconciliation" in r.output
    r = run(main, ["interviews", "adjudicate-span", folder, "interview-05:2", "--codebook", CB, "--round", "main",
                   "--as", "lea", "--why", "x", "--keep", str(ids["bob_a"])])
    assert r.exit_code == 2 and "not open" in r.output
    open_reconciliation(store, "main", actor="lea")
    r = run(main, ["interviews", "adjudicate-span", folder, "interview-05:2", "--codebook", CB, "--round", "main",
                   "--as", "lea", "--why", "the clause", "--start", "3", "--end", "22", "--code", MA])
    assert r.exit_code == 0, r.output
    assert "final span" in r.output and "[3, 22)" in r.output
    r = run(main, ["interviews", "stripes", folder, "--format", "json"])
    doc = json.loads(r.output)
    [c] = [c for c in doc["clusters"] if c["segment"] == "interview-05:2" and c["start"] == 0]
    assert c["finals"][0]["decision"] == "draw"
    r = run(main, ["interviews", "final-spans", folder])
    assert "interview-05:2" in r.output and "the clause" in r.output
    fid = c["finals"][0]["id"]
    r = run(main, ["interviews", "final-spans", folder, "--delete", str(fid), "--as", "lea"])
    assert r.exit_code == 0 and store.transcripts.final_spans() == []


def test_the_stripes_page(coded, monkeypatch):
    from tests.pages import open_page

    store = coded[0]
    monkeypatch.setenv("STUDYAPP_STUDY", str(store.folder))
    at = open_page("interviews", "bob")
    at.segmented_control(key="interviews.view").set_value("Stripes").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "reconciliation" in " ".join(str(i.value) for i in at.info), at
    open_reconciliation(store, "main", actor="lea")
    at = open_page("interviews", "lea")
    at.segmented_control(key="interviews.view").set_value("Stripes").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "3 of 4 quoted stretch(es) differ" in " ".join(m.value for m in at.markdown)
    assert [b for b in at.button if b.label == "Save final span"]


def test_import_study_refuses_a_final_span_the_history_does_not_hold(coded, tmp_path):
    """A final span is re-derived from the history on import-study, as final values are: an archive
    whose final span was moved (its checksums recomputed) is refused, the genuine one imports."""
    from studyapp.services.study.archive import export_study, import_study
    from tests.security._zips import forge, jsonl, rows_of

    store, s, ids = coded
    open_reconciliation(store, "main", actor="lea")
    adjudicate_span(store, s["id"], codebook=CB, round="main", actor="lea", rationale="bob's extent", keep=ids["bob_a"])
    good = tmp_path / "good.zip"
    export_study(store, good)
    assert import_study(good, tmp_path / "copy").tables["final_spans"] == 1

    def moved(name, data):
        if name != "tables/final_spans.jsonl":
            return data
        rows = rows_of(data)
        rows[0] = [v + 3 if v == 20 else v for v in rows[0]]  # the end of the kept span, 20 -> 23
        return jsonl(rows)
    with pytest.raises(InvalidInput, match=r"the final span .* every final span must follow from the study.s history"):
        import_study(forge(good, tmp_path / "forged.zip", moved), tmp_path / "copy2")
