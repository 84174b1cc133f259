"""REFI-QDA projects for the app: the interviews as a `.qdpx` download, and an uploaded project
imported. The same interop functions as `studyapp export DIR OUT.qdpx` and `studyapp import qdpx`;
here so that the UI asks a service and never the interop wing itself.
"""

from __future__ import annotations

from studyapp.interop.refi_export import qdpx_bytes
from studyapp.interop.refi_import import RefiImport, import_qdpx_data
from studyapp.store import Store


def qdpx_project(store: Store, *, actor: str | None) -> bytes:
    """The study's interviews as a REFI-QDA project (every coder's codes: a lead's export)."""
    return qdpx_bytes(store, actor=actor)[0]


def import_qdpx_upload(store: Store, name: str, data: bytes, *, actor: str | None,
                       codebook: str | None = None) -> RefiImport:
    """Import an uploaded `.qdpx` (or a `project.qde`), all or nothing; a lead's action."""
    return import_qdpx_data(store, name, data, actor=actor, codebook=codebook)
