"""Defects and label sheets uploaded in the app, handed to the same imports as the CLI's.

The uploads are written under their own names to a temporary folder (the imports read files, and
their messages name the file), imported all or nothing, and the folder is removed. The columns a
table's roles come from are typed as `COLUMN=ROLE` pairs, comma-separated.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Sequence

from studyapp.services.coding.labels import LabelsReport, import_labels
from studyapp.services.defects.imports import DefectImport, import_defects
from studyapp.store import Store

Upload = tuple[str, bytes]


def column_roles(text: str) -> dict[str, str]:
    """`Summary=title, Details=body` -> {"Summary": "title", "Details": "body"}; parts without `=` are
    ignored, and a column may itself hold `=` (the last one splits)."""
    out = {}
    for part in text.split(","):
        left, sep, right = part.rpartition("=")
        if sep and left.strip() and right.strip():
            out[left.strip()] = right.strip()
    return out


def _saved(uploads: Sequence[Upload], folder: Path) -> list[Path]:
    paths = []
    for name, data in uploads:
        p = folder / Path(name).name
        p.write_bytes(data)
        paths.append(p)
    return paths


def import_defect_uploads(store: Store, uploads: Sequence[Upload], *, columns: str = "",
                          actor: str | None = None) -> DefectImport:
    """Import uploaded tables or GitHub issue JSON; `columns` as typed (`COLUMN=ROLE, ...`)."""
    with tempfile.TemporaryDirectory() as tmp:
        return import_defects(store, _saved(uploads, Path(tmp)), columns=column_roles(columns), actor=actor)


def import_label_upload(store: Store, sheet: Upload, *, mapping: Upload | None = None, coder: str, codebook: str,
                        key: str | None = None, round: str | None = None, add_unknown: bool = False,
                        actor: str | None = None) -> LabelsReport:
    """Import one uploaded label sheet as `coder`'s labels (optionally with a YAML mapping file)."""
    with tempfile.TemporaryDirectory() as tmp:
        [path] = _saved([sheet], Path(tmp))
        map_path = _saved([mapping], Path(tmp))[0] if mapping is not None else None
        return import_labels(store, path, coder=coder, codebook=codebook, key=key, round=round,
                             add_unknown=add_unknown, map_file=map_path, actor=actor)
