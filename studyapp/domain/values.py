"""How a coder's value for a field is checked, normalised and encoded for storage.

One rule for every entry point (UI, CLI, imports): a value must be a code of its field (matched by
id, or by label ignoring case and surrounding/extra spaces), a multi field holds a set of codes,
numbers must be numbers within the field's range. Unknown values raise `UnknownCode`; they are
never silently added. Encoding: nominal/ordinal/text as the plain string, multi as a JSON list of
sorted code ids, interval/number as the number's text plus `value_num`.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from studyapp.domain.codebook import Field
from studyapp.errors import InvalidInput, UnknownCode

MULTI_SEPARATORS = re.compile(r"\s*[;|\n]\s*")


def fold(text: str) -> str:
    """Case- and space-insensitive key: 'Bad  Performance ' -> 'bad performance'."""
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


def code_matcher(field: Field) -> dict[str, str]:
    """Folded id, label or alias -> code id, for matching spreadsheet values to codes.

    Ids win over labels, labels over aliases (the spellings a team's old spreadsheets used)."""
    idx: dict[str, str] = {}
    for code in field.all_codes():
        for alias in code.aliases:
            idx[fold(alias)] = code.id
    labels: dict[str, str] = {}
    for code in field.all_codes():
        labels.setdefault(fold(code.label), code.id)
    idx.update(labels)
    for code in field.all_codes():
        idx[fold(code.id)] = code.id
    return idx


def match_code(field: Field, raw: Any, matcher: dict[str, str] | None = None) -> str:
    matcher = matcher or code_matcher(field)
    cid = matcher.get(fold(raw))
    if cid is None:
        raise UnknownCode(f"{raw!r} is not a code of field {field.id!r}")
    return cid


def normalise(field: Field, raw: Any, matcher: dict[str, str] | None = None) -> Any:
    """Check `raw` against `field` and return the canonical Python value (None = no value)."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None
    if isinstance(raw, str) and not raw.strip() and field.type != "text":
        return None
    if field.type in ("nominal", "ordinal"):
        return match_code(field, raw, matcher)
    if field.type == "multi":
        items = raw if isinstance(raw, (list, tuple, set)) else MULTI_SEPARATORS.split(str(raw).strip())
        m = matcher or code_matcher(field)
        codes = sorted({match_code(field, x, m) for x in items if str(x).strip()})
        return codes or None
    if field.type == "text":
        return str(raw)
    if field.type == "interval" and field.codes and not _is_number(raw):
        return match_code(field, raw, matcher)
    try:
        num = float(raw)
    except (TypeError, ValueError):
        raise InvalidInput(f"{raw!r} is not a number (field {field.id!r})") from None
    if math.isnan(num) or math.isinf(num):
        raise InvalidInput(f"{raw!r} is not a finite number (field {field.id!r})")
    if field.minimum is not None and num < field.minimum or field.maximum is not None and num > field.maximum:
        raise InvalidInput(f"{num:g} is outside [{field.minimum}, {field.maximum}] (field {field.id!r})")
    return num


def _is_number(x: Any) -> bool:
    try:
        float(x)
        return True
    except (TypeError, ValueError):
        return False


def encode(field: Field, value: Any) -> tuple[str | None, float | None]:
    """Canonical value -> (stored text, numeric position or None)."""
    if value is None:
        return None, None
    if field.type == "multi":
        return json.dumps(sorted(value)), None
    if field.type in ("number", "interval") and isinstance(value, float):
        return repr(value), value
    if field.type in ("ordinal", "interval"):
        return str(value), field.position(str(value))
    return str(value), None


def decode(field_type: str, text: str | None) -> Any:
    if text is None:
        return None
    if field_type == "multi":
        return json.loads(text)
    if field_type == "number":
        return float(text)
    if field_type == "interval":
        return float(text) if _is_number(text) else text
    return text


def display(field: Field, value: Any) -> str:
    """A value as people read it: labels, not ids."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(display(field, v) for v in value)
    code = field.code(str(value)) if field.codes else None
    if code:
        return code.label
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
