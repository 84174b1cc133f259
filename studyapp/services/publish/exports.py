"""Exports of a whole study, chosen by the output file's suffix.

`EXPORTERS` is the one list of formats: a suffix (".zip", ".qdpx", ...) and a function
`fn(store, out_path, **opts)` that writes the file and returns a small result object (or dict)
describing what it wrote. Add a format by adding its line here.

Options every exporter should accept (and may ignore): `actor` (who exports; exporters that carry
other coders' values must refuse a non-lead) and `force` (replace an existing file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from studyapp.domain.roles import lead_only
from studyapp.errors import StudyError
from studyapp.interop.refi_export import export_qdc, export_qdpx
from studyapp.services.study.archive import export_study
from studyapp.store import Store

Exporter = Callable[..., Any]

#: Every whole-study export format, by the output file's suffix.
EXPORTERS: dict[str, Exporter] = {
    ".zip": export_study,     # the whole study, for `import-study` (manifest with checksums)
    ".qdpx": export_qdpx,     # REFI-QDA project: transcripts, codes, selections, coders, memos
    ".qdc": export_qdc,       # REFI-QDA codebook: the interview code tree
}


def exporter_for(out_path: str | Path) -> Exporter:
    """The exporter for `out_path`'s suffix, or a StudyError naming the suffix and the known ones."""
    suffix = Path(out_path).suffix.lower()
    if suffix not in EXPORTERS:
        known = ", ".join(sorted(EXPORTERS)) or "none"
        what = suffix or "a file without a suffix"
        raise StudyError(f"no exporter for {what} (known: {known})", path=str(out_path))
    return EXPORTERS[suffix]


def export(store: Store, out_path: str | Path, **opts: Any) -> Any:
    """Write the study to `out_path` in the format its suffix names; returns the exporter's result.
    With an `actor` who is a coder but not a lead, nothing is written (exports carry every coder's values)."""
    exporter = exporter_for(out_path)
    lead_only(store, opts.get("actor"), "export a study")
    return exporter(store, Path(out_path), **opts)


def formats() -> list[str]:
    return sorted(EXPORTERS)
