"""A researcher's first day, in a real browser, following the README literally.

The README's "Your own study" block runs in bash as written (the study folder under a temporary
home, `studyapp serve` started by the fixture instead of the shell), then: bob and chen sign in with
the passwords the README has them set; bob screens 5 papers, codes an interview turn and tags a
quote, labels a defect; chen labels the same defect differently; alice (lead) opens the agreement
page, opens reconciliation and adjudicates the disagreement, downloads the agreement table, imports
a claim and validates it, and downloads the PRISMA diagram and a chart as SVG and then PNG.

On every page it fails on any browser console error, uncaught error, request to another host,
Streamlit exception or chart without marks (`_watch.check_page`), and at the end it asserts the
round every save landed in: each codebook's work in one round, one the codebook serves, and for
the interview and defect codebooks their active round (where their coding views open). Screenshots: test-output/browser/day-one-*.png.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from studyapp.services.coding import rounds as codebook_rounds
from studyapp.store import Store
from tests.browser._helpers import (
    T,
    alerts,
    choose,
    drag_over,
    go,
    grid,
    open_app,
    pick_code,
    radio,
    settle,
    shot,
    sign_in,
    signed_in_as,
)
from tests.browser._watch import check_page, watch

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
PASSWORDS = {"alice": "alice-Strong-pw-1", "bob": "bob-Strong-pw-1", "chen": "chen-Strong-pw-1"}
TURN = "interview-01:2"
QUOTE = "fine-tune it on our customers' documents"
RATIONALE = "The report fails while installing CUDA libraries, before any training."
CLAIMS = """\
claims:
  - id: D1-environment
    type: quantitative
    text: Most defects in model reengineering are environment defects.
    sources:
      - {kind: paper, unit_key: P05, quote: "most reengineering defects stem from the environment", page: "9"}
    metric: coding_share
    params: {codebook: dl-reengineering-defects, field: dl_stage, code: environment, of: units}
    test: proportion
    alternative: greater
    rule: value > 0.5 and p < 0.05
"""


def readme_block() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Your own study"):]
    return re.search(r"```bash\n(.*?)```", section, re.S).group(1)


def run_readme(home: Path) -> Path:
    """Run the README's block in bash as written, but with HOME under the test's folder, the venv of
    this interpreter, and without the blocking `studyapp serve` line. Returns the study folder."""
    bin_dir = Path(sys.executable).parent
    script = readme_block().replace(". .venv/bin/activate", f'export PATH="{bin_dir}:$PATH"')
    script = "\n".join(line for line in script.splitlines() if not line.startswith("studyapp serve"))
    assert "studyapp init" in script and "coder password $S alice" in script
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYAPP_")} | {"HOME": str(home)}
    # No controlling terminal: the password prompt reads the typed password (twice) from stdin.
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=REPO, env=env, capture_output=True,
                         text=True, input=f"{PASSWORDS['alice']}\n" * 2, timeout=300, start_new_session=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    study = Path(re.search(r"^S=(\S+)$", script, re.M).group(1).replace("~", str(home)))
    for name in ("bob", "chen"):  # "likewise for bob and chen", as the README says
        p = subprocess.run([str(bin_dir / "studyapp"), "coder", "password", str(study), name], env=env,
                           input=f"{PASSWORDS[name]}\n" * 2, capture_output=True, text=True, timeout=60,
                           start_new_session=True)
        assert p.returncode == 0, p.stdout + p.stderr
    return study


OPEN: list = []  # pages open now: each is photographed if the test fails (`_photograph_on_failure`)


@pytest.fixture(autouse=True)
def _photograph_on_failure(shots):
    OPEN.clear()
    yield
    for i, page in enumerate(OPEN):  # a page still open here is where a failed test stopped
        if not page.is_closed():
            page.screenshot(path=str(shots / f"day-one-last-{i}.png"), full_page=True)
            page.close()
    OPEN.clear()


def _as(browser, url: str, name: str, path: str = ""):
    page = browser.new_page(viewport={"width": 1400, "height": 1050}, accept_downloads=True)
    OPEN.append(page)
    watch(page)
    open_app(page, url, path)
    sign_in(page, name, PASSWORDS[name])
    assert signed_in_as(page).startswith(f"Signed in as {name} "), signed_in_as(page)
    check_page(page, f"{name}: after sign-in")
    return page


def _view(page, name: str) -> None:
    """Click a view of the page's (collapsed) view switcher, e.g. "Screen" or "Disagreements"."""
    page.locator('[data-testid="stMain"] [data-testid="stRadio"]').first.get_by_text(name, exact=True).click()
    settle(page)


def _paper_on_screen(page) -> str:
    page.locator('[data-testid="stMain"] h3').first.wait_for(timeout=T)
    return page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"] code').first.inner_text()


def _screen_five(page, shots) -> dict[str, str]:
    done = {}
    for i in range(5):
        key = _paper_on_screen(page)
        if i < 3:
            page.evaluate("document.activeElement && document.activeElement.blur()")
            page.keyboard.press("i")
            page.get_by_text(f"{key}: include").wait_for(timeout=T)
            done[key] = "include"
        else:
            page.get_by_role("button", name=re.compile(r"^E1: ")).click()
            page.get_by_text(f"{key}: exclude (E1)").wait_for(timeout=T)
            done[key] = "exclude"
        settle(page)
        check_page(page, f"bob: screening paper {i + 1}")
    shot(page, shots, "day-one-2-bob-screened")
    return done


def _code_interview(page, shots) -> None:
    go(page, "Interviews")
    turn = f".sa-seg[data-key='{TURN}']"
    page.locator(f"{turn} .sa-text").wait_for(timeout=T)
    page.locator(f"{turn} .sa-text").click()
    settle(page)
    pick_code(page, "Your codes on turn 2", "Popularity")  # the turn's code, saved as picked
    drag_over(page, turn, QUOTE)
    page.get_by_text("Selected text").wait_for(timeout=T)
    settle(page)
    pick_code(page, "Codes for this quote", "Fine-tunability")
    page.get_by_role("button", name="Tag selection").click()
    page.get_by_text("saved with 1 code").wait_for(timeout=T)
    settle(page)
    check_page(page, "bob: interviews coded")
    shot(page, shots, "day-one-3-bob-interview")


def _choice(page, label: str):
    """A choice's button in the defect form: its name is the label, then the key drawn on it."""
    return page.locator('[data-testid="stMain"] button').filter(
        has_text=re.compile(rf"^{re.escape(label)}\s*\S?$")).first


def _label_defect(page, shots, who: str, stage: str) -> None:
    go(page, "Defects")
    page.locator('[data-testid="stMain"] h3, [data-testid="stMain"] h2').first.wait_for(timeout=T)
    _choice(page, "Defect").click()  # one button per choice (and a key drawn on each)
    settle(page)
    _choice(page, stage).click()
    settle(page)
    page.get_by_role("button", name="Save & next").click()
    page.get_by_text(re.compile(r"Saved \(\d+ changes?\)")).wait_for(timeout=T)
    settle(page)
    check_page(page, f"{who}: defect labelled")
    shot(page, shots, f"day-one-4-{who}-defect")


def _download(page, button) -> bytes:
    """The file the first button named `button` (a name, or a pattern) downloads."""
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=button, exact=isinstance(button, str)).first.click()
    assert info.value.failure() is None, info.value.failure()
    return Path(info.value.path()).read_bytes()


def test_day_one_follows_the_readme_and_every_save_lands_in_its_round(tmp_path, serve, browser, shots):
    study = run_readme(tmp_path / "home")
    url = serve(study, auth=True)

    bob = _as(browser, url, "bob", "papers")
    shot(bob, shots, "day-one-1-bob-papers")
    screened = _screen_five(bob, shots)
    _code_interview(bob, shots)
    _label_defect(bob, shots, "bob", "Environment")
    bob.close()

    chen = _as(browser, url, "chen", "defects")
    _label_defect(chen, shots, "chen", "Training")
    chen.close()

    alice = _as(browser, url, "alice")
    shot(alice, shots, "day-one-5-alice-home")
    go(alice, "Agreement")
    check_page(alice, "alice: agreement overview")
    choose(alice, "Codebook", "dl-reengineering-defects", exact=False)
    check_page(alice, "alice: defects agreement overview")
    svg = _download(alice, "SVG")
    png = _download(alice, "PNG")  # right after the SVG (it once failed: "Deferred file ... not found")
    assert svg.lstrip().startswith((b"<svg", b"<?xml")) and png.startswith(b"\x89PNG"), (svg[:40], png[:8])
    _view(alice, "Disagreements")
    alice.get_by_role("button", name=re.compile(r"^Open reconciliation")).first.click()
    settle(alice)
    choose(alice, "Field to reconcile", "DL stage")
    box = alice.locator('[data-testid="stExpander"]').filter(has_text="DL stage").first
    if box.count() == 0:
        box = alice.locator('[data-testid="stExpander"]').first
    box.locator("summary").click()
    values = box.locator('[data-testid="stTable"]').inner_text()
    assert "bob" in values and "chen" in values, values
    shot(alice, shots, "day-one-6-alice-disagreement")
    radio(alice, "Final value", "Environment")
    box.get_by_role("textbox", name=re.compile("Rationale")).fill(RATIONALE)
    box.get_by_role("button", name="Save final value").click()
    settle(alice)
    alice.get_by_text(re.compile(r"1 of 1 disagreements? resolved")).wait_for(timeout=T)
    assert alerts(alice) == []
    check_page(alice, "alice: adjudicated")

    _view(alice, "Report")
    radio(alice, "Format", "LaTeX (booktabs)")
    latex = _download(alice, re.compile(r"^Download")).decode("utf-8")
    assert "\\toprule" in latex and "DL stage" in latex, latex[:400]
    check_page(alice, "alice: agreement report")
    shot(alice, shots, "day-one-7-alice-report")

    go(alice, "Claims")
    (tmp_path / "claims.yaml").write_text(CLAIMS, encoding="utf-8")
    alice.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(tmp_path / "claims.yaml"))
    settle(alice)
    alice.get_by_role("button", name="Import claims").click()
    settle(alice)
    alice.get_by_role("button", name="Validate all claims").click()
    alice.get_by_text(re.compile(r"Validated 1 claims?")).wait_for(timeout=60_000)
    settle(alice)
    table = {r["Claim"]: r for r in grid(alice.locator('[data-testid="stDataFrame"]').first)}
    assert table["D1-environment"]["Verdict"] in {"supported", "refuted", "inconclusive"}, table
    check_page(alice, "alice: claims validated")
    shot(alice, shots, "day-one-8-alice-claims")

    go(alice, "Papers")
    _view(alice, "PRISMA")
    prisma_svg = _download(alice, "SVG")
    assert b"Records screened" in prisma_svg
    check_page(alice, "alice: PRISMA")
    shot(alice, shots, "day-one-9-alice-prisma")
    alice.close()

    with Store.open(study) as store:
        keys = {u["id"]: (u["kind"], u["key"]) for u in store.units.list(with_text=False)}
        rounds_of = defaultdict(set)  # codebook -> rounds its saves landed in
        saved = defaultdict(list)
        for unit_id, codebook, field, coder, rnd, _ in store.annotations.current_rows():
            rounds_of[codebook].add(rnd)
            saved[(coder, keys[unit_id][0])].append((keys[unit_id][1], field, rnd))
        spans = store.transcripts.spans()
        served = {cb: codebook_rounds.rounds_of(store, cb) for cb in rounds_of}
        active = {cb: codebook_rounds.active_round(store, cb) for cb in rounds_of}
    # Each codebook's work went where its coding view opened: the round the codebook serves and has
    # active (screening: the stage's own round), and into no round that serves only other codebooks.
    assert set(rounds_of) == {"ptm-reuse-slr-screening", "ptm-reuse-interviews", "dl-reengineering-defects"}, rounds_of
    for codebook, rounds in rounds_of.items():
        assert len(rounds) == 1, f"{codebook}'s saves landed in several rounds: {rounds}"
        assert rounds <= set(served[codebook]), f"{codebook} saved into {rounds}, not one of its rounds {served[codebook]}"
    for codebook in ("ptm-reuse-interviews", "dl-reengineering-defects"):
        assert rounds_of[codebook] == {active[codebook]}, (codebook, rounds_of[codebook], active[codebook])
    assert {k for k, _, _ in saved[("bob", "paper")]} == set(screened)
    assert [(s["coder"], s["codebook"], s["round"]) for s in spans] == [
        ("bob", "ptm-reuse-interviews", *rounds_of["ptm-reuse-interviews"])]
    assert {k for k, _, _ in saved[("bob", "segment")]} == {TURN}
    assert len({k for k, _, _ in saved[("chen", "defect")]}) == 1
