"""Rater sheets for `studyapp irr`: one CSV/XLSX file per coder, or one long file, read into
coders x units label matrices, one per field.

Wide files (ReCal-style): one file per coder, the coder named by the file stem, the same columns in
each. Units are aligned by a key column when one is given, else by row order (then every file must
have the same number of rows). Every column except the key is a field, unless `fields` names them;
columns that are a spreadsheet's index (a blank header, pandas' `Unnamed: 0`) are never fields.
Long files: one row per (unit, coder, value); the value column is the one field (rows may be
selected by other columns first, e.g. one field and round of a replication package's codings.csv).

Cells are read as text. A cell that is empty (or only whitespace) is missing, as is any cell equal
to one of the `missing` markers (e.g. "nan", "n/a"); everything else is a label, kept exactly as
written unless `normalize_labels` trims and case-folds it. Problems raise `InvalidInput` naming the
file (and the line where one is to blame).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from studyapp.errors import InvalidInput
from studyapp.readers.sheets import EXCEL_SUFFIXES, TAB_SUFFIXES, read_table_file



@dataclass(frozen=True, eq=False)
class RaterTable:
    """`fields[name][i, j]` is coder i's label on unit j (None = missing). `sources[coder]` is the
    file a coder's values came from; `notes` are things the reader ignored, in words."""

    coders: tuple[str, ...]
    units: tuple[str, ...]
    fields: dict[str, np.ndarray]
    sources: dict[str, str]
    notes: tuple[str, ...] = ()
    merged: dict[str, dict[str, list[str]]] = dc_field(default_factory=dict)


def is_index_column(name: object) -> bool:
    """A spreadsheet's row index, not a field: blank header or pandas' `Unnamed: N`."""
    text = str(name).strip()
    return not text or text.startswith("Unnamed:")


def read_sheet(path: str | Path) -> pd.DataFrame:
    """A CSV/TSV/XLSX file (read by `readers.sheets`, the one table reader) as a DataFrame of strings
    ('' for an empty cell), header from row 1; a blank header is `Unnamed: N`, a repeated one `name.1`."""
    p = Path(path)
    if not p.exists():
        raise InvalidInput("file not found", path=str(path))
    if p.is_dir():
        raise InvalidInput("is a folder, not a rater file", path=str(path))
    try:
        table = read_table_file(p, delimiter="\t" if p.suffix.lower() in TAB_SUFFIXES else None)
    except InvalidInput as e:
        if p.suffix.lower() in EXCEL_SUFFIXES:
            raise InvalidInput(f"cannot be read: {e.message}", path=str(path)) from None
        raise
    if not table.header:
        raise InvalidInput("is empty", path=str(path))
    names: list[str] = []
    for i, h in enumerate(table.header):
        name = _cell_text(h).strip() or f"Unnamed: {i}"
        base, n = name, 0
        while name in names:
            n += 1
            name = f"{base}.{n}"
        names.append(name)
    width = len(names)
    if p.suffix.lower() in EXCEL_SUFFIXES:  # numbers and empty cells as the text a user sees
        rows = [[_cell_text(c) for c in r] + [""] * (width - len(r)) for r in table.rows]
    else:  # a text table's cells are text already
        rows = [r + [""] * (width - len(r)) if len(r) < width else r for r in table.rows]
    df = pd.DataFrame(rows, columns=names, dtype=object) if rows else pd.DataFrame(columns=names, dtype=object)
    df.columns = [str(c).strip() if not is_index_column(c) else str(c) for c in df.columns]
    df.attrs["lines"] = table.lines
    return df


def read_rater_files(paths: Sequence[str | Path], *, key: str | None = None, fields: Sequence[str] | None = None,
                     missing: Iterable[str] = ()) -> RaterTable:
    """One file per coder (see the module docstring)."""
    markers = {m.strip() for m in missing}
    sheets = [(str(p), read_sheet(p)) for p in paths]
    coders = _coder_names([Path(p) for p, _ in sheets])
    first_path, first = sheets[0]
    notes: list[str] = []
    for path, df in sheets:
        if key is not None and key not in df.columns:
            raise InvalidInput(f"no key column {key!r} (columns: {_list(df.columns)})", path=path)
        for name in fields or ():
            if name not in df.columns:
                raise InvalidInput(f"no column {name!r} (columns: {_list(df.columns)})", path=path)
    if fields:
        names = list(dict.fromkeys(fields))
    else:
        names = [c for c in first.columns if c != key and not is_index_column(c)
                 and all(c in df.columns for _, df in sheets)]
        for path, df in sheets:
            extra = [c for c in df.columns if c != key and not is_index_column(c) and c not in names]
            if extra:
                notes.append(f"{path}: column(s) {_list(extra)} not in every file: ignored")
        if not names:
            raise InvalidInput("no field column in common with the other rater files "
                               f"(columns: {_list(first.columns)})", path=first_path)
    if key is None:
        for path, df in sheets[1:]:
            if len(df) != len(first):
                raise InvalidInput(f"{len(df)} rows, but {first_path} has {len(first)}: give --key COLUMN "
                                   "to align the files by a unit id", path=path)
        units = tuple(str(i + 1) for i in range(len(first)))
        frames = [df for _, df in sheets]
    else:
        frames = [_by_key(path, df, key) for path, df in sheets]
        units = tuple(dict.fromkeys(k for f in frames for k in f.index))
        frames = [f.reindex(list(units), fill_value="") for f in frames]
    out = {}
    for name in names:
        out[name] = np.array([[_label(v, markers) for v in f[name].tolist()] for f in frames], dtype=object)
        out[name] = out[name].reshape(len(frames), len(units))
    return RaterTable(tuple(coders), units, out, dict(zip(coders, (p for p, _ in sheets))), tuple(notes))


def read_long_file(path: str | Path, *, unit: str = "unit", coder: str = "coder", value: str = "value",
                   missing: Iterable[str] = (), where: Mapping[str, str] | None = None) -> RaterTable:
    """One row per (unit, coder, value); one field, named after the value column. `where` keeps only
    the rows whose columns hold the given values (e.g. {"field": "stage", "round": "main"}), so one
    long file of many fields and rounds can be read one field and round at a time."""
    markers = {m.strip() for m in missing}
    df = read_sheet(path)
    # Taken out of the frame: pandas deep-copies `attrs` on every column access (a list of 500,000
    # line numbers, three times, cost more than reading the file).
    lines = df.attrs.pop("lines", None) or []
    for role, col in (("unit", unit), ("coder", coder), ("value", value)):
        if col not in df.columns:
            raise InvalidInput(f"no {role} column {col!r} (columns: {_list(df.columns)}; "
                               f"name it with --{role})", path=str(path))
    for col, wanted in (where or {}).items():
        if col not in df.columns:
            raise InvalidInput(f"no column {col!r} to select rows by (columns: {_list(df.columns)})", path=str(path))
        df = df[df[col].astype(str).str.strip() == str(wanted).strip()]
    if where and not len(df):
        raise InvalidInput("no row has " + " and ".join(f"{c} = {v!r}" for c, v in where.items()), path=str(path))

    def line_of(pos: int) -> int:
        row = int(df.index[pos])
        return lines[row] if row < len(lines) else row + 2

    u = df[unit].astype(str).str.strip().to_numpy(dtype=object)
    c = df[coder].astype(str).str.strip().to_numpy(dtype=object)
    blank = (u == "") | (c == "")
    if blank.any():
        pos = int(np.flatnonzero(blank)[0])
        raise InvalidInput(f"row without a {'unit' if not u[pos] else 'coder'}", path=str(path), line=line_of(pos))
    # Codes in order of first appearance, as coders and units are listed.
    ui, units = pd.factorize(u, sort=False)
    ci, coders = pd.factorize(c, sort=False)
    pair = ui.astype(np.int64) * max(len(coders), 1) + ci
    dup = pd.Series(pair).duplicated().to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero(pair == pair[pos])[0])
        raise InvalidInput(f"unit {u[pos]!r} has a second value from coder {c[pos]!r} (first on line "
                           f"{line_of(first)})", path=str(path), line=line_of(pos))
    vi, values = pd.factorize(df[value].to_numpy(dtype=object), sort=False, use_na_sentinel=True)
    labels = np.array([_label(v, markers) for v in values] + [None], dtype=object)  # -1 (missing) -> None
    matrix = np.full((len(coders), len(units)), None, dtype=object)
    matrix[ci, ui] = labels[vi]
    coders, units = [str(x) for x in coders], [str(x) for x in units]
    return RaterTable(tuple(coders), tuple(units), {value: matrix}, {c: str(path) for c in coders})


def normalize_labels(table: RaterTable) -> RaterTable:
    """Trim, collapse inner whitespace and case-fold every label; `merged[field]` lists, for each
    label that now stands for several spellings, the spellings it merged."""
    fields, merged = {}, {}
    for name, m in table.fields.items():
        variants: dict[str, set[str]] = {}
        out = np.full(m.shape, None, dtype=object)
        for idx, v in np.ndenumerate(m):
            if v is not None:
                canon = " ".join(v.split()).casefold()
                out[idx] = canon
                variants.setdefault(canon, set()).add(v)
        fields[name] = out
        groups = {c: sorted(vs) for c, vs in sorted(variants.items()) if len(vs) > 1}
        if groups:
            merged[name] = groups
    return replace(table, fields=fields, merged=merged)


def _by_key(path: str, df: pd.DataFrame, key: str) -> pd.DataFrame:
    lines = df.attrs.get("lines") or []
    keys = df[key].map(lambda k: str(k).strip())
    for row, k in enumerate(keys):
        if not k:
            raise InvalidInput(f"empty key {key!r}", path=path, line=lines[row] if row < len(lines) else row + 2)
    dup = keys.duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise InvalidInput(f"key {keys.iloc[row]!r} appears twice in column {key!r}", path=path,
                           line=lines[row] if row < len(lines) else row + 2)
    return df.set_index(keys)


def _coder_names(paths: list[Path]) -> list[str]:
    names = [p.stem for p in paths]
    if len(set(names)) == len(names):
        return names
    longer = [f"{p.parent.name}/{p.stem}" for p in paths]
    if len(set(longer)) == len(longer):
        return longer
    dup = next(str(p) for p, n in zip(paths, longer) if longer.count(n) > 1)
    raise InvalidInput("given twice (each coder needs their own file)", path=dup)


def _label(v: object, markers: set[str]) -> str | None:
    text = "" if v is None else str(v)
    stripped = text.strip()
    if not stripped or stripped in markers:
        return None
    return text


def _cell_text(v: object) -> str:
    """Excel cells as the text a user sees: whole numbers without '.0', empty cells as ''."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _list(cols: Iterable[object]) -> str:
    return ", ".join(repr(str(c)) for c in cols)


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
