"""What a coder read when coding a unit, for the lead who adjudicates it: the paper's abstract, the
transcript turn (with its speaker), the defect's issue (title and body), beside the coders' values.

Plain text only: the page shows it as text, so an imported title, turn or issue body never renders
as Markdown or HTML. Long texts are cut at `MAX_CHARS` (saying so).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_CHARS = 6000
WHAT = {"paper": "Abstract", "segment": "Transcript turn", "transcript": "Transcript", "defect": "Issue"}


@dataclass(frozen=True)
class UnitText:
    kind: str
    heading: str   # "Abstract", "Transcript turn", "Issue"
    title: str     # the paper's or issue's title, the turn's speaker
    meta: str      # e.g. "P1:12 · participant P1 · 00:03:12" or "acme/detector#7 · open"
    text: str
    cut: bool = False


def unit_text(unit: dict | None) -> UnitText | None:
    """The unit's readable text, or None for an unknown unit."""
    if not unit:
        return None
    kind, attrs = unit.get("kind") or "", unit.get("attrs") or {}
    text = str(unit.get("text") or "")
    cut = len(text) > MAX_CHARS
    text = text[:MAX_CHARS] + "…" if cut else text
    key = str(unit.get("key") or "")
    if kind == "segment":
        who = attrs.get("speaker") or unit.get("title") or ""
        meta = [key] + [f"participant {attrs['participant']}" for _ in [0] if attrs.get("participant")]
        meta += ["interviewer" for _ in [0] if attrs.get("interviewer")]
        meta += [str(attrs["start"]) for _ in [0] if attrs.get("start")]
        return UnitText(kind, WHAT[kind], str(who), " · ".join(meta), text, cut)
    if kind == "defect":
        meta = [key] + [f"{k}: {attrs[k]}" for k in ("state", "author") if attrs.get(k)]
        return UnitText(kind, WHAT[kind], str(unit.get("title") or key), " · ".join(meta), text, cut)
    if kind == "paper":
        meta = [key] + [str(attrs[k]) for k in ("year", "venue") if attrs.get(k)]
        return UnitText(kind, WHAT[kind], str(unit.get("title") or key), " · ".join(meta),
                        text or "(no abstract)", cut)
    return UnitText(kind, WHAT.get(kind, kind.capitalize() or "Unit"), str(unit.get("title") or key), key, text, cut)
