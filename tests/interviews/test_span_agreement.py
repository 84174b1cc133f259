"""Unitizing alpha on a study's quote spans: the service, the report in every format, the CLI
`studyapp agreement --spans`, the Agreement page's Quote spans view, and blindness."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from studyapp.cli import main
from studyapp.services.agreement import views as av
from studyapp.services.agreement.report import FORMATS, render
from studyapp.services.agreement.spans import HIDDEN, span_agreement
from studyapp.services.coding.coding import open_reconciliation
from studyapp.services.interviews.spans import add_span
from studyapp.stats.unitizing import unitizing_agreement
from tests.interviews.conftest import seg

CB = "ptm-reuse-interviews"


@pytest.fixture
def marked(istudy):
    """bob and chen quote overlapping stretches of one turn with the same code, and chen a second
    turn with another code."""
    s = seg(istudy, "interview-05:2")
    t = seg(istudy, "interview-05:1")
    add_span(istudy, s["id"], "bob", 0, 20, ["challenges:missing-attributes"], codebook=CB)
    add_span(istudy, s["id"], "chen", 5, 25, ["challenges:missing-attributes"], codebook=CB)
    add_span(istudy, t["id"], "chen", 0, 10, ["challenges:discrepancies"], codebook=CB)
    return istudy, s, t


def test_span_agreement_is_the_unitizing_family_over_the_turns_of_the_transcript(marked):
    store, s, t = marked
    [row] = span_agreement(store, CB, n_boot=0)
    assert (row.field, row.round, row.coders, row.n_spans, row.n_transcripts) == ("challenges", "main",
                                                                                  ("bob", "chen"), 3, 1)
    turns = [x for x in store.transcripts.segment_index() if x["transcript_id"] == s["parent_id"]]
    texts = store.transcripts.texts([x["id"] for x in turns])
    expected = unitizing_agreement(
        [(s["id"], "bob", 0, 20, "missing-attributes"), (s["id"], "chen", 5, 25, "missing-attributes"),
         (t["id"], "chen", 0, 10, "discrepancies")],
        {i: len(x) for i, x in texts.items()}, coders=["bob", "chen"], codes=["missing-attributes", "discrepancies"],
        n_boot=0)
    assert row.stat("u_alpha").value == pytest.approx(expected.u_alpha.value)
    assert row.stat("binary").value == pytest.approx(expected.binary.value)
    assert 0 < row.stat("u_alpha").value < 1
    assert row.length == sum(len(x) for x in texts.values())
    [ma, di] = row.codes
    assert (ma.code, ma.label, ma.n_spans, di.n_spans) == ("missing-attributes", "Missing attributes", 2, 1)
    assert ma.binary.value == pytest.approx(expected.code("missing-attributes").binary.value)
    assert di.ku_alpha.value is None and "never meets" in di.ku_alpha.undefined_reason


def test_a_coder_sees_span_values_only_once_the_round_is_open(marked):
    store = marked[0]
    [hidden] = span_agreement(store, CB, viewer="bob", n_boot=0)
    assert hidden.hidden and hidden.stat("u_alpha").value is None and hidden.stat("u_alpha").undefined_reason == HIDDEN
    assert hidden.codes == ()  # not even which codes met which
    [lead] = span_agreement(store, CB, viewer="lea", n_boot=0)
    assert not lead.hidden and lead.stat("u_alpha").value is not None
    view = av.spans_view(store, "bob", CB, span_agreement=lambda *a, **k: span_agreement(*a, **k, n_boot=0))
    assert view.hidden_rounds == ["main"] and "Missing attributes" not in view.codes.to_csv()
    assert "hidden until a lead opens reconciliation" in view.fields.to_csv()
    open_reconciliation(store, "main", actor="lea")
    [shown] = span_agreement(store, CB, viewer="bob", n_boot=0)
    assert not shown.hidden and shown.stat("u_alpha").value == pytest.approx(lead.stat("u_alpha").value)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_report_format_carries_the_span_tables(marked, fmt):
    store = marked[0]
    plain = render(store, fmt, CB, n_boot=50)
    text = render(store, fmt, CB, n_boot=50, spans=True)
    assert text.startswith(plain.rstrip("\n")[:200])
    [row] = span_agreement(store, CB, n_boot=50)
    u = f"{row.stat('u_alpha').value:.3f}"
    if fmt == "json":
        doc = json.loads(text)
        [j] = doc["spans"]
        assert j["u_alpha"]["value"] == pytest.approx(row.stat("u_alpha").value)
        assert j["u_alpha"]["ci"] and [c["code"] for c in j["per_code"]] == ["missing-attributes", "discrepancies"]
        assert "rows" in doc  # the per-turn rows are still there
    elif fmt == "csv":
        head, spans_part = text.split("\n\n", 1)
        assert head.startswith("codebook,field,level")
        lines = spans_part.splitlines()
        assert lines[0].startswith("codebook,field,round,code,statistic,value,ci_low,ci_high")
        assert any(",u_alpha," in ln and f"{row.stat('u_alpha').value:.6f}" in ln for ln in lines)
        assert any("discrepancies,ku_alpha,," in ln and "never meets" in ln for ln in lines)
    else:
        assert "u-alpha" in text and u in text and "Missing attributes" in text
        assert ("booktabs" in text and text.count(r"\toprule") == 3) if fmt == "latex" else True


def test_cli_agreement_spans(marked, tmp_path):
    store = marked[0]
    r = CliRunner().invoke(main, ["agreement", str(store.folder), "--spans", "--n-boot", "20"])
    assert r.exit_code == 0, r.output
    assert "## Quote spans (unitizing alpha)" in r.output and "### Per code" in r.output
    r = CliRunner().invoke(main, ["agreement", str(store.folder), "--n-boot", "0"])
    assert "Quote spans" not in r.output
    out = tmp_path / "a.json"
    r = CliRunner().invoke(main, ["agreement", str(store.folder), "--spans", "--format", "json", "-o", str(out),
                                  "--round", "main", "--n-boot", "0"])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text())["spans"][0]["field"] == "challenges"
    r = CliRunner().invoke(main, ["agreement", str(store.folder), "--spans", "--as", "bob", "--n-boot", "0",
                                  "--format", "json"])
    if r.exit_code == 0:  # a coder's report of a blind round: the span rows say they are hidden
        assert all(row["hidden"] for row in json.loads(r.output)["spans"])
    else:
        assert "nothing to report" in r.output


def test_a_coder_with_two_codes_on_one_stretch_makes_u_alpha_undefined_with_the_reason(marked):
    store, s, _ = marked
    add_span(store, s["id"], "bob", 10, 30, ["challenges:discrepancies"], codebook=CB)
    [row] = span_agreement(store, CB, n_boot=0)
    assert row.stat("u_alpha").value is None and "overlapping spans with different codes" in \
        row.stat("u_alpha").undefined_reason
    assert row.stat("binary").value is not None


def test_report_view_adds_the_span_tables_when_asked(marked):
    store = marked[0]
    rows = av.spans_view(store, "lea", CB, span_agreement=lambda *a, **k: span_agreement(*a, **k, n_boot=0)).rows
    with_spans = av.report_view(store, CB, "markdown", span_rows=rows)
    assert "Quote spans" in with_spans.text and "Quote spans" not in av.report_view(store, CB, "markdown").text


def test_the_agreement_page_shows_the_quote_spans_view(marked, monkeypatch):
    from tests.pages import open_page

    store = marked[0]
    monkeypatch.setenv("STUDYAPP_STUDY", str(store.folder))
    at = open_page("agreement", "lea")
    at.radio(key="agreement.view").set_value("Quote spans").run()
    assert not at.exception, [e.value for e in at.exception]
    frames = [d.value for d in at.dataframe]
    fields = next(f for f in frames if "u-alpha" in f.columns)
    assert fields.iloc[0]["Field"] == "Challenges" and fields.iloc[0]["u-alpha"] != "undefined"
    assert any("Missing attributes" in f.to_csv() for f in frames)
    at = open_page("agreement", "bob")
    at.radio(key="agreement.view").set_value("Quote spans").run()
    assert "once a lead opens reconciliation" in " ".join(i.value for i in at.info)
    at = open_page("agreement", "lea")
    at.radio(key="agreement.view").set_value("Report").run()
    at.checkbox(key="agreement.report_spans").check().run()
    assert not at.exception and "Quote spans" in at.code[0].value and "Missing attributes" in at.code[0].value
