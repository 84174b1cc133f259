"""A codebook field's annotations as reliability data: a coders x units matrix, built fast.

This is the bridge between the study store and the pure statistics. One SELECT reads the field's
values; codes become integer category indexes in the codebook's order (so ordinal fields keep
their order), numbers stay numbers, multi-code values become frozensets. When several rounds are
chosen, a unit coded in two rounds counts as two units: agreement is about one coding occasion.
A hierarchical field can be read at any level of its tree (level 1 = top codes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Sequence

import numpy as np
import pandas as pd

from studyapp.domain.codebook import Field
from studyapp.errors import StudyError
from studyapp.services.coding.codebooks import get_codebook
from studyapp.store import Store


@dataclass(frozen=True)
class ReliabilityData:
    """`matrix[i, j]` is coder i's value on unit j: a category index (float, NaN = missing) for coded
    fields, the number for numeric ones, a frozenset (None = missing) for multi fields."""

    codebook: str
    field: Field
    level: str | None
    coders: list[str]
    units: list[tuple[int, str]]
    matrix: np.ndarray
    categories: list[str] = dc_field(default_factory=list)
    depth: int | None = None

    @property
    def multi(self) -> bool:
        return self.field.is_multi

    @property
    def n_units(self) -> int:
        return len(self.units)

    def labels(self) -> pd.DataFrame:
        """The matrix with code ids instead of indexes (coders as rows): for tables and exports."""
        if self.multi:
            data = [[";".join(sorted(v)) if v else None for v in row] for row in self.matrix]
        elif self.categories:
            cats = np.array(self.categories, dtype=object)
            data = [[cats[int(v)] if not np.isnan(v) else None for v in row] for row in self.matrix]
        else:
            data = self.matrix
        return pd.DataFrame(data, index=self.coders, columns=[f"{u}/{r}" for u, r in self.units])


def reliability_data(store: Store, codebook_id: str, field_id: str, *, rounds: Sequence[str] | None = None,
                     coders: Sequence[str] | None = None, unit_ids: Sequence[int] | None = None,
                     depth: int | None = None) -> ReliabilityData:
    """Read one field (optionally one level of its code tree) as a coders x units matrix."""
    cb = get_codebook(store, codebook_id)
    field = cb.require_field(field_id)
    if field.type == "text":
        raise StudyError(f"field {field_id!r} is free text: agreement is not computed on it")
    rows = store.annotations.values(codebook_id, field_id, rounds=rounds, coders=coders, unit_ids=unit_ids)
    df = pd.DataFrame.from_records(rows, columns=["unit", "coder", "round", "value", "num"])
    coder_codes, coder_names = pd.factorize(df["coder"], sort=True)
    unit_codes, units = _unit_index(df)
    shape = (len(coder_names), len(units))
    level = field.level
    categories: list[str] = []
    if field.is_multi:
        matrix = np.full(shape, None, dtype=object)
        value_codes, distinct = pd.factorize(df["value"])  # each distinct value is parsed once
        sets = np.empty(len(distinct), dtype=object)
        sets[:] = [frozenset(code_at_depth(field, c, depth) for c in json.loads(v)) for v in distinct]
        matrix[coder_codes, unit_codes] = sets[value_codes]
        level = "nominal"
    elif field.type in ("nominal", "ordinal"):
        categories = categories_at(field, depth)
        mapped = df["value"] if depth is None else df["value"].map(lambda c: code_at_depth(field, c, depth))
        mapped = mapped.where(mapped.isin(categories))  # an older codebook's code is missing here
        idx = pd.Categorical(mapped, categories=categories).codes.astype(float)
        idx[idx < 0] = np.nan
        matrix = np.full(shape, np.nan)
        matrix[coder_codes, unit_codes] = idx
    else:
        matrix = np.full(shape, np.nan)
        matrix[coder_codes, unit_codes] = df["num"].astype(float).to_numpy()
    return ReliabilityData(codebook=codebook_id, field=field, level=level, coders=[str(c) for c in coder_names],
                           units=units, matrix=matrix, categories=categories, depth=depth)


def _unit_index(df: pd.DataFrame) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Column index of each row's (unit, round), sorted by round then unit; plain integer keys so
    500,000 rows take tens of milliseconds (a pandas MultiIndex took seconds)."""
    if not len(df):
        return np.zeros(0, dtype=np.int64), []
    round_codes, round_names = pd.factorize(df["round"], sort=True)
    unit = df["unit"].to_numpy(dtype=np.int64)
    key = round_codes.astype(np.int64) * (int(unit.max()) + 1) + unit
    uniq, codes = np.unique(key, return_inverse=True)
    span = int(unit.max()) + 1
    names = [str(r) for r in round_names]
    units = [(int(k % span), names[k // span]) for k in uniq.tolist()]
    return codes, units


def categories_at(field: Field, depth: int | None) -> list[str]:
    """The field's code ids in tree order, down to `depth` (all levels when None)."""
    return [c.id for c, d, _ in field.walk() if depth is None or d <= depth]


def code_at_depth(field: Field, code_id: str, depth: int | None) -> str:
    """The code's ancestor at `depth` (the code itself when None, or when it is no code of the field)."""
    if depth is None:
        return code_id
    path = field.path(code_id)
    return path[min(depth, len(path)) - 1] if path else code_id


_at_depth = code_at_depth  # the name other modules import (services/publish/replication_data.py)
