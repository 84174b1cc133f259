"""Screening the demo study's papers in a real browser, each reviewer signed in as themself.

Two records came in late by snowballing, so the lead has closed title/abstract reconciliation again:
the reviewers screen blind. bob includes a paper with one key (I) and the next paper loads at once;
chen excludes the same paper with one click on its criterion (E1); neither sees the other's decision;
alice opens the stage's reconciliation, sees the conflict with both decisions and resolves it with a
rationale; the PRISMA diagram on the page shows the study's own counts (`services.prisma`).
Screenshots: test-output/browser/screening-*.png."""

from __future__ import annotations

import base64
import re
from html import unescape

import pytest

from studyapp.services.papers import prisma, screening
from studyapp.services.papers import queue as screening_queue
from studyapp.services.papers.imports import snowball_record, start_snowball_round
from studyapp.store import Store
from tests.browser._helpers import (
    T,
    alerts,
    grid,
    no_exception,
    open_app,
    settle,
    shot,
    sign_in,
    signed_in_as,
)

pytestmark = pytest.mark.browser
RATIONALE = "Reviews how practitioners reuse models: in scope (I1), grey literature or not."
LATE = {"title": "Searching a Model Hub: How Engineers Look for Pre-Trained Models", "year": 2024,
        "authors": ["Ines Carvalho"], "venue": "MSR",
        "abstract": "We logged 1,200 search sessions on a model hub and interviewed 14 engineers about how they "
                    "look for pre-trained models to reuse, and what makes them give up."}


@pytest.fixture
def review_study(demo_study):
    """The demo with one more late record, and title/abstract reconciliation closed for blind screening."""
    with Store.open(demo_study) as store:
        rnd = start_snowball_round(store, "forward", note="citations of an included paper", actor="alice")
        snowball_record(store, rnd, "P18", "forward", actor="alice", **LATE)
        screening.open_stage_reconciliation(store, "ta", actor="alice", open_=False)
        assert len(screening_queue.queue(store, "ta", "bob").ids) >= 2
    return demo_study


def _papers_as(browser, url: str, name: str):
    """A new session on the Papers page, signed in as `name` (the demo's passwords are NAME-demo)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    open_app(page, url, "papers")
    sign_in(page, name, f"{name}-demo")
    assert signed_in_as(page).startswith(f"Signed in as {name} ")
    page.get_by_role("heading", name="Papers").first.wait_for(timeout=T)
    settle(page)
    return page


def _view(page, name: str) -> None:
    page.locator('[data-testid="stRadio"]').filter(has_text="Screen").filter(has_text="PRISMA").get_by_text(
        name, exact=True).click()
    settle(page)


def _paper_on_screen(page) -> str:
    """The key of the paper the Screen view shows (its caption starts with the key in code)."""
    page.locator('[data-testid="stMain"] h3').first.wait_for(timeout=T)
    return page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"] code').first.inner_text()


def _key(page, key: str) -> None:
    """Press a one-key shortcut with nothing focused (a focused input would take the key)."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press(key)
    settle(page)


def _svg_columns(page) -> tuple[list[str], list[str]]:
    """The text lines of the PRISMA diagram as drawn on the page (an SVG image): those of the left
    column (databases, and the included box) and those of the right one (other methods)."""
    img = page.locator('[data-testid="stImage"] img').first
    img.wait_for(timeout=T)
    src = img.get_attribute("src")
    if src.startswith("data:image/svg+xml;base64,"):
        svg = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
    else:
        svg = page.evaluate("async src => await (await fetch(src)).text()", src)
    lines = [(float(x), unescape(t)) for x, t in re.findall(r'<text x="([\d.]+)"[^>]*>(.*?)</text>', svg)]
    return [t for x, t in lines if x < 720], [t for x, t in lines if x >= 720]


def _has(texts: list[str], label: str, n: int) -> bool:
    """The diagram shows `label` with `(n = N)`: on one line, or the count on the line below."""
    return f"{label} (n = {n})" in texts or any(a == label and b == f"(n = {n})" for a, b in zip(texts, texts[1:]))


def _column_matches(texts: list[str], c: dict, other: bool) -> None:
    first = ("Citation searching", "Duplicate records") if other else ("Databases", "Duplicate records removed")
    for label, n in ((first[0], c["identified"]), (first[1], c["duplicates_removed"]),
                     ("Records screened", c["screened"]), ("Records excluded", c["excluded_screening"]),
                     ("Reports sought for retrieval", c["sought"]), ("Reports not retrieved", c["not_retrieved"]),
                     ("Reports assessed for eligibility", c["assessed"])):
        assert _has(texts, label, n), (label, n, texts)
    for reason, n in c["excluded_reasons"].items():
        assert _has(texts, f"  {reason}", n) or _has(texts, reason, n), (reason, n, texts)


def test_two_reviewers_screen_blind_the_lead_resolves_and_prisma_counts_match(review_study, serve, browser, shots):
    url = serve(review_study, auth=True)
    with Store.open(review_study) as store:
        keys = {u["id"]: u["key"] for u in store.units.list("paper", with_text=False)}
        ids = {k: i for i, k in keys.items()}

    bob = _papers_as(browser, url, "bob")
    target = _paper_on_screen(bob)
    shot(bob, shots, "screening-1-bob-paper")
    _key(bob, "i")  # Include
    bob.get_by_text(f"{target}: include").wait_for(timeout=T)
    following = _paper_on_screen(bob)
    assert following != target  # the next paper is there at once
    shot(bob, shots, "screening-2-bob-next-paper")

    chen = _papers_as(browser, url, "chen")
    for _ in range(5):  # chen's queue has its own order: skip (S) to the same paper
        if _paper_on_screen(chen) == target:
            break
        _key(chen, "s")
    assert _paper_on_screen(chen) == target
    main = chen.locator('[data-testid="stMain"]')
    assert "bob" not in main.inner_text()  # nothing of bob's decision
    shot(chen, shots, "screening-3-chen-same-paper")
    chen.get_by_role("button", name=re.compile(r"^E1: Not about PTMs")).click()
    settle(chen)
    chen.get_by_text(f"{target}: exclude (E1)").wait_for(timeout=T)
    _view(chen, "Conflicts")
    chen.get_by_text("Reviewers' decisions stay hidden until a lead opens this stage's reconciliation.").wait_for(
        timeout=T)
    assert "bob" not in main.inner_text()
    no_exception(chen)
    shot(chen, shots, "screening-4-chen-conflicts-blind")
    chen.close()
    _view(bob, "Conflicts")  # and bob, back after chen's decision, sees nothing of it either
    bob.get_by_text("Reviewers' decisions stay hidden until a lead opens this stage's reconciliation.").wait_for(
        timeout=T)
    assert "chen" not in bob.locator('[data-testid="stMain"]').inner_text()
    bob.close()

    with Store.open(review_study) as store:
        mine = {c: screening.my_decisions(store, "ta", c).get(ids[target]) for c in ("bob", "chen")}
        assert mine == {"bob": ("include", None), "chen": ("exclude", "E1")}
        assert screening.verdicts(store, "ta")[ids[target]].status == "conflict"

    alice = _papers_as(browser, url, "alice")
    _view(alice, "Conflicts")
    status = {r["stage"]: r for r in grid(alice.locator('[data-testid="stDataFrame"]').first)}
    with Store.open(review_study) as store:
        counts = screening.status_counts(store, "ta")
    assert status["Title and abstract"]["conflict"] == str(counts["conflict"])
    alice.get_by_role("button", name="Open reconciliation of this stage").click()
    settle(alice)
    box = alice.locator('[data-testid="stVerticalBlock"]').filter(has_text=target).filter(
        has=alice.locator('[data-testid="stForm"]')).last  # the innermost: this conflict's own box
    box.wait_for(timeout=T)
    votes = box.locator('[data-testid="stTable"]').inner_text()
    assert "bob" in votes and "include" in votes and "chen" in votes and "E1" in votes
    shot(alice, shots, "screening-5-lead-sees-conflict")
    box.locator('[data-testid="stRadio"]').get_by_text("include", exact=True).click()
    box.get_by_role("textbox", name="Rationale").fill(RATIONALE)
    box.get_by_role("button", name="Resolve").click()
    settle(alice)
    alice.get_by_text(f"{target}: final decision include.").wait_for(timeout=T)
    assert alerts(alice) == []
    shot(alice, shots, "screening-6-resolved")

    with Store.open(review_study) as store:
        cb = screening.screening_codebook(store)
        [final] = [f for f in store.finals.for_unit(ids[target]) if (f["codebook"], f["field"]) == (cb.id, "screen_ta")]
        assert (final["value"], final["rationale"], final["by"]) == ("include", RATIONALE, "alice")
        assert screening.verdicts(store, "ta")[ids[target]].status == "included"
        counts = prisma.prisma_counts(store)

    _view(alice, "PRISMA")
    left, right = _svg_columns(alice)
    shot(alice, shots, "screening-7-prisma")
    no_exception(alice)
    _column_matches(left, counts, other=False)
    assert counts["other_methods"], "the demo's snowballed records make the other-methods column"
    _column_matches(right, counts["other_methods"], other=True)
    assert _has(left, "Studies included in review", counts["included_total"]), left
    assert _has(left, "  from other methods", counts["included_other_methods"]), left
    alice.close()


def test_the_number_key_of_a_criterion_excludes_for_that_criterion(review_study, serve, browser, shots):
    """E4 is the third exclusion criterion at title/abstract (E3 is full-text only): its key is "4",
    shown on its button, and pressing it excludes the paper for E4 (issue 14)."""
    url = serve(review_study, auth=True)
    with Store.open(review_study) as store:
        ids = store.units.ids_by_key("paper")
    bob = _papers_as(browser, url, "bob")
    target = _paper_on_screen(bob)
    button = bob.get_by_role("button", name=re.compile(r"^E4: Not in English"))
    assert "4" in button.inner_text()  # the key is drawn on the button
    bob.get_by_text("exclude: 1 E1, 2 E2, 4 E4").wait_for(timeout=T)
    shot(bob, shots, "screening-keys-1-before")
    _key(bob, "4")
    bob.get_by_text(f"{target}: exclude (E4)").wait_for(timeout=T)
    assert _paper_on_screen(bob) != target
    no_exception(bob)
    shot(bob, shots, "screening-keys-2-after")
    bob.close()
    with Store.open(review_study) as store:
        assert screening.my_decisions(store, "ta", "bob")[ids[target]] == ("exclude", "E4")


HOSTILE = {"title": "A tutorial on reusing pre-trained models <b>now</b>", "year": 2025, "authors": ["Mallory"],
           "abstract": "![pixel](https://tracker.invalid/p.png) <img src=\"https://tracker.invalid/q.png\"> "
                       "We study model reuse on **Hugging Face** [click](javascript:alert(1))."}


def test_keywords_are_marked_and_a_records_markup_never_renders(review_study, serve, browser, shots):
    """The shipped SLR codebook's keywords are marked in the title and abstract (include green,
    exclude red); the record's Markdown image, HTML image and link show as text (issue 14)."""
    with Store.open(review_study) as store:
        rnd = start_snowball_round(store, "backward", note="a hostile record", actor="alice")
        snowball_record(store, rnd, "P18", "backward", actor="alice", **HOSTILE)
    url = serve(review_study, auth=True)
    bob = _papers_as(browser, url, "bob")
    for _ in range(6):
        if "Mallory" in bob.locator('[data-testid="stMain"]').inner_text():
            break
        _key(bob, "s")
    main = bob.locator('[data-testid="stMain"]')
    shot(bob, shots, "screening-keywords")
    text = main.inner_text().replace("\u2060", "")
    assert "![pixel](https://tracker.invalid/p.png)" in text and '<img src="https://tracker.invalid/q.png">' in text
    assert main.locator("a[href*=tracker]").count() == 0
    assert "<b>now</b>" in text and "**Hugging Face**" in text
    assert main.locator("img").count() == 0 and main.locator("a[href^='javascript']").count() == 0
    assert main.locator("b").filter(has_text="now").count() == 0
    marks = bob.evaluate("""() => Array.from(document.querySelectorAll('[data-testid="stMain"] span'))
        .filter(s => getComputedStyle(s).backgroundColor !== 'rgba(0, 0, 0, 0)')
        .map(s => [s.textContent, getComputedStyle(s).backgroundColor])""")
    marked = {t.lower(): c for t, c in marks}
    assert {"tutorial", "pre-trained", "hugging face", "reuse"} <= set(marked), marks
    assert marked["tutorial"] != marked["reuse"]  # red against green
    bob.get_by_text("Keywords:").first.wait_for(timeout=T)
    no_exception(bob)
    shot(bob, shots, "screening-keywords")
    bob.close()
