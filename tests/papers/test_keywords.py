"""Keyword highlighting while screening (issue 14, as Rayyan and ASReview): include terms green,
exclude terms red, in title and abstract; the imported text is escaped first (no Markdown, HTML or
remote images of a record ever render); a lead edits the terms (a new codebook version, in the
history); a coder cannot."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from studyapp.cli import main
from studyapp.domain.codebook_yaml import load_codebook, parse_codebook
from studyapp.errors import InvalidCodebook, PermissionDenied
from studyapp.render.highlight import counts, escape_markdown, find, highlight
from studyapp.services.coding.codebooks import get_codebook, set_keywords
from studyapp.services.papers.views import screen_view
from tests.pages import open_page, serve_to_pages
from tests.papers.conftest import SLR_CODEBOOK

HOSTILE = ('![pixel](https://tracker.example/p.png) <img src="https://x/y.png" onerror=alert(1)> '
           '[click](javascript:alert(1)) **bold** :red[fake] $$x$$ <script>alert(1)</script>')


def test_keywords_are_marked_green_and_red_by_whole_word_or_prefix():
    md = highlight("Reusing pre-trained models on Hugging Face: a tutorial.", ["pre-trained", "reus*", "hugging face"],
                   ["tutorial"])
    assert ":green-background[:green[**Reusing**]]" in md
    assert r":green-background[:green[**pre\-trained**]]" in md
    assert ":green-background[:green[**Hugging Face**]]" in md
    assert ":red-background[:red[**tutorial**]]" in md
    assert find("prefix", ["pre"], []) == []  # whole words unless the term ends in *
    assert counts("Reuse, reuse and REUSE.", ["reuse"], []) == {"include": 3, "exclude": 0}


def test_imported_markup_is_escaped_before_marking():
    md = highlight(HOSTILE, ["click"], ["bold"])
    assert r"\*\*:red" in md  # the record's own ** stays text around the mark
    for raw in ("![", "](", "<img", "<script", ":red[fake", "$$", "https://"):
        assert raw not in md, raw
    assert "&lt;img" in md and r"\!\[pixel\]" in md
    assert ":green-background[:green[**click**]]" in md and ":red-background[:red[**bold**]]" in md
    assert escape_markdown("a_b*c`d#e|f") == r"a\_b\*c\`d\#e\|f"
    # an indented line is no code block, a numbered line no list
    assert highlight("    code\n1. item") == "code  \n1\\. item"


def test_the_codebook_names_keywords_and_writes_them_back():
    cb = load_codebook(SLR_CODEBOOK)
    assert "Hugging Face" in cb.keywords.include and "tutorial" in cb.keywords.exclude
    again = parse_codebook(cb.with_keywords(include=["model zoo*", "Model Zoo*"]).text)
    assert again.keywords.include == ("model zoo*",) and again.keywords.exclude == cb.keywords.exclude
    bad = SLR_CODEBOOK.read_text(encoding="utf-8").replace("keywords:\n", "keywords:\n  includes: [x]\n")
    with pytest.raises(InvalidCodebook, match="unknown key 'includes'") as e:
        parse_codebook(bad, "slr.yaml")
    assert e.value.line is not None


def test_the_screen_view_carries_the_keywords(imported):
    v = screen_view(imported, "bob", "ta")
    assert "Hugging Face" in v.keywords.include


def test_a_lead_edits_keywords_as_a_new_version_in_the_history_and_a_coder_cannot(imported):
    before = len(imported.codebooks.versions("ptm-reuse-slr"))
    cb, vid = set_keywords(imported, "ptm-reuse-slr", add_include=["benchmark*"], add_exclude=["reuse*"],
                           remove=["tutorial"], actor="lea")
    assert vid is not None and len(imported.codebooks.versions("ptm-reuse-slr")) == before + 1
    assert "benchmark*" in cb.keywords.include and "reuse*" in cb.keywords.exclude  # moved to exclude
    assert "reuse*" not in cb.keywords.include and "tutorial" not in cb.keywords.exclude
    assert get_codebook(imported, "ptm-reuse-slr").keywords == cb.keywords
    entry = imported.query("SELECT * FROM history WHERE action = 'codebook.version' ORDER BY id DESC LIMIT 1")[0]
    assert entry["actor"] == "lea"
    assert set_keywords(imported, "ptm-reuse-slr", add_include=["benchmark*"], actor="lea")[1] is None
    with pytest.raises(PermissionDenied):
        set_keywords(imported, "ptm-reuse-slr", add_include=["x"], actor="bob")


def test_the_cli_shows_and_changes_keywords(imported):
    folder = str(imported.folder)
    r = CliRunner().invoke(main, ["codebook", "keywords", folder, "ptm-reuse-slr"])
    assert r.exit_code == 0 and "Hugging Face" in r.output
    r = CliRunner().invoke(main, ["codebook", "keywords", folder, "ptm-reuse-slr", "--exclude", "survey", "--by", "lea"])
    assert r.exit_code == 0 and "new version" in r.output and "survey" in r.output.splitlines()[-1]
    r = CliRunner().invoke(main, ["codebook", "keywords", folder, "ptm-reuse-slr", "--exclude", "x", "--by", "bob"])
    assert r.exit_code == 2 and "only a lead" in r.output


@pytest.fixture
def page_study(imported, monkeypatch):
    return serve_to_pages(imported, monkeypatch)


def test_the_screen_page_marks_keywords_in_title_and_abstract(page_study):
    set_keywords(page_study, "ptm-reuse-slr", add_include=["the"], actor="lea")  # in every abstract
    at = open_page("papers", "bob")
    assert not at.exception
    body = [m.value for m in at.markdown]
    assert any(":green-background[" in b for b in body)
    assert any("include" in c.value and "exclude" in c.value and "Keywords" in c.value for c in at.caption)


def test_a_lead_edits_keywords_on_the_screen_view_and_a_coder_sees_no_editor(page_study):
    assert not any("Highlighted keywords" in e.label for e in open_page("papers", "bob").expander)
    at = open_page("papers", "lea")
    assert any("Highlighted keywords" in e.label for e in at.expander)
    at.text_area(key="papers.screen.keywords.include").input("benchmark*\nHugging Face")
    at.text_area(key="papers.screen.keywords.exclude").input("survey")
    [b for b in at.button if b.label == "Save keywords"][0].click().run()
    assert not at.exception
    assert any("Keywords saved" in s.value for s in at.success)
    kw = get_codebook(page_study, "ptm-reuse-slr").keywords
    assert kw.include == ("benchmark*", "Hugging Face") and kw.exclude == ("survey",)
