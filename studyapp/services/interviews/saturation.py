"""Code saturation: how many codes each interview adds that no earlier interview had.

One function computes the curve from (participant, code) mentions in interview order; two sources
feed it, the same for the CLI and the page: a published code table (CSV, one row per code mention,
participants in order of first appearance, a code's identity is the value of its code column) and a
study's coded segments (participants in interview order, a code's identity is `field:code`, so the
same code id in two fields counts twice).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Sequence

from studyapp.domain.values import fold
from studyapp.readers.text import decode_text
from studyapp.readers.transcripts.codes import parse_code_table, read_code_table
from studyapp.services.coding.codebooks import codebook_version
from studyapp.services.interviews.qualitative import coded_segments, interview_order
from studyapp.services.interviews.spans import code_names
from studyapp.store import Store


@dataclass(frozen=True)
class Saturation:
    participants: list[str]
    new_codes: list[int]
    cumulative: list[int]
    codes: list[list[str]]  # the new codes of each participant, in order of appearance
    warnings: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # `field:code` -> the name people read (study curves)

    def as_dict(self) -> dict:
        """The CLI's JSON: participants, new codes per participant, cumulative distinct codes."""
        return {"participants": self.participants, "new_codes": self.new_codes, "cumulative": self.cumulative}

    def rows(self) -> list[dict]:
        return [{"order": i + 1, "participant": p, "new_codes": n, "cumulative": c, "codes": ", ".join(self.names.get(c, c) for c in k)}
                for i, (p, n, c, k) in enumerate(zip(self.participants, self.new_codes, self.cumulative, self.codes))]

    @property
    def last_new(self) -> str | None:
        """The last participant who added a code (saturation reached after them), None if none did."""
        hits = [p for p, n in zip(self.participants, self.new_codes) if n]
        return hits[-1] if hits else None


def saturation_curve(mentions: Iterable[tuple[str, str]], participants: Sequence[str] | None = None,
                     warnings: Sequence[str] = ()) -> Saturation:
    """The curve over `mentions` (participant, code) in order. `participants` fixes the order and
    may list participants with no mention (they add 0); else first appearance decides."""
    mentions = list(mentions)
    order = list(participants) if participants is not None else list(dict.fromkeys(p for p, _ in mentions))
    by_person: dict[str, list[str]] = {p: [] for p in order}
    for p, c in mentions:
        by_person.setdefault(p, []).append(c)
        if p not in order:
            order.append(p)
    seen: set[str] = set()
    new, cum, codes = [], [], []
    for p in order:
        fresh = list(dict.fromkeys(c for c in by_person[p] if c not in seen))
        seen.update(fresh)
        new.append(len(fresh))
        cum.append(len(seen))
        codes.append(fresh)
    return Saturation(order, new, cum, codes, list(warnings))


def saturation_from_table(path: str | Path, *, participant: str | None = None, code: str | None = None) -> Saturation:
    """The curve of a (participant, code) CSV. Codes that differ only in case or spacing stay
    distinct (the column's value is the identity) but are reported in `warnings`."""
    return _from_rows(read_code_table(path, participant=participant, code=code))


def saturation_from_data(name: str, data: bytes, *, participant: str | None = None,
                         code: str | None = None) -> Saturation:
    """`saturation_from_table` for an uploaded file given as (name, bytes)."""
    return _from_rows(parse_code_table(decode_text(data, name), name=name, participant=participant, code=code))


def _from_rows(rows: list) -> Saturation:
    variants: dict[str, set] = {}
    for r in rows:
        variants.setdefault(fold(r.code), set()).add(r.code)
    warnings = [f"codes that differ only in case or spacing are counted apart: {sorted(v)}"
                for v in variants.values() if len(v) > 1]
    return saturation_curve(((r.participant, r.code) for r in rows), warnings=warnings)


def study_mentions(store: Store, codebook: str, *, fields: Sequence[str] | None = None, viewer: str | None = None,
                   source: str = "all", level: int | None = None) -> tuple[list[str], list[tuple[str, str]]]:
    """(participants in interview order, (participant, `field:code`) per coded segment in reading
    order): the study's codes as the code table `saturation_from_table` reads."""
    segs = coded_segments(store, codebook, viewer=viewer, source=source, fields=fields, level=level)
    return interview_order(segs), _mentions(segs)


def _mentions(segs) -> list[tuple[str, str]]:
    return [(s.participant, f"{f}:{c}") for s in segs for f, c in sorted(s.codes)]


def saturation_in_study(store: Store, codebook: str, *, fields: Sequence[str] | None = None,
                        viewer: str | None = None, source: str = "all", level: int | None = None) -> Saturation:
    """The curve of a study's coded segments, participants in interview order (all interviewed
    participants, an uncoded one adding 0 and reported in `warnings`). Blind coding: a participant
    whose only codes are other coders' in rounds still closed to `viewer` is reported as hidden,
    not as uncoded, and so is a curve that leaves some of the codes out."""
    segs = coded_segments(store, codebook, viewer=viewer, source=source, fields=fields, level=level)
    people, mentions = interview_order(segs), _mentions(segs)
    coded = {p for p, _ in mentions}
    hidden = list(dict.fromkeys(s.participant for s in segs if s.hidden))
    only_hidden = [p for p in hidden if p not in coded]
    uncoded = [p for p in people if p not in coded and p not in only_hidden]
    warnings = []
    if only_hidden:
        warnings.append(f"codes of {', '.join(only_hidden)} are hidden until a lead opens reconciliation "
                        f"(other coders' codes; the curve counts only the codes you may see)")
    if hidden and len(hidden) > len(only_hidden):
        partly = [p for p in hidden if p in coded]
        warnings.append(f"some codes of {', '.join(partly)} are other coders' and hidden until a lead opens "
                        f"reconciliation: the curve counts only the codes you may see")
    if uncoded:
        warnings.append(f"{len(uncoded)} of {len(people)} participants have no codes yet: {', '.join(uncoded)}")
    curve = saturation_curve(mentions, people, warnings)
    names = {ref: name for ref, (name, _) in code_names(codebook_version(store, codebook)[0]).items()}
    return replace(curve, names=names)
