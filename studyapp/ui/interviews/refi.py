"""The Interviews page's REFI-QDA view: download the interviews as a `.qdpx` project (or the
codebooks as `.qdc`), and import a project from ATLAS.ti, MAXQDA, NVivo, QualCoder or studyapp.

Same services as `studyapp export DIR OUT.qdpx` and `studyapp import qdpx` (`services.publish.qdpx`).
Only a lead sees it: a project carries every coder's codes, so exporting one would break blind
coding, and an import changes what everyone codes. The file is made only when its download button
is clicked.
"""

from __future__ import annotations

import streamlit as st

from studyapp.domain.roles import Role
from studyapp.errors import StudyError
from studyapp.render.safe_text import plain
from studyapp.services.interviews.views import refi_view as read_refi_view
from studyapp.services.publish.qdpx import import_qdpx_upload, qdpx_project
from studyapp.ui import state
from studyapp.ui.state import Store


def refi_view(store: Store, coder: str | None) -> None:
    if not Role.of(store, coder).can_import:
        st.info("Only a lead exports and imports REFI-QDA projects (or use `studyapp export DIR OUT.qdpx` / "
                "`studyapp import qdpx`).")
        return
    v = read_refi_view(store)
    st.subheader("Export for ATLAS.ti, MAXQDA, NVivo, QualCoder")
    st.caption("Every coder becomes a user; transcripts, codes, quote spans, segment codes and memos go into a "
               "REFI-QDA 1.0 project. Importing it back here loses nothing.")
    if v.has_transcripts:
        st.download_button("Download .qdpx project", state.deferred(qdpx_project, actor=coder),
                           file_name=f"{v.file_name}.qdpx", mime="application/zip", key="interviews.refi_down",
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
            r = import_qdpx_upload(store, up.name, up.getvalue(), actor=coder, codebook=book.strip() or None)
        except StudyError as e:
            st.error(plain(f"Nothing imported: {e}"))
        else:
            how = "exactly as exported from studyapp" if r.lossless else "mapped from another tool's project"
            st.success(f"Imported {len(r.transcripts)} transcript(s), {r.segments} segments, {r.spans} spans, "
                       f"{r.annotations} segment codings and {r.memos} memos ({how}); coders: {', '.join(r.coders)}"
                       + (f" (new: {', '.join(r.new_coders)})" if r.new_coders else "") + ".")
            for w in r.warnings:
                st.warning(plain(w))
