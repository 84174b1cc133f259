"""How values are written into study rows: UTC timestamps that sort as text, JSON with sorted keys.

Every table module uses these, so a timestamp or a JSON column means the same thing everywhere.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any


def now() -> str:
    """UTC timestamp with microseconds; sorts as text."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


def dumps(obj: Any) -> str | None:
    return None if obj is None else json.dumps(obj, ensure_ascii=False, sort_keys=True)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)
