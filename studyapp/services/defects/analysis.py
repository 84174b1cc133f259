"""Reading labelled defects for analysis: whose labels (a coder's or the final ones), a field's value
per defect at a chosen level of its code tree, and distributions.

A `Source` says whose values are analysed. A coder's labels in several rounds count once per
defect: the value from the latest round wins. Defects a source judged "not a defect" (`is_defect`)
are left out of every other field's analysis. Pages use `analysis_sources` so that a coder analyses
only what they may see (their own labels, final values, others' only in open rounds).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Sequence

from studyapp.domain.codebook import Codebook, Field
from studyapp.domain.values import decode
from studyapp.errors import InvalidInput, NotFound
from studyapp.services.coding.codebooks import get_codebook, list_codebooks
from studyapp.store import Store

NOT_DEFECT = "not-defect"


@dataclass(frozen=True)
class Source:
    coder: str | None = None
    final: bool = False
    rounds: tuple[str, ...] | None = None

    def describe(self) -> str:
        who = "final (adjudicated) values" if self.final else f"{self.coder}'s labels" if self.coder else \
            "every coder's labels"
        return who + (f", rounds {', '.join(self.rounds)}" if self.rounds and not self.final else "")


def defect_codebook(store: Store, codebook: str | None = None) -> Codebook:
    """The named codebook, else the study's only defect codebook."""
    if codebook:
        return get_codebook(store, codebook)
    books = [cb for cb in list_codebooks(store) if cb.kind == "defect"]
    if len(books) == 1:
        return books[0]
    if not books:
        raise NotFound("the study has no defect codebook (`studyapp codebook add`)")
    raise InvalidInput(f"the study has several defect codebooks ({', '.join(b.id for b in books)}): "
                       "choose one with --codebook")


def resolve_source(store: Store, cb: Codebook, *, coder: str | None = None, final: bool = False,
                   rounds: Sequence[str] | None = None) -> Source:
    """The source asked for, or the only one there is (a single coder's labels, else finals)."""
    rounds_t = tuple(rounds) if rounds else None
    if final and coder:
        raise InvalidInput("choose either a coder or the final values, not both")
    if final:
        return Source(final=True)
    if coder:
        if store.coders.get(coder) is None:
            raise NotFound(f"no coder named {coder!r}")
        return Source(coder=coder, rounds=rounds_t)
    coders = store.defects.coders(cb.id)
    if len(coders) == 1:
        return Source(coder=coders[0], rounds=rounds_t)
    if not coders and store.finals.count(cb.id):
        return Source(final=True)
    if not coders:
        raise NotFound(f"nothing is labelled with {cb.id!r} yet")
    raise InvalidInput(f"{len(coders)} coders labelled with {cb.id!r} ({', '.join(coders)}): choose --coder NAME "
                       "or --final")


def analysis_sources(store: Store, viewer: str | None, cb: Codebook) -> list[Source]:
    """What `viewer` may analyse: own labels, final values, and other coders' labels in open rounds."""
    out = [Source(coder=viewer)] if viewer else []
    if store.finals.count(cb.id):
        out.append(Source(final=True))
    open_rounds = tuple(r["id"] for r in store.rounds.list() if r["reconciliation_open"])
    if open_rounds:
        for c in store.defects.coders(cb.id):
            if c != viewer:
                out.append(Source(coder=c, rounds=open_rounds))
    return out


def at_level(field: Field, code: str, level: int | None) -> str:
    """`code` read at tree level `level` (1 = top); codes shallower than the level stay themselves."""
    if not level:
        return code
    path = field.path(code)
    return path[min(level, len(path)) - 1] if path else code


def source_values(store: Store, cb: Codebook, source: Source) -> dict[str, dict[int, Any]]:
    """field id -> {unit id: decoded value} for `source` (latest round wins for a coder)."""
    seq = {r["id"]: r["seq"] for r in store.rounds.list()}
    rows = store.defects.values(cb.id, coders=None if source.coder is None else [source.coder],
                                          rounds=source.rounds, final=source.final)
    best: dict[tuple[str, int], tuple[int, str]] = {}
    for uid, fid, _coder, rnd, value in rows:
        s = seq.get(rnd, 0) if rnd else 0
        if (fid, uid) not in best or s >= best[(fid, uid)][0]:
            best[(fid, uid)] = (s, value)
    out: dict[str, dict[int, Any]] = {}
    for (fid, uid), (_, value) in best.items():
        f = cb.field(fid)
        out.setdefault(fid, {})[uid] = decode(f.type if f else "text", value)
    excluded = {u for u, v in out.get("is_defect", {}).items() if v == NOT_DEFECT}
    if excluded:
        for fid in out:
            if fid not in ("is_defect", "not_defect_reason"):
                out[fid] = {u: v for u, v in out[fid].items() if u not in excluded}
    return out


def field_values(store: Store, cb: Codebook, field_id: str, source: Source, level: int | None = None
                 ) -> dict[int, Any]:
    """unit id -> code id at `level` (a sorted list of them for a multi field)."""
    f = cb.require_field(field_id)
    if not f.is_coded:
        raise InvalidInput(f"field {field_id!r} is {f.type}: only coded fields are counted")
    raw = source_values(store, cb, source).get(field_id, {})
    if f.is_multi:
        return {u: sorted({at_level(f, c, level) for c in v}) for u, v in raw.items() if v}
    return {u: at_level(f, v, level) for u, v in raw.items()}


def codes_at(f: Field, level: int | None, used: set[str]) -> list[str]:
    """The codes a table shows, in codebook order: those at `level` (or leaves above it), else used+leaves."""
    out = []
    for c, depth, _ in f.walk():
        if level:
            if depth == level or (depth < level and not c.children):
                out.append(c.id)
        elif c.id in used or not c.children:
            out.append(c.id)
    return out + sorted(used - set(out))


def distribution(store: Store, field_id: str, *, codebook: str | None = None, coder: str | None = None,
                 final: bool = False, rounds: Sequence[str] | None = None, level: int | None = None) -> dict:
    """Counts and shares of each code of `field_id` over the labelled defects (multi: share of
    defects having the code, so shares can add up to more than 1)."""
    cb = defect_codebook(store, codebook)
    source = resolve_source(store, cb, coder=coder, final=final, rounds=rounds)
    return distribution_for(store, cb, field_id, source, level)


def distribution_for(store: Store, cb: Codebook, field_id: str, source: Source, level: int | None = None) -> dict:
    f = cb.require_field(field_id)
    values = field_values(store, cb, field_id, source, level)
    counts: Counter = Counter()
    for v in values.values():
        counts.update(v if isinstance(v, list) else [v])
    n = len(values)
    rows = []
    for cid in codes_at(f, level, set(counts)):
        code = f.code(cid)
        rows.append({"code": cid, "label": code.label if code else cid, "count": counts.get(cid, 0),
                     "share": counts.get(cid, 0) / n if n else None, "color": code.color if code else None,
                     "definition": code.definition if code else ""})
    return {"codebook": cb.id, "field": f.id, "label": f.label, "level": level, "multi": f.is_multi,
            "source": source.describe(), "n": n, "depth": f.depth(), "rows": rows}


# --- labelling: what a coder has done in a round, and saving one defect's labels -------------------

def labelling_status(store: Store, codebook_id: str, coder: str, round_id: str) -> dict[int, int]:
    """unit id -> how many fields `coder` has coded on it in `round_id` (only their own values)."""
    out: dict[int, int] = {}
    for uid, _fid, _c, _r, _v in store.defects.values(codebook_id, coders=[coder], rounds=[round_id]):
        out[uid] = out.get(uid, 0) + 1
    return out


def next_unlabelled(unit_ids: Sequence[int], status: dict[int, int], current: int | None) -> int | None:
    """The first unit after `current` (wrapping around) that the coder has not labelled yet."""
    ids = list(unit_ids)
    start = ids.index(current) + 1 if current in ids else 0
    for uid in ids[start:] + ids[:start]:
        if not status.get(uid) and uid != current:
            return uid
    return None


def save_labels(store: Store, codebook_id: str, unit_id: int, coder: str, round_id: str,
                values: dict[str, Any], own: dict[str, Any]) -> int:
    """Write one coder's labels of one defect (only what changed); returns the number of changes.

    The form's first question (`shortcuts.first_question`: "Reengineering defect?") must be
    answered: without it nothing is saved (`InvalidInput` naming the question). "Not a defect" is a
    decision of its own: it clears the coder's other values on the defect in this round, keeping
    only the reason."""
    from studyapp.errors import InvalidInput, StudyError
    from studyapp.services.coding.codebooks import get_codebook
    from studyapp.services.coding.coding import CodingRow, code_many
    from studyapp.services.defects.shortcuts import first_question

    values = {k: (None if v in ("", [], ()) else v) for k, v in values.items()}
    first = first_question(get_codebook(store, codebook_id))
    if first is not None and values.get(first.id, own.get(first.id)) is None:
        raise InvalidInput(f"answer the first question, “{first.label}”, before saving")
    if values.get("is_defect") == NOT_DEFECT:
        values = {k: (v if k in ("is_defect", "not_defect_reason") else None) for k, v in values.items()}
        values.update({k: None for k in own if k not in ("is_defect", "not_defect_reason")})
    elif values.get("is_defect") is not None and ("not_defect_reason" in values or "not_defect_reason" in own):
        values["not_defect_reason"] = None
    rows = [CodingRow(unit_id=unit_id, codebook=codebook_id, field=fid, coder=coder, round=round_id, value=v)
            for fid, v in values.items() if not (v is None and own.get(fid) is None) and v != own.get(fid)]
    try:
        return code_many(store, rows, actor=coder)
    except StudyError as e:
        fid = rows[e.record - 1].field if isinstance(e.record, int) and 0 < e.record <= len(rows) else None
        raise type(e)(f"{fid}: {e.message}" if fid else e.message) from None
