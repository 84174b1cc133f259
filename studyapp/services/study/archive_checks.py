"""What an imported study must satisfy beyond its checksums: re-derived, then compared.

Why: an archive's checksums are computed by whoever wrote it, so they prove nothing about a forged
archive. Everything studyapp keeps twice can be checked instead: coders' current values and the
adjudicated finals and final quote spans are derived from the append-only history (`replay`), the agreement counts from
the annotations, and every stored value must be a value of its field in some version of its
codebook. An archive in which a coder's history was removed but their annotations kept, whose
agreement counts were edited, or whose values are no codes is refused with what differs.

The contract: `verify(store, src)` returns when the loaded study is consistent and raises
`InvalidInput` naming the archive and the first problem otherwise.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from studyapp.domain.codebook import Field
from studyapp.domain.codebook_yaml import parse_codebook
from studyapp.errors import InvalidCodebook, InvalidInput
from studyapp.store import Store

_FORGED = "the archive was altered (or made by a tool that bypasses the history)"


def verify(store: Store, src: Path) -> None:
    """Refuse a study whose kept values do not follow from what they are derived from."""
    _same(store.annotations.current_rows(), store.annotations.replay(), "annotation", store, src,
          lambda k: f"coder {k[3]!r}'s value on unit {k[0]} (codebook {k[1]}, field {k[2]}, round {k[4]})")
    _same(store.finals.current_rows(), store.finals.replay(), "final value", store, src,
          lambda k: f"the final value on unit {k[0]} (codebook {k[1]}, field {k[2]})")
    finals = [(f["id"], f["unit_id"], f["codebook"], f["round"], f["start"], f["end"],
               tuple(tuple(c) for c in f["codes"])) for f in store.transcripts.final_spans()]
    _same(sorted(finals), store.transcripts.replay_final_spans(), "final span", store, src,
          lambda k: f"the final span {k[0]} on unit {k[1]} (codebook {k[2]}, round {k[3]}, characters {k[4]}-{k[5]})")
    drift = store.annotations.counts_drift()
    if drift:
        cb, f, unit, rnd, value, n_ann, n_kept = drift[0]
        raise InvalidInput(f"the agreement counts do not match the annotations ({len(drift)} differ; e.g. unit "
                           f"{unit}, codebook {cb}, field {f}, round {rnd}, value {value!r}: {n_ann} coder(s) "
                           f"gave it, the counts say {n_kept}): {_FORGED}", path=src)
    _values_are_codes(store, src)
    pairs = store.annotations.pairs_drift()
    if pairs:
        raise InvalidInput(f"the agreement pairs do not match the annotations ({len(pairs)} differ; e.g. "
                           f"{pairs[0][:-2]}): {_FORGED}", path=src)


def _same(current: list[tuple], replayed: list[tuple], what: str, store: Store, src: Path, name) -> None:
    if current == replayed:
        return
    now, then = {r[:-1]: r[-1] for r in current}, {r[:-1]: r[-1] for r in replayed}
    for key in sorted(set(now) | set(then), key=repr):
        if now.get(key) != then.get(key):
            if key not in then:
                why = "has no entry in the history"
            elif key not in now:
                why = "is in the history but missing from the stored values"
            else:
                why = f"is {now[key]!r} but the history says {then[key]!r}"
            raise InvalidInput(f"{name(key)} {why}: every {what} must follow from the study's history; {_FORGED}",
                               path=src)


def _fields(store: Store) -> dict[str, dict[str, list[Field]]]:
    """Every field of every stored codebook version: codebook -> field id -> its versions' fields."""
    out: dict[str, dict[str, list[Field]]] = {}
    for latest in store.codebooks.list_latest():
        for v in store.codebooks.versions(latest["codebook"]):
            text = store.codebooks.get_version(v["id"])["yaml"]
            try:
                cb = parse_codebook(text, f"codebook {v['codebook']} (version id {v['id']})")
            except InvalidCodebook as e:
                raise InvalidInput(f"a stored codebook is not valid: {e}") from None
            for f in cb.fields:
                out.setdefault(v["codebook"], {}).setdefault(f.id, []).append(f)
    return out


def _is_value(field: Field, value: str) -> bool:
    """Whether `value` (as stored, see `domain.values.encode`) is a value of `field`."""
    if field.type == "text":
        return True
    if field.type in ("nominal", "ordinal"):
        return field.code(value) is not None
    if field.type == "multi":
        try:
            items = json.loads(value)
        except (ValueError, RecursionError):
            return False
        return isinstance(items, list) and all(isinstance(x, str) and field.code(x) is not None for x in items)
    if field.type == "interval" and field.codes and field.code(value) is not None:
        return True
    try:
        num = float(value)
    except (TypeError, ValueError):
        return False
    return math.isfinite(num) and not (field.minimum is not None and num < field.minimum) \
        and not (field.maximum is not None and num > field.maximum)


def _values_are_codes(store: Store, src: Path) -> None:
    fields = _fields(store)
    checked: dict[tuple[str, str, str], bool] = {}
    for table, rows in (("an annotation", store.annotations.current_rows()),
                        ("a final value", store.finals.current_rows())):
        for row in rows:
            unit, cb, f, value = row[0], row[1], row[2], row[-1]
            key = (cb, f, value)
            if key not in checked:
                versions = fields.get(cb, {}).get(f)
                if versions is None:
                    raise InvalidInput(f"{table} on unit {unit} is for field {f!r} of codebook {cb!r}, which no "
                                       f"stored codebook has: {_FORGED}", path=src)
                checked[key] = any(_is_value(fld, value) for fld in versions)
            if not checked[key]:
                raise InvalidInput(f"{table} on unit {unit} (codebook {cb}, field {f}) is {value!r}, which is no "
                                   f"value of that field in any version of the codebook: {_FORGED}", path=src)
