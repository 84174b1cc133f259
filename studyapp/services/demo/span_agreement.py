"""The demo's span disagreement: one quote two coders mark with different boundaries, in a round open
for reconciliation, so the demo shows unitizing alpha below 1 (Agreement page, Quote spans) and one
stretch to adjudicate in the Interviews page's Stripes view.

`extend(store, source_dir)` runs after the interviews part (`services.demo.interviews`), whose spans
agree wherever two coders quote the same turn. It finds a coder's span (a round open for
reconciliation first) on a turn another coder gave the same codes but did not quote, and has that
coder quote only the start of it (up to the first comma, else two thirds of it, at a word); when
every quoted turn is quoted alike, the second coder of one such turn also quotes the next sentence.
The turn's codes do not change, so the per-turn numbers stay as they were. Nothing happens when no
such turn exists.
"""

from __future__ import annotations

from pathlib import Path

from studyapp.domain.roles import Role
from studyapp.domain.values import decode
from studyapp.services.coding.codebooks import codebook_version, list_codebooks
from studyapp.services.demo.interviews import SENTENCE
from studyapp.services.interviews.spans import add_span
from studyapp.store import Store


def extend(store: Store, source_dir: str | Path) -> None:
    books = [cb for cb in list_codebooks(store) if cb.kind == "interview"]
    if not books:
        return
    cb = codebook_version(store, books[0].id)[0]
    coders = [c["name"] for c in store.coders.list() if not Role.of_coder(c).is_lead]
    opened = _opened(store, Path(source_dir))
    rounds = [dict(r, reconciliation_open=r["id"] in opened)
              for r in sorted(store.rounds.list(), key=lambda r: (r["id"] not in opened, r["seq"]))]
    spans = store.transcripts.spans(codebook=cb.id)
    for r in rounds:
        for sp in (s for s in spans if s["round"] == r["id"] and s["coder"] in coders):
            for other in (c for c in coders if c != sp["coder"]):
                if any(s["unit_id"] == sp["unit_id"] and s["coder"] == other and s["round"] == r["id"] for s in spans):
                    continue
                if not _has_codes(store, cb, sp, other):
                    continue
                end = _shorter(sp["snippet"])
                if end is None:
                    continue
                add_span(store, sp["unit_id"], other, sp["start"], sp["start"] + end, [tuple(c) for c in sp["codes"]],
                         codebook=cb.id, round=r["id"], actor="demo")
                return
    # Every quoted turn is quoted alike: the second coder of one such turn also quotes its next sentence.
    for r in (r for r in rounds if r["reconciliation_open"]):
        for sp in (s for s in spans if s["round"] == r["id"] and s["coder"] in coders):
            twin = next((s for s in spans if s["unit_id"] == sp["unit_id"] and s["round"] == r["id"]
                         and s["coder"] != sp["coder"] and s["coder"] in coders and s["codes"] == sp["codes"]), None)
            text = store.units.require(sp["unit_id"])["text"] or ""
            m = SENTENCE.search(text, sp["end"])
            if twin is None or m is None:
                continue
            add_span(store, sp["unit_id"], twin["coder"], m.start(), m.end(), [tuple(c) for c in sp["codes"]],
                     codebook=cb.id, round=r["id"], actor="demo")
            return


def _opened(store: Store, source: Path) -> set[str]:
    """Rounds open for reconciliation, or to be opened once the demo is built (study.yaml says which:
    the builder opens them after the parts have run)."""
    opened = {r["id"] for r in store.rounds.list() if r["reconciliation_open"]}
    spec = source / "study.yaml"
    if spec.exists():
        import yaml

        data = yaml.safe_load(spec.read_text(encoding="utf-8")) or {}
        opened |= {r["id"] for r in data.get("rounds", []) if r.get("reconciliation_open")}
    return opened


def _has_codes(store: Store, cb, sp: dict, coder: str) -> bool:
    have = set()
    for a in store.annotations.for_unit(sp["unit_id"], coder=coder, codebook=cb.id):
        if a["round"] != sp["round"] or cb.field(a["field"]) is None or not cb.field(a["field"]).is_coded:
            continue
        value = decode(cb.require_field(a["field"]).type, a["value"])
        have |= {(a["field"], v) for v in (value if isinstance(value, list) else [value])}
    return bool(sp["codes"]) and all(tuple(c) in have for c in sp["codes"])


def _shorter(snippet: str) -> int | None:
    """Where the other coder's quote ends: at the first comma past 15 characters, else at a word
    two thirds in; None when the quote is too short to cut."""
    comma = snippet.find(",", 15)
    if 0 < comma < len(snippet) - 5:
        return comma
    cut = snippet.rfind(" ", 0, len(snippet) * 2 // 3)
    return cut if cut > 10 else None
