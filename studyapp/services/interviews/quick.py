"""Coding speed in the Interviews coding view: the coder's recent codes, applying one code at a key
press or a click (to the selected text as a quote, else to the turn), the next and previous turn,
and memos on a quote span (the span's note, also the selection's description in a REFI-QDA export).

Everything here acts for the coder themselves, through `services.interviews.spans` (validation,
history, blindness): the recent codes come from their own history only.
"""

from __future__ import annotations

import json
from typing import Sequence

from studyapp.errors import InvalidInput, PermissionDenied
from studyapp.services.coding.codebooks import codebook_version
from studyapp.services.interviews.spans import CodeChoice, add_span, code_choices, tag_segment
from studyapp.store import Store

RECENT = 6


def recent_codes(store: Store, coder: str | None, codebook: str, n: int = RECENT) -> list[CodeChoice]:
    """The codes `coder` applied last with `codebook` (turn codes and quote spans), newest first."""
    if not coder:
        return []
    cb = codebook_version(store, codebook)[0]
    choices = {c.ref: c for c in code_choices(cb)}
    seen: list[str] = []
    for h in store.history.recent_by(coder, cb.id, ("annotation.set", "span.add", "span.codes")):
        if h["action"] == "annotation.set":
            new, old = _codes(h["new"]), set(_codes(h["old"]))
            refs = [f"{h['field']}:{c}" for c in new if c not in old]
        else:
            refs = [f"{f}:{c}" for f, c in (h["new"] or {}).get("codes", [])]
        for r in refs:
            if r in choices and r not in seen:
                seen.append(r)
        if len(seen) >= n:
            break
    return [choices[r] for r in seen[:n]]


def _codes(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) and value.startswith("["):
        try:
            return [str(x) for x in json.loads(value)]
        except ValueError:
            return [value]
    return [str(value)]


def apply_code(store: Store, coder: str, ref: str, *, codebook: str, round: str, segment_id: int,
               pending: dict | None = None) -> str:
    """Apply one code: to the pending selection as a quote span when there is one in this turn, else to
    the turn. Returns what was done, for the page to say."""
    if pending and pending.get("segment") == segment_id and pending.get("text"):
        sid = add_span(store, segment_id, coder, int(pending["start"]), int(pending["end"]), [ref], codebook=codebook,
                       round=round, expected_text=pending.get("text"))
        return f"Quote {sid} saved with {ref}."
    n = tag_segment(store, segment_id, coder, [ref], codebook=codebook, round=round)
    return f"{ref} applied to the turn." if n else f"The turn already carries {ref}."


def neighbour(segment_ids: Sequence[int], current: int | None, step: int) -> int | None:
    """The next (`step` 1) or previous (-1) turn, staying at the ends."""
    ids = list(segment_ids)
    if not ids:
        return None
    if current not in ids:
        return ids[0]
    return ids[max(0, min(len(ids) - 1, ids.index(current) + step))]


def set_span_memo(store: Store, span_id: int, text: str, *, actor: str) -> None:
    """The memo on one of the coder's own quote spans (empty text removes it)."""
    span = store.transcripts.require_span(span_id)
    if span["coder"] != actor:
        raise PermissionDenied(f"span {span_id} belongs to {span['coder']!r}; only they write its memo")
    text = (text or "").strip()
    if len(text) > 20_000:
        raise InvalidInput("a span memo is at most 20,000 characters")
    if text == (span["note"] or ""):
        return
    store.transcripts.set_span_note(span_id, text or None, actor=actor)
