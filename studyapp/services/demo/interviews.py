"""The interviews part of the demo study: quote spans by the demo coders (`extend`, run by
`services.demo` after the common parts).

When `data/demo/interviews/spans.csv` exists (columns segment, coder, quote, codes, round), each row
marks the first occurrence of `quote` in the segment with the given codes (`field:code`, separated
by `;`). Otherwise every coder (not lead) who coded a segment with an interview codebook gets a
span over the first sentence of up to `PER_CODER` such participant turns, supporting one of the
codes they gave, so spans always agree with the demo's codings whatever transcripts it holds.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from studyapp.domain.roles import Role
from studyapp.domain.values import decode
from studyapp.errors import InvalidInput, StudyError
from studyapp.services.coding.codebooks import codebook_version, list_codebooks
from studyapp.services.interviews.spans import add_span
from studyapp.store import Store
from studyapp.store.rounds import DEFAULT_ROUND

PER_CODER = 4
SENTENCE = re.compile(r"\w[^.?!\n]{15,}[.?!]")


def extend(store: Store, source_dir: str | Path) -> None:
    books = [cb for cb in list_codebooks(store) if cb.kind == "interview"]
    if not books or not store.units.count("segment"):
        return
    path = Path(source_dir) / "interviews" / "spans.csv"
    if path.exists():
        _from_file(store, path, books[0].id)
    else:
        _first_sentences(store, books[0].id)


def _from_file(store: Store, path: Path, codebook: str) -> None:
    with path.open(newline="", encoding="utf-8") as fh, store.transaction():
        for n, r in enumerate(csv.DictReader(fh), start=2):
            seg = store.units.by_key("segment", r["segment"])
            if seg is None or r["quote"] not in (seg["text"] or ""):
                raise InvalidInput(f"no segment {r['segment']!r} holding the quote", path=str(path), line=n)
            start = seg["text"].index(r["quote"])
            try:
                add_span(store, seg["id"], r["coder"], start, start + len(r["quote"]), r["codes"].split(";"),
                         codebook=codebook, round=r.get("round") or DEFAULT_ROUND, actor="demo")
            except StudyError as e:
                raise InvalidInput(e.message, path=str(path), line=n) from None


def _first_sentences(store: Store, codebook: str) -> None:
    cb = codebook_version(store, codebook)[0]
    coded = {f.id for f in cb.fields if f.is_coded}
    coders = [c["name"] for c in store.coders.list() if not Role.of_coder(c).is_lead]
    with store.transaction():
        for coder in coders:
            done = 0
            for seg in store.units.list("segment"):
                if done >= PER_CODER:
                    break
                m = SENTENCE.search(seg["text"] or "")
                if seg["attrs"].get("interviewer") or not m:
                    continue
                mine = [a for a in store.annotations.for_unit(seg["id"], coder=coder, codebook=cb.id)
                        if a["field"] in coded]
                if not mine:
                    continue
                a = mine[done % len(mine)]
                value = decode(cb.require_field(a["field"]).type, a["value"])
                code = value[-1] if isinstance(value, list) else value
                add_span(store, seg["id"], coder, m.start(), m.end(), [(a["field"], code)], codebook=cb.id,
                         round=a["round"], actor="demo")
                done += 1
