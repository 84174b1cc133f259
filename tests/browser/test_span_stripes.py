"""Where coders differ on quote spans, in a real browser (headless Debian chromium through Playwright):
bob and chen quote overlapping stretches of a turn blind; the lead opens reconciliation from the
Interviews page's Stripes view, sees a stripe per coder with the disagreement marked, keeps chen's
span as the final one with a rationale, and the downloaded REFI-QDA project carries the final span as
the adjudicated coding. Screenshots land in test-output/browser/stripes-*.png."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from studyapp.services.interviews.imports import import_transcripts
from studyapp.services.interviews.spans import add_span
from studyapp.services.interviews.stripes import stripes_view
from studyapp.services.study.study import init_study
from studyapp.store import Store
from tests.browser._helpers import (
    T,
    alerts,
    blur,
    go,
    no_exception,
    pick_coder,
    settle,
    shot,
)
from tests.interviews.conftest import CODEBOOK, SAMPLES

pytestmark = pytest.mark.browser
CB = "ptm-reuse-interviews"
SEG = "interview-03:2"


@pytest.fixture
def marked(tmp_path):
    store = init_study(tmp_path / "study", title="Span stripes browser test", codebooks=[CODEBOOK])
    for name, role in (("bob", "coder"), ("chen", "coder"), ("lea", "lead")):
        store.coders.add(name, role)
    import_transcripts(store, [SAMPLES / "interview-03.vtt"], participant="P3")
    seg = store.units.by_key("segment", SEG)
    text = seg["text"]
    assert len(text) > 40, text
    bob = add_span(store, seg["id"], "bob", 0, 30, ["attributes:popularity"], codebook=CB)
    chen = add_span(store, seg["id"], "chen", 10, 40, ["attributes:popularity"], codebook=CB)
    # blind: neither coder sees the other's stripe before reconciliation
    assert not stripes_view(store, "bob").visible and not stripes_view(store, "chen").visible
    store.close()
    return tmp_path / "study", bob, chen, text


def _view(page, name: str) -> None:
    """Choose a view of the Interviews page (its segmented control)."""
    page.locator('[data-testid="stButtonGroup"] button').filter(has_text=name).first.click()
    settle(page)


def test_the_lead_sees_the_stripes_adjudicates_a_span_and_exports_it(marked, serve, browser, shots):
    folder, bob, chen, text = marked
    url = serve(folder)
    page = browser.new_page(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
    page.goto(f"{url}/interviews")
    page.locator('[data-testid="stApp"]').wait_for(timeout=T)
    settle(page)
    shot(page, shots, "stripes-0-open")
    pick_coder(page, "bob (coder)")
    _view(page, "Stripes")
    settle(page)
    page.get_by_text("once a lead opens reconciliation").first.wait_for(timeout=T)
    assert page.locator(".stripe").count() == 0  # bob sees no stripes while the round is blind
    shot(page, shots, "stripes-1-coder-blind")

    pick_coder(page, "lea (lead)")
    page.get_by_text("quoted stretch(es) differ").first.wait_for(timeout=T)
    page.get_by_role("button", name="Open reconciliation of round main").click()
    settle(page)
    page.get_by_text("Reconciliation of round main is open").wait_for(timeout=T)
    no_exception(page)
    stripes = page.locator(".stripe")
    assert stripes.count() >= 2
    assert page.locator(".stripe[data-coder='bob'] div").count() == 1
    assert page.locator(".stripe[data-coder='chen'] div").count() == 1
    assert page.get_by_text("boundaries differ by 20 character(s)").count() >= 1
    page.locator(f".stripe-turn[data-segment='{SEG}']").scroll_into_view_if_needed()
    shot(page, shots, "stripes-2-lead-open")

    expander = page.locator('[data-testid="stExpander"]').filter(has_text="boundaries differ").first
    expander.get_by_text(f"Keep chen's span {chen}").click()
    expander.get_by_role("textbox", name="Rationale").fill("chen's extent holds the whole claim")
    blur(page)
    expander.get_by_role("button", name="Save final span").click()
    settle(page)
    page.get_by_text("Final span").first.wait_for(timeout=T)
    assert not alerts(page), alerts(page)
    assert page.locator(".stripe[data-coder='final'] div").count() == 1
    shot(page, shots, "stripes-3-adjudicated")

    with Store.open(folder) as store:
        [final] = store.transcripts.final_spans()
    assert (final["start"], final["end"], final["decision"], final["adjudicator"]) == (10, 40, "keep", "lea")
    assert final["snippet"] == text[10:40]

    _view(page, "REFI-QDA")
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="Download .qdpx project").click()
    data = open(dl.value.path(), "rb").read()
    shot(page, shots, "stripes-4-refi")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        qde = zf.read("project.qde").decode("utf-8")
        meta = json.loads(zf.read("studyapp.json"))
    [guid] = [g for g, k in meta["selections"].items() if k["kind"] == "final"]
    assert f'guid="{guid}"' in qde and 'name="final: ' in qde
    src = next(s for s in meta["sources"].values() if s["key"] == "interview-03")
    off = next(s["start"] for s in src["segments"] if s["key"] == SEG)
    assert f'startPosition="{off + 10}" endPosition="{off + 40}"' in qde


def test_the_demo_shows_span_agreement_and_one_span_to_adjudicate(demo_study, serve, browser, shots):
    from tests.browser._helpers import choose

    url = serve(demo_study)
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(f"{url}/agreement")
    page.locator('[data-testid="stApp"]').wait_for(timeout=T)
    settle(page)
    pick_coder(page, "alice (lead)")
    choose(page, "Codebook", "ptm-reuse-interviews")
    page.locator('[data-testid="stRadio"]').get_by_text("Quote spans", exact=True).click()
    settle(page)
    page.get_by_text("Per field and round").wait_for(timeout=T)
    no_exception(page)
    shot(page, shots, "stripes-demo-1-agreement")
    go(page, "Interviews")
    _view(page, "Stripes")
    page.get_by_text("1 of 3 quoted stretch(es) differ").wait_for(timeout=T)
    assert page.get_by_text("only chen quoted this; bob did not").count() >= 1
    page.locator(".stripe[data-coder='chen'] div").first.scroll_into_view_if_needed()
    shot(page, shots, "stripes-demo-2-stripes")
