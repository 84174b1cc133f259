"""Blind coding, proved on every page and every coder-facing output, and the lead-only actions.

Coder chen codes everything with values nobody else uses: a marker text (`MARK`) in text fields, notes,
memos and an extraction form, the defect code "GPU defect" and the interview code "Quokka theme".
Coder bob, signed in through the real sign-in form, opens every page and every view of it; nothing
chen chose may be anywhere in the page (every element, dataframes and chart data decoded) until the
lead opens reconciliation; after that, the pages that show other coders' values show chen's. The same
holds for the CLI's coder-facing outputs and the exports.

The role matrix: a coder who is not a lead is refused (PermissionDenied in the services, exit status
2 and a clear message in the CLI, the study unchanged) for codebooks, reconciliation, adjudication,
imports and exports; in the app those controls are not offered to a coder.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from studyapp.cli import main
from studyapp.errors import PermissionDenied
from studyapp.services.coding.codebooks import add_codebook
from studyapp.services.coding.coding import CodingRow, code_many, open_reconciliation
from studyapp.services.interviews import spans as sp
from studyapp.services.papers import extraction, screening
from studyapp.services.study.auth import set_password
from studyapp.store import archive
from tests.team._app import open_page, page_text, sign_in

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
MARK = "Zqx-chen-marker"
GPU = "GPU defect"
QUOKKA = "Quokka theme"
TAXONOMY = ("Taxonomy with definitions",)

IV = """\
id: iv
title: Interview codes
version: "1"
kind: interview
fields:
  - id: theme
    type: multi
    codes:
      - {id: plain, label: Plain theme}
      - {id: quokka, label: Quokka theme}
  - id: remark
    type: text
"""


@pytest.fixture
def blind(study, tmp_path, monkeypatch):
    """Defects, an interview and papers, coded by bob and (distinctively) by chen; every round blind."""
    store = study
    (tmp_path / "iv.yaml").write_text(IV, encoding="utf-8")
    add_codebook(store, tmp_path / "iv.yaml", actor="lea")
    add_codebook(store, REPO / "codebooks" / "ptm-reuse-slr.yaml", actor="lea")
    for name in ("lea", "bob", "chen"):
        set_password(store, name, f"{name}-password")
    d1, d2 = (store.units.by_key("defect", k)["id"] for k in ("D1", "D2"))
    code_many(store, [CodingRow(d1, "tiny", "stage", "bob", "env"), CodingRow(d1, "tiny", "cause", "bob", "api"),
                      CodingRow(d1, "tiny", "note", "bob", "bob own reading"),
                      CodingRow(d2, "tiny", "stage", "bob", "train")])
    code_many(store, [CodingRow(d1, "tiny", "stage", "chen", "env", note=f"{MARK} on the stage"),
                      CodingRow(d1, "tiny", "cause", "chen", "gpu"),
                      CodingRow(d1, "tiny", "note", "chen", f"{MARK} in a text field"),
                      CodingRow(d2, "tiny", "stage", "chen", "env"), CodingRow(d2, "tiny", "cause", "chen", "gpu")])
    store.memos.add(text=f"{MARK} memo on a defect", coder="chen", unit_id=d1)

    [tid] = store.units.add_many([{"kind": "transcript", "key": "int-1", "title": "int-1", "text": "x"}])
    store.units.add_many([{"kind": "segment", "key": f"int-1:{i}", "parent_id": tid, "seq": i, "title": "P1",
                           "text": f"I reuse models from the hub, turn {i}.", "attrs": {"speaker": "P1"}}
                          for i in range(1, 4)])
    s1, s2 = (store.units.by_key("segment", f"int-1:{i}")["id"] for i in (1, 2))
    sp.tag_segment(store, s1, "bob", ["theme:plain"], codebook="iv")
    sp.tag_segment(store, s2, "bob", ["theme:plain"], codebook="iv")
    sp.add_span(store, s1, "chen", 2, 7, ["theme:quokka"], codebook="iv")
    sp.add_span(store, s1, "bob", 2, 9, ["theme:plain"], codebook="iv")  # span agreement has two coders
    code_many(store, [CodingRow(s1, "iv", "remark", "chen", f"{MARK} remark")])
    sp.add_segment_memo(store, s1, "chen", f"{MARK} memo on a turn")
    sp.add_code_memo(store, "iv", "theme:plain", "chen", f"{MARK} memo on a code")

    from studyapp.services.papers.imports import import_papers

    import_papers(store, [DATA / "papers" / "scopus.csv"], actor="lea")
    screening.set_reviewers(store, 1, actor="lea")
    a, b = [u["id"] for u in screening.primary_papers(store)][:2]
    screening.decide(store, a, "bob", "ta", "include")
    screening.decide(store, a, "chen", "ta", "exclude", "E1", note=f"{MARK} screening note")
    screening.decide(store, b, "bob", "ta", "include")
    screening.decide(store, b, "bob", "ft", "include")
    extraction.save(store, b, "bob", {"notes": "bob extraction notes"})
    extraction.save(store, b, "chen", {"notes": f"{MARK} extraction notes", "contribution": "benchmark"})
    assert extraction.included_papers(store)[0]["id"] == b

    monkeypatch.setenv("STUDYAPP_STUDY", str(store.folder))
    monkeypatch.setenv("STUDYAPP_AUTH", "1")
    assert not [r for r in store.rounds.list() if r["reconciliation_open"]]
    return store


def open_all_rounds(store) -> None:
    for r in store.rounds.list():
        open_reconciliation(store, r["id"], actor="lea")


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


# -- every page, every view -------------------------------------------------------------------------

def _radio(key, value):
    return lambda at: at.radio(key=key).set_value(value).run()


def _segmented(key, value):
    return lambda at: at.segmented_control(key=key).set_value(value).run()


def _multi(key, values):
    return lambda at: at.multiselect(key=key).set_value(values).run()


def _select(key, value):
    """Choose `value` (the widget's own value, not its label) in a selectbox."""
    return lambda at: at.selectbox(key=key).set_value(value).run()


def _select_nth(key, n):
    """Choose the n-th option of a selectbox whose values are positions, when there is one."""
    def step(at):
        box = at.selectbox(key=key)
        if n < len(box.options):
            box.set_value(n).run()
    return step


def _select_unit(key, kind, unit_key):
    """Choose a unit, by its key, in a selectbox of unit ids."""
    def step(at):
        import os

        from studyapp.store import Store

        with Store.open(os.environ["STUDYAPP_STUDY"]) as store:
            uid = store.units.by_key(kind, unit_key)["id"]
        at.selectbox(key=key).set_value(uid).run()
    return step


INTERVIEW_ANALYSES = ["Frequencies", "By attribute", "Co-occurrence", "Quotes", "Framework matrix", "Saturation"]

VIEWS: dict[str, list[tuple[str, list]]] = {
    "home": [("home", [])],
    "claims": [("claims", [])],
    "codebooks": [("codebooks", [])],
    "defects": [(v, [_radio("defects.view", v)]) for v in ("Label", "Analyse", "Workflow", "Import")]
    + [("Label, main", [_radio("defects.view", "Label"), _select("defects.round", "main")]),
       ("Label, D2", [_select_unit("defects.unit", "defect", "D2")])]
    + [(f"Analyse {i}", [_radio("defects.view", "Analyse"), _select_nth("defects.source", i)]) for i in (0, 1, 2, 3)],
    "agreement": [(f"{cb}: {v}", [_select("agreement.codebook", cb), _radio("agreement.view", v)])
                  for cb in ("iv", "ptm-reuse-slr", "ptm-reuse-slr-screening", "tiny")
                  for v in ("Overview", "Field", "Disagreements", "Quote spans", "Report")]
    + [("Field: cause", [_select("agreement.codebook", "tiny"), _radio("agreement.view", "Field"),
                         _select("agreement.field", "cause")]),
       ("Disagreements: cause", [_select("agreement.codebook", "tiny"), _radio("agreement.view", "Disagreements"),
                                 _select("agreement.dfield", "cause")])]
    + [(f"Report {f}", [_radio("agreement.view", "Report"), _radio("agreement.report_fmt", f)])
       for f in ("latex", "csv", "json")],
    "interviews": [("Code", []), ("Code, main", [_select("interviews.round", "main")]),
                   ("Code, turn 2", [_select_unit("interviews.segment", "segment", "int-1:2")]),
                   ("Import", [_segmented("interviews.view", "Import")]),
                   ("Stripes", [_segmented("interviews.view", "Stripes")]),
                   ("Retrieve", [_segmented("interviews.view", "Retrieve"), _multi("interviews.retrieve.codes",
                                                                                  ["theme:plain"])])]
    + [(f"{a} / {src}", [_segmented("interviews.view", "Analyse"), _select("interviews.a_source", src),
                         _segmented("interviews.a_view", a)])
       for a in INTERVIEW_ANALYSES for src in ("all", "mine", "final")],
    "papers": [(v, [_radio("papers.view", v)]) for v in
               ("Screen", "Conflicts", "Extract", "Claims", "Records", "PRISMA", "Import")],
}


def view_texts(page: str, user: str = "bob") -> dict[str, tuple[str, str]]:
    """For each view of `page`: (everything shown, what is shown without the codebook's option lists)."""
    out = {}
    at = open_page(sign_in(user, f"{user}-password"), page)
    for name, steps in VIEWS[page]:
        for step in steps:
            step(at)
        assert not at.exception, (page, name, [e.value for e in at.exception])
        out[name] = (page_text(at), page_text(at, everything=False, skip_expanders=TAXONOMY))
    return out


#: What bob's own coding looks like on some views: proof that the views drew their content.
OWN = {("defects", "Label, main"): "bob own reading", ("interviews", "Code, main"): "Plain theme",
       ("interviews", "Frequencies / all"): "Plain theme", ("papers", "Extract"): "bob extraction notes",
       # a coder gets no statistics of a round still blind (issue 17 M1), and is told why
       ("agreement", "tiny: Field"): "round main left out: reconciliation not open yet",
       ("defects", "Analyse 0"): "API defect"}


@pytest.mark.parametrize("page", list(VIEWS))
def test_no_page_shows_another_coders_values_before_reconciliation(blind, page):
    texts = view_texts(page)
    for (p, view), own in OWN.items():
        if p == page:
            assert own in texts[view][0], f"{page} / {view} does not show bob's own coding"
    for view, (everything, shown) in texts.items():
        assert MARK not in everything, f"{page} / {view} shows chen's text"
        if page != "codebooks":  # the Codebooks page lists every code: that is the codebook, not a coding
            for code in (GPU, QUOKKA, "'gpu'", "'quokka'", "theme:quokka"):
                assert code not in shown, f"{page} / {view} shows chen's code {code}"


def test_the_pages_show_them_once_reconciliation_is_open(blind):
    open_all_rounds(blind)
    defects = view_texts("defects")
    assert MARK in defects["Label, main"][0] and GPU in defects["Label, main"][1]
    agreement = view_texts("agreement")
    assert GPU in agreement["Disagreements: cause"][1]
    interviews = view_texts("interviews")
    assert f"chen: {QUOKKA}" in interviews["Code, main"][1] and MARK in interviews["Code, main"][0]
    assert QUOKKA in agreement["iv: Field"][1]  # agreement per code, once the round is open
    assert QUOKKA in agreement["iv: Quote spans"][1]  # unitizing alpha per code, likewise
    assert QUOKKA in interviews["Frequencies / all"][1] and QUOKKA not in interviews["Frequencies / mine"][1]


def _disagreements_of_cause(user: str):
    at = open_page(sign_in(user, f"{user}-password"), "agreement")
    for step in (_select("agreement.codebook", "tiny"), _radio("agreement.view", "Disagreements"),
                 _select("agreement.dfield", "cause")):
        step(at)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_only_a_lead_gets_the_reconciliation_and_adjudication_controls(blind):
    open_reconciliation(blind, "main", actor="lea")
    bob, lea = _disagreements_of_cause("bob"), _disagreements_of_cause("lea")
    for at in (bob, lea):  # the round is open: both see D1's disagreement with both values
        [d1] = [e for e in at.expander if " D1 " in f" {e.label} "]
        assert GPU in d1.table[0].value.to_csv() and "API defect" in d1.table[0].value.to_csv()
    assert not [b for b in bob.button if "reconciliation" in b.label.lower() or b.label == "Save final value"]
    # the tiny codebook's one round (main) is open: its Close button; the papers' screening rounds
    # are not this codebook's, so the view offers no button for them
    assert {"Close reconciliation", "Save final value"} <= {b.label for b in lea.button}
    assert "Open reconciliation" not in {b.label for b in lea.button}
    assert MARK in view_texts("defects", "lea")["Label, main"][0]  # a lead reads D1's whole history


def test_a_coder_gets_no_import_controls(blind):
    at = open_page(sign_in("bob", "bob-password"), "defects")
    _radio("defects.view", "Import")(at)
    assert any("Only a lead imports" in i.value for i in at.info) and not at.get("file_uploader")
    at = open_page(sign_in("bob", "bob-password"), "interviews")
    _segmented("interviews.view", "Import")(at)
    assert any("Only a lead imports" in i.value for i in at.info) and not at.get("file_uploader")
    at = open_page(sign_in("lea", "lea-password"), "interviews")
    _segmented("interviews.view", "Import")(at)
    assert len(at.get("file_uploader")) == 2


# -- every coder-facing output of the CLI, and the exports -------------------------------------------

def _xlsx_text(path: Path) -> str:
    return "\n".join(df.to_csv() for df in pd.read_excel(path, sheet_name=None).values())


def outputs(folder: Path, tmp: Path) -> dict[str, str]:
    """What bob gets from each coder-facing command (and the aggregate reports anyone may read)."""
    got = {}
    for name, args in {
        "papers export extraction-csv --as bob": ["papers", "export", folder, "extraction-csv", "--as", "bob"],
        "papers export screening-csv": ["papers", "export", folder, "screening-csv"],
        "screen conflicts --as bob": ["screen", "conflicts", folder, "--as", "bob", "--stage", "ta"],
        "history --as bob": ["history", folder, "--as", "bob", "--limit", "0", "--format", "json"],
        "history --unit --as bob": ["history", folder, "--unit", "defect:D1", "--as", "bob"],
        "interviews quotes --source bob": ["interviews", "quotes", folder, "--codebook", "iv", "--source", "bob",
                                           "--whole-segments"],
        "interviews frequencies --source bob": ["interviews", "frequencies", folder, "--codebook", "iv",
                                                "--source", "bob", "--format", "json"],
        "interviews cooccurrence --source bob": ["interviews", "cooccurrence", folder, "--codebook", "iv",
                                                 "--source", "bob", "--format", "csv"],
        "interviews matrix --source bob": ["interviews", "matrix", folder, "--codebook", "iv", "--source", "bob",
                                           "--cells", "quotes"],
        "interviews spans --coder bob": ["interviews", "spans", folder, "--coder", "bob"],
        "saturation --source bob": ["saturation", folder, "--codebook", "iv", "--source", "bob"],
        "crosstab --coder bob": ["crosstab", folder, "--rows", "stage", "--cols", "cause", "--coder", "bob",
                                 "--codebook", "tiny", "--format", "json"],
        "defects distribution --coder bob": ["defects", "distribution", folder, "cause", "--coder", "bob",
                                             "--format", "json"],
        "status": ["status", folder, "--format", "json"],
        **{f"agreement {f}": ["agreement", folder, "--format", f, "--n-boot", "0"]
           for f in ("markdown", "latex", "csv", "json", "html")},
    }.items():
        r = cli(*args)
        assert r.exit_code == 0, (name, r.output)
        got[name] = r.output
    xlsx = tmp / "extraction.xlsx"
    xlsx.unlink(missing_ok=True)
    assert cli("papers", "export", folder, "extraction-xlsx", "--as", "bob", "-o", xlsx).exit_code == 0
    got["papers export extraction-xlsx --as bob"] = _xlsx_text(xlsx)
    return got


#: Outputs that show other coders' values once reconciliation is open: what must appear then.
AFTER = {"papers export extraction-csv --as bob": MARK, "papers export extraction-xlsx --as bob": MARK,
         "screen conflicts --as bob": "chen: exclude", "history --as bob": MARK, "history --unit --as bob": MARK}


#: Outputs that list every code of a field (with zero counts): for them chen's codes are checked in
#: the numbers, not the text.
CODE_LISTS = {"defects distribution --coder bob", "crosstab --coder bob"}


def _counts_are_bobs(out: dict[str, str]) -> None:
    import json

    dist = json.loads(out["defects distribution --coder bob"])
    assert dist["n"] == 1 and {r["code"]: r["count"] for r in dist["rows"]} == {"api": 1, "gpu": 0, "loss": 0}
    xt = json.loads(out["crosstab --coder bob"])
    assert xt["n"] == 1 and xt["cols"] == ["api"] and xt["counts"] == [[1]]


def test_no_coder_facing_output_shows_another_coders_values(blind, tmp_path):
    before = outputs(blind.folder, tmp_path)
    for name, text in before.items():
        assert MARK not in text, f"{name} shows chen's text"
        if name not in CODE_LISTS:
            for code in (GPU, QUOKKA, "quokka", '"gpu"'):
                assert code not in text, f"{name} shows chen's code {code}"
    _counts_are_bobs(before)
    assert "hidden until a lead opens reconciliation" in before["screen conflicts --as bob"]
    open_all_rounds(blind)
    after = outputs(blind.folder, tmp_path)
    for name, text in after.items():
        if name in AFTER:
            assert AFTER[name] in text, f"{name} does not show chen's values once reconciliation is open"
        else:  # aggregate reports and bob's own codes: never chen's values, open or not
            assert MARK not in text and QUOKKA not in text and "quokka" not in text, name
    _counts_are_bobs(after)


def test_the_whole_study_export_is_for_leads_and_holds_everything(blind, tmp_path):
    r = cli("export", blind.folder, tmp_path / "bob.zip", "--by", "bob")
    assert r.exit_code == 2 and "only a lead can export a study" in r.stderr
    assert not (tmp_path / "bob.zip").exists()
    r = cli("export", blind.folder, tmp_path / "lea.zip", "--by", "lea")
    assert r.exit_code == 0, r.output
    import zipfile

    with zipfile.ZipFile(tmp_path / "lea.zip") as zf:
        assert MARK in zf.read("tables/annotations.jsonl").decode("utf-8")


# -- the role matrix ---------------------------------------------------------------------------------

def _fingerprint(store) -> dict:
    """Every row of every table: what a refused action must leave as it was."""
    return archive.all_rows(store.conn)


def _service_calls(store, tmp: Path) -> dict:
    from studyapp.services.agreement.adjudication import adjudicate
    from studyapp.services.claims.claims_file import import_claims
    from studyapp.services.coding.labels import import_labels
    from studyapp.services.defects.imports import import_defects
    from studyapp.services.interviews.imports import (
        import_participants,
        import_transcript_data,
        import_transcripts,
    )
    from studyapp.services.papers.imports import import_papers, import_uploads
    from studyapp.services.publish import exports
    from studyapp.services.study.archive import export_study

    (tmp / "tiny2.yaml").write_text((tmp / "tiny.yaml").read_text() + "  - id: more\n    type: text\n")
    (tmp / "issues.csv").write_text("url,title\nhttps://github.com/o/r/issues/9,Crash\n")
    (tmp / "labels.csv").write_text("key,stage\nD3,env\n")
    (tmp / "people.csv").write_text("participant,role\nP1,engineer\n")
    (tmp / "claims.yaml").write_text("claims:\n  - id: C7\n    text: A claim\n    type: qualitative\n")
    d1 = store.units.by_key("defect", "D1")["id"]
    conflict = [u["id"] for u in screening.primary_papers(store)][0]  # bob includes, chen excludes

    return {
        "codebook add": lambda a: add_codebook(store, tmp / "tiny2.yaml", actor=a),
        "open reconciliation": lambda a: open_reconciliation(store, "main", actor=a),
        "open a screening stage": lambda a: screening.open_stage_reconciliation(store, "ta", actor=a),
        "set reviewers": lambda a: screening.set_reviewers(store, 2, actor=a),
        "adjudicate": lambda a: adjudicate(store, unit_id=d1, codebook_id="tiny", field_id="stage", value="env",
                                           rationale="agreed", actor=a),
        "resolve a screening conflict": lambda a: screening.resolve(store, conflict, "ta", "include", None, "fits",
                                                                    actor=a),
        "import papers": lambda a: import_papers(store, [DATA / "papers" / "acm.bib"], actor=a),
        "upload papers": lambda a: import_uploads(store, [("x.bib", (DATA / "papers" / "acm.bib").read_bytes())],
                                                  actor=a),
        "import transcripts": lambda a: import_transcripts(store, [DATA / "transcripts" / "interview-05.txt"],
                                                           actor=a),
        "upload transcripts": lambda a: import_transcript_data(store, [("t.txt", b"P1: hello\n")], actor=a),
        "import participants": lambda a: import_participants(store, tmp / "people.csv", actor=a),
        "import defects": lambda a: import_defects(store, [tmp / "issues.csv"], actor=a),
        "import labels": lambda a: import_labels(store, tmp / "labels.csv", coder="bob", codebook="tiny", actor=a),
        "import claims": lambda a: import_claims(store, tmp / "claims.yaml", actor=a),
        "export a study": lambda a: export_study(store, tmp / "s.zip", actor=a),
        "export by suffix": lambda a: exports.export(store, tmp / "t.zip", actor=a),
    }


def test_services_refuse_a_coder_for_lead_actions(blind, tmp_path):
    calls = _service_calls(blind, tmp_path)
    before = _fingerprint(blind)
    for what, call in calls.items():
        with pytest.raises(PermissionDenied, match="only a lead"):
            call("bob")
        assert _fingerprint(blind) == before, f"{what} by a coder changed the study"
    assert not (tmp_path / "s.zip").exists() and not (tmp_path / "t.zip").exists()
    for what in ("codebook add", "import defects", "import claims", "export by suffix", "open reconciliation"):
        calls[what]("lea")  # a lead may (and so may the CLI, acting as `cli`)
    calls["import participants"]("cli")


def _cli_calls(folder: Path, tmp: Path) -> dict[str, list]:
    (tmp / "tiny2.yaml").write_text((tmp / "tiny.yaml").read_text() + "  - id: more\n    type: text\n")
    (tmp / "issues.csv").write_text("url,title\nhttps://github.com/o/r/issues/9,Crash\n")
    (tmp / "labels.csv").write_text("key,stage\nD3,env\n")
    (tmp / "people.csv").write_text("participant,role\nP1,engineer\n")
    (tmp / "claims.yaml").write_text("claims:\n  - id: C7\n    text: A claim\n    type: qualitative\n")
    return {
        "add or change a codebook": ["codebook", "add", folder, tmp / "tiny2.yaml", "--by", "{who}"],
        "import papers": ["import", "papers", folder, DATA / "papers" / "acm.bib", "--by", "{who}"],
        "import transcripts": ["import", "transcripts", folder, DATA / "transcripts" / "interview-05.txt",
                               "--by", "{who}"],
        "import participants": ["import", "participants", folder, tmp / "people.csv", "--by", "{who}"],
        "import defects": ["import", "defects", folder, tmp / "issues.csv", "--by", "{who}"],
        "import labels": ["import", "labels", folder, tmp / "labels.csv", "--coder", "bob", "--codebook", "tiny",
                          "--by", "{who}"],
        "import claims": ["claims", "import", folder, tmp / "claims.yaml", "--by", "{who}"],
        "export a study": ["export", folder, tmp / "s.zip", "--by", "{who}"],
        "open reconciliation": ["screen", "open", folder, "--stage", "ta", "--lead", "{who}"],
        "resolve screening conflicts": ["screen", "resolve", folder, "jiang2023empirical", "include", "--rationale",
                                        "fits", "--lead", "{who}"],
        "set the number of reviewers": ["screen", "reviewers", folder, "2", "--lead", "{who}"],
    }


def test_the_cli_refuses_a_coder_for_lead_actions(blind, tmp_path):
    folder = blind.folder
    before = _fingerprint(blind)
    for what, args in _cli_calls(folder, tmp_path).items():
        r = cli(*[str(a).replace("{who}", "bob") for a in args])
        assert r.exit_code == 2, (what, r.output)
        assert r.stderr.startswith(f"error: only a lead can {what}"), (what, r.stderr)
        assert "Traceback" not in r.output
        assert _fingerprint(blind) == before, f"`{' '.join(map(str, args[:2]))}` by a coder changed the study"
    for what, args in _cli_calls(folder, tmp_path).items():
        if what in ("resolve screening conflicts",):
            continue
        r = cli(*[str(a).replace("{who}", "lea") for a in args])
        assert r.exit_code == 0, (what, r.output)
    assert [h["actor"] for h in blind.history.recent(None, action_prefix="import")][:3] == ["lea"] * 3


# -- sign-in on a lab server, single-user mode locally ---------------------------------------------

def test_serve_signs_in_unless_no_auth(blind, monkeypatch):
    import subprocess

    seen = []

    class Server:
        """Stands in for the Streamlit process `studyapp serve` starts: records how it was started."""

        def __init__(self, cmd, env=None, cwd=None):
            seen.append(env["STUDYAPP_AUTH"])

        def wait(self, timeout=None):
            return 0

        def poll(self):
            return 0

    monkeypatch.setattr(subprocess, "Popen", Server)
    monkeypatch.setattr("studyapp.cli.study.port_free", lambda host, port: True)  # 8501 may be taken here
    assert cli("serve", blind.folder).exit_code == 0
    assert cli("serve", blind.folder, "--no-auth").exit_code == 0
    assert seen == ["1", "0"]
    monkeypatch.setenv("STUDYAPP_AUTH", "0")  # what `--no-auth` serves: no form, pick whom you code as
    from streamlit.testing.v1 import AppTest

    from tests.team._app import APP

    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and "Sign in" not in [t.value for t in at.title]
    assert at.sidebar.selectbox(key="app.coder_pick").options == ["bob (coder)", "chen (coder)", "lea (lead)"]


def test_a_refused_screening_action_sets_nothing_up(study):
    """The screening codebook and rounds are registered on first use; a coder's refused attempt must
    not be that first use."""
    add_codebook(study, REPO / "codebooks" / "ptm-reuse-slr.yaml", actor="lea")
    before = _fingerprint(study)
    for args in (["screen", "open", study.folder, "--stage", "ft", "--lead", "bob"],
                 ["screen", "reviewers", study.folder, "3", "--lead", "chen"]):
        r = cli(*args)
        assert r.exit_code == 2 and r.stderr.startswith("error: only a lead can"), r.output
    with pytest.raises(PermissionDenied):
        screening.resolve(study, study.units.by_key("defect", "D1")["id"], "ta", "include", None, "x", actor="bob")
    assert _fingerprint(study) == before
