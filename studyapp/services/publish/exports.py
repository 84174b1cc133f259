"""Exports of a whole study, chosen by the output file's suffix.

`EXPORTERS` maps a suffix (".zip", ".qdpx", ...) to a function `fn(store, out_path, **opts)` that
writes the file and returns a small result object (or dict) describing what it wrote. A format adds
itself with `register_exporter(suffix, fn)` when its module is imported; modules named in
`EXPORTER_MODULES` are imported on first use, so `export()` finds them from the CLI, the UI and
Python alike. Add your module's dotted name to that list when you add a format.

Options every exporter should accept (and may ignore): `actor` (who exports; exporters that carry
other coders' values must refuse a non-lead) and `force` (replace an existing file).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Callable

from studyapp.errors import StudyError
from studyapp.store import Store

Exporter = Callable[..., Any]

EXPORTERS: dict[str, Exporter] = {}

#: Modules that register exporters when imported (looked up lazily, to keep imports cheap).
EXPORTER_MODULES: list[str] = ["studyapp.services.study.archive", "studyapp.interop.refi_export"]


def _suffix(suffix: str) -> str:
    suffix = suffix.strip().lower()
    return suffix if suffix.startswith(".") else "." + suffix


def register_exporter(suffix: str, fn: Exporter) -> Exporter:
    """Make `fn(store, out_path, **opts)` the exporter for files ending in `suffix` (".qdpx")."""
    EXPORTERS[_suffix(suffix)] = fn
    return fn


def _load_modules() -> None:
    for name in EXPORTER_MODULES:
        importlib.import_module(name)


def exporter_for(out_path: str | Path) -> Exporter:
    """The exporter for `out_path`'s suffix, or a StudyError naming the suffix and the known ones."""
    _load_modules()
    suffix = Path(out_path).suffix.lower()
    if suffix not in EXPORTERS:
        known = ", ".join(sorted(EXPORTERS)) or "none"
        what = suffix or "a file without a suffix"
        raise StudyError(f"no exporter for {what} (known: {known})", path=str(out_path))
    return EXPORTERS[suffix]


def export(store: Store, out_path: str | Path, **opts: Any) -> Any:
    """Write the study to `out_path` in the format its suffix names; returns the exporter's result.
    With an `actor` who is a coder but not a lead, nothing is written (exports carry every coder's values)."""
    from studyapp.services.coding.coding import lead_only

    exporter = exporter_for(out_path)
    lead_only(store, opts.get("actor"), "export a study")
    return exporter(store, Path(out_path), **opts)


def formats() -> list[str]:
    _load_modules()
    return sorted(EXPORTERS)
