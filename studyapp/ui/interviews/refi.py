"""The Interviews page's REFI-QDA view: download the interviews as a `.qdpx` project (or the
codebooks as `.qdc`), and import a project from ATLAS.ti, MAXQDA, NVivo, QualCoder or studyapp.

Same services as `studyapp export DIR OUT.qdpx` and `studyapp import qdpx`. Only a lead sees it:
a project carries every coder's codes, so exporting one would break blind coding, and an import
changes what everyone codes. The files are made only when a download button is clicked.
"""

from __future__ import annotations

import functools
import re

import streamlit as st

from studyapp.domain.roles import Role
from studyapp.errors import StudyError
from studyapp.interop.refi_export import qdpx_bytes
from studyapp.interop.refi_import import import_qdpx_data
from studyapp.store import Store


def _project(folder, coder: str | None) -> bytes:
    """Made when the button is clicked, possibly after this rerun closed its store: open one here."""
    with Store.open(folder) as store:
        return qdpx_bytes(store, actor=coder)[0]


def _file_name(store: Store) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", store.title).strip("-") or "study"


def refi_view(store: Store, coder: str | None) -> None:
    if not Role.of(store, coder).can_import:
        st.info("Only a lead exports and imports REFI-QDA projects (or use `studyapp export DIR OUT.qdpx` / "
                "`studyapp import qdpx`).")
        return
    st.subheader("Export for ATLAS.ti, MAXQDA, NVivo, QualCoder")
    st.caption("Every coder becomes a user; transcripts, codes, quote spans, segment codes and memos go into a "
               "REFI-QDA 1.0 project. Importing it back here loses nothing.")
    if store.units.count("transcript"):
        st.download_button("Download .qdpx project", functools.partial(_project, store.folder, coder),
                           file_name=f"{_file_name(store)}.qdpx", mime="application/zip", key="interviews.refi_down",
                           on_click="ignore", icon=":material/download:")
    else:
        st.caption("No transcripts yet: nothing to export.")
    st.subheader("Import a project")
    up = st.file_uploader("REFI-QDA project (.qdpx, or a project.qde with its text inline)", type=["qdpx", "qde"],
                          key="interviews.refi_up")
    book = st.text_input("Codebook id for the project's codes (default: refi-<project name>)",
                         key="interviews.refi_codebook")
    if st.button("Import project", type="primary", key="interviews.refi_go", disabled=up is None):
        try:
            r = import_qdpx_data(store, up.name, up.getvalue(), actor=coder, codebook=book.strip() or None)
        except StudyError as e:
            st.error(f"Nothing imported: {e}")
        else:
            how = "exactly as exported from studyapp" if r.lossless else "mapped from another tool's project"
            st.success(f"Imported {len(r.transcripts)} transcript(s), {r.segments} segments, {r.spans} spans, "
                       f"{r.annotations} segment codings and {r.memos} memos ({how}); coders: {', '.join(r.coders)}"
                       + (f" (new: {', '.join(r.new_coders)})" if r.new_coders else "") + ".")
            for w in r.warnings:
                st.warning(w)
