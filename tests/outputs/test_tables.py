"""Paper-ready tables: booktabs LaTeX that a LaTeX run would accept (structure and escaping),
well-formed GitHub Markdown, CSV safe for spreadsheets; and every table command offering them."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from click.testing import CliRunner

from studyapp.cli import main
from studyapp.render import tables
from studyapp.services.claims import report as claim_report
from studyapp.services.coding.coding import CodingRow, code_many
from studyapp.services.defects import crosstab

SPECIALS = "50% & $5 #1 under_score {x} ~y ^z back\\slash <a> |p|"


def check_latex(tex: str, n_cols: int) -> list[list[str]]:
    """The body rows of a booktabs table, after checking its structure; fails on an unescaped special."""
    lines = tex.strip().splitlines()
    begin = next(i for i, line in enumerate(lines) if line.startswith(r"\begin{tabular}{"))
    spec = re.match(r"\\begin\{tabular\}\{([lrc]+)\}", lines[begin]).group(1)
    assert len(spec) == n_cols
    assert lines[begin + 1] == r"\toprule" and lines[begin + 3] == r"\midrule"
    end = lines.index(r"\end{tabular}")
    assert lines[end - 1] == r"\bottomrule"
    assert tex.count(r"\toprule") == tex.count(r"\midrule") == tex.count(r"\bottomrule") == 1
    if r"\begin{table}" in tex:
        assert tex.rstrip().endswith(r"\end{table}") and r"\centering" in tex
    rows = []
    for line in [lines[begin + 2]] + lines[begin + 4: end - 1]:
        assert line.endswith(r" \\"), line
        cells = re.split(r"(?<!\\)&", line[:-3])
        assert len(cells) == n_cols, line
        for c in cells:
            bare = re.sub(r"\\(textbackslash|textasciitilde|textasciicircum|textless|textgreater|textbar|ldots)\{\}"
                          r"|\\[&%$#_{}]", "", c)
            bare = re.sub(r"\$\\[a-z]+\$", "", bare)  # raw math headers such as $\kappa$
            assert not set(bare) & set("&%$#_{}~^\\"), f"unescaped special in {c!r}"
        rows.append([c.strip() for c in cells])
    return rows[1:]


def check_markdown(md: str, n_cols: int) -> list[list[str]]:
    """The body rows of the first pipe table in `md`, after checking header, rule and every row."""
    lines = md.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append(line)
    assert re.fullmatch(r"\|(:?-{3,}:?\|)+", table[1]), table[1]
    out = []
    for line in [table[0]] + table[2:]:
        assert line.startswith("| ") and line.endswith(" |"), line
        cells = re.split(r"(?<!\\)\|", line)[1:-1]
        assert len(cells) == n_cols, line
        out.append([c.strip() for c in cells])
    assert table[1].count("|") == n_cols + 1
    return out[1:]


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"name": [SPECIALS, "plain\nline"], "n": [3, 4], "share": [0.5, None]})


def test_latex_is_booktabs_with_caption_label_notes_and_escapes_every_special(frame):
    tex = tables.render_table(frame, "latex", caption="Cap & 100%", label="tab:my table", notes=["n = 2 #units"])
    rows = check_latex(tex, 3)
    assert rows[0][0] == (r"50\% \& \$5 \#1 under\_score \{x\} \textasciitilde{}y \textasciicircum{}z "
                          r"back\textbackslash{}slash \textless{}a\textgreater{} \textbar{}p\textbar{}")
    assert rows[0][1:] == ["3", "0.500"] and rows[1][2] == ""
    assert r"\caption{Cap \& 100\%}" in tex and r"\label{tab:my-table}" in tex and r"n = 2 \#units" in tex
    assert r"\begin{tabular}{lrr}" in tex and "usepackage{booktabs}" in tex


def test_latex_without_float_keeps_notes_as_comments_and_raw_headers(frame):
    tex = tables.to_latex(frame, float_env=False, headers=["Name", r"$\kappa$", "Share"], notes=["a note"])
    check_latex(tex, 3)
    assert r"\begin{table}" not in tex and "% a note" in tex and r"Name & $\kappa$ & Share \\" in tex


def test_markdown_is_a_well_formed_pipe_table(frame):
    md = tables.render_table(frame, "markdown", caption="A | caption", notes=["first note", "second"])
    rows = check_markdown(md, 3)
    assert rows[0][0].count("\\|") == 2 and rows[1][0] == "plain line"
    assert md.startswith("**A \\| caption**") and md.rstrip().endswith("second")
    assert "|---|---:|---:|" in md


def test_csv_neutralises_formulas_but_keeps_numbers(frame):
    df = pd.DataFrame({"title": ["=HYPERLINK(1)", "ok"], "n": [-1, 2]})
    text = tables.render_table(df, "csv")
    assert text.splitlines() == ["title,n", "'=HYPERLINK(1),-1", "ok,2"]


def test_unknown_format_is_refused(frame):
    from studyapp.errors import StudyError
    with pytest.raises(StudyError, match="latex"):
        tables.render_table(frame, "docx")


def test_agreement_report_uses_the_shared_tables(coded_tiny):
    from studyapp.services.agreement.report import render
    tex = render(coded_tiny, "latex", "tiny", n_boot=0)
    rows = check_latex(tex, 11)
    assert ["DL stage", "nominal", "main"] == rows[0][:3]  # the field's label, not its id
    md = render(coded_tiny, "markdown", "tiny", n_boot=0)
    assert md.startswith("# Agreement: Tiny") and len(check_markdown(md, 13)) == len(rows)


@pytest.fixture
def coded_tiny(study):
    ids = [study.units.by_key("defect", f"D{i}")["id"] for i in (1, 2, 3)]
    rows = []
    for coder, stages in (("bob", ["env", "env", "train"]), ("chen", ["env", "train", "train"])):
        rows += [CodingRow(u, "tiny", "stage", coder, s) for u, s in zip(ids, stages)]
        rows += [CodingRow(u, "tiny", "severity", coder, v) for u, v in zip(ids, ["low", "high", "high"])]
    code_many(study, rows)
    return study


def test_crosstab_latex_and_markdown_from_the_api_and_the_cli(coded_tiny):
    r = crosstab.crosstab(coded_tiny, "stage", "severity", coder="bob")
    tex = crosstab.render(r, "latex")
    rows = check_latex(tex, len(r["cols"]) + 2)
    assert rows[-1][0] == "Total" and rows[-1][-1] == str(r["n_pairs"]) and "chi-square" in tex
    md = crosstab.render(r, "markdown")
    assert check_markdown(md, len(r["cols"]) + 2)[0][0] == "Environment"
    out = CliRunner().invoke(main, ["crosstab", str(coded_tiny.folder), "--rows", "stage", "--cols", "severity",
                                    "--coder", "chen", "--format", "latex"])
    assert out.exit_code == 0, out.output
    check_latex(out.output, len(r["cols"]) + 2)


def test_claim_evidence_table_in_latex_and_markdown():
    recs = [{"claim": "C_1", "metric": "coding_share", "value": 0.75, "test": "proportion", "statistic": 3.0,
             "p_value": 0.0123, "effect_size": 0.75, "ci95": [0.4, 0.9], "n": 4, "verdict": "supported",
             "reason": "the rule holds: value = 0.75 > 0.5 & p < 0.05"}]
    rows = check_latex(claim_report.render_records(recs, "latex", caption="Claims"), 11)
    assert rows[0][0] == r"C\_1" and rows[0][7] == "[0.4, 0.9]" and r"\&" in rows[0][10]
    md_rows = check_markdown(claim_report.render_records(recs, "markdown"), 11)
    assert md_rows[0][2] == "0.75" and md_rows[0][9] == "supported"


def test_code_frequencies_from_the_cli_in_latex_and_markdown(demo_folder):
    folder = demo_folder
    for fmt in ("latex", "markdown"):
        out = CliRunner().invoke(main, ["interviews", "frequencies", str(folder), "--codebook",
                                        "ptm-reuse-interviews", "--format", fmt])
        assert out.exit_code == 0, out.output
        rows = (check_latex if fmt == "latex" else check_markdown)(out.output, 7)
        assert rows and all(r[3].isdigit() for r in rows)
    out = CliRunner().invoke(main, ["interviews", "cooccurrence", str(folder), "--codebook", "ptm-reuse-interviews",
                                    "--format", "markdown"])
    assert out.exit_code == 0 and check_markdown(out.output, 4)
