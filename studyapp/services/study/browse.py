"""Read models for the pages and the CLI: unit lists with coverage, a unit with what a viewer may see.

Coverage tells how many coders coded a unit, never what they chose, so lists stay blind.
"""

from __future__ import annotations

from studyapp.paths import UNIT_KINDS_OF_CODEBOOK
from studyapp.services.coding.codebooks import list_codebooks
from studyapp.services.coding.coding import visible_annotations
from studyapp.store import Store

ATTR_COLUMNS = {"paper": ("year", "venue", "source", "doi", "authors"), "defect": ("repo", "issue", "url"),
                "transcript": ("participant", "role", "experience_years", "company_type"), "segment": ("speaker",)}


def unit_table(store: Store, kind: str, viewer: str | None, *, parent_id: int | None = None) -> list[dict]:
    cov = store.annotations.coverage(kind, viewer)
    out = []
    for u in store.units.list(kind, parent_id=parent_id, with_text=False):
        row = {"id": u["id"], "key": u["key"], "title": u["title"]}
        for col in ATTR_COLUMNS.get(kind, ()):
            row[col] = u["attrs"].get(col)
        c = cov.get(u["id"], {"coders": 0, "mine": 0})
        row["coders"] = c["coders"]
        row["fields coded by you"] = c["mine"]
        out.append(row)
    return out


def codebooks_for(store: Store, kind: str):
    return [cb for cb in list_codebooks(store) if kind in UNIT_KINDS_OF_CODEBOOK[cb.kind]]


def unit_view(store: Store, unit_id: int, viewer: str | None) -> dict:
    """A unit with the annotations `viewer` may see, final values, memos and its history length."""
    unit = store.units.require(unit_id)
    return {
        "unit": unit,
        "annotations": visible_annotations(store, unit_id, viewer) if viewer else [],
        "finals": store.finals.for_unit(unit_id),
        "memos": store.memos.for_unit(unit_id),
        "history": len(store.history.for_unit(unit_id)),
    }
