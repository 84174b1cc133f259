"""M6 (issue 17): a study whose imported text (a paper's title and abstract, an issue's title and body,
a transcript turn and the quote marked in it) carries image beacons and `data:`/`javascript:` links
is opened page by page under AppTest; nothing any page hands to Streamlit's Markdown (markdown,
captions, headers, alerts, expander and widget labels, help) would render an image, raw HTML or an
unsafe link. The same study is served to a real browser in tests/browser/test_no_remote_fetch.py."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from studyapp.paths import CODEBOOKS_DIR
from studyapp.services.defects.imports import import_defects
from studyapp.services.interviews.imports import import_transcripts
from studyapp.services.interviews.spans import add_span
from studyapp.services.papers.imports import import_papers
from studyapp.services.study.study import init_study
from tests.pages import open_page
from tests.security.test_safe_text import BEACON, _problems

EVIL = f"![]({BEACON}) [run](javascript:alert(1)) [see](data:text/html,hi) <img src=\"{BEACON}\">"
QUOTE = f"the card ![]({BEACON}) says"


def _csv(path: Path, header: list[str], row: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, row])
    return path


def beacon_study(folder: Path) -> Path:
    """A study with one paper, one defect and one transcript whose imported text carries `EVIL`."""
    store = init_study(folder / "study", title="Beacons",
                       codebooks=[CODEBOOKS_DIR / f"{n}.yaml" for n in ("ptm-reuse-slr", "dl-reengineering-defects",
                                                                         "ptm-reuse-interviews")])
    store.coders.add("lea", "lead")
    store.coders.add("bob")
    papers = _csv(folder / "papers.csv", ["Key", "Item Type", "Publication Year", "Author", "Title", "Abstract Note",
                                          "DOI"],
                  ["K1", "journalArticle", "2024", "Doe, Jo", f"A study {EVIL}", f"Abstract {EVIL}",
                   f"10.1/x)![]({BEACON})"])
    import_papers(store, [papers])
    body = f"Crash ![]({BEACON})\n\n**bold** [run](javascript:alert(1)) ![x](data:image/png;base64,iVBORw0KGgo=)"
    issues = _csv(folder / "issues.csv", ["key", "url", "title", "body"],
                  ["D1", "javascript:alert(1)", f"Title {EVIL}", body])
    import_defects(store, [issues], repo="acme/det")
    turn = folder / "interview-09.txt"
    turn.write_text(f"Interviewer:\nWhat do you read?\n\nP9: {QUOTE} and {EVIL}\n", encoding="utf-8")
    import_transcripts(store, [turn], participant=f"P9 ![]({BEACON})")
    seg = next(s for s in store.units.list("segment") if QUOTE in (s["text"] or ""))
    start = seg["text"].index(QUOTE)
    add_span(store, seg["id"], "bob", start, start + len(QUOTE), ["attributes:popularity"],
             codebook="ptm-reuse-interviews")
    store.close()
    return folder / "study"


@pytest.fixture
def beacons(tmp_path, monkeypatch) -> Path:
    folder = beacon_study(tmp_path)
    monkeypatch.setenv("STUDYAPP_STUDY", str(folder))
    return folder


def _strings(message, out: list[str]) -> None:
    """Every Markdown-rendered string field (body, label, help) of a proto message, nested ones too."""
    for fd, value in message.ListFields():
        if fd.type == fd.TYPE_MESSAGE:
            for m in (value if getattr(fd, "is_repeated", False) or hasattr(value, "__len__") else [value]):
                _strings(m, out)
        elif fd.name in ("body", "label", "help") and isinstance(value, str):
            out.append(value)


#: Elements that show their text as text (st.text, st.code, the transcript component's DOM text).
PLAIN = {"text", "code", "bidi_component", "json"}


def rendered(at: AppTest) -> list[str]:
    out: list[str] = []

    def walk(node):
        if getattr(node, "proto", None) is not None and getattr(node, "type", None) not in PLAIN:
            _strings(node.proto, out)
        for child in getattr(node, "children", {}).values():
            walk(child)
    walk(at._tree)
    return out


def _check(at: AppTest, where: str, must_show: str) -> None:
    texts = rendered(at)
    assert any(must_show in t for t in texts), f"{where}: the imported text is not on the page"
    bad = {t[:120]: p for t in texts if (p := _problems(t))}
    assert not bad, f"{where}: {bad}"


def test_no_page_renders_an_image_or_unsafe_link_from_imported_text(beacons):
    at = open_page("papers", "bob")
    _check(at, "Papers / Screen", "beacon")
    at = open_page("defects", "bob")
    _check(at, "Defects / Label", "beacon")
    at = open_page("interviews", "bob")
    _check(at, "Interviews / Code", "beacon")  # the quote in the panel and the participant
    at.segmented_control(key="interviews.view").set_value("Analyse").run()
    at.segmented_control(key="interviews.a_view").set_value("Quotes").run()
    assert not at.exception
    _check(at, "Interviews / Quotes", "the card")
    for page, view in (("papers", "Records"), ("papers", "Conflicts"), ("papers", "Extract"), ("defects", "Analyse"),
                       ("home", None), ("codebooks", None), ("agreement", None)):
        at = open_page(page, "lea", view=view) if view else open_page(page, "lea")
        assert not {t[:120]: p for t in rendered(at) if (p := _problems(t))}, f"{page} / {view}"
