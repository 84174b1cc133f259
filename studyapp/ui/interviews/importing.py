"""The Interviews import view: upload transcripts (text, DOCX, WebVTT, SRT) with optional
pseudonymisation, and participants with their attributes. Same services as
`studyapp import transcripts` / `studyapp import participants`; one bad file imports nothing.
Only a lead imports (it changes what everyone codes)."""

from __future__ import annotations

import streamlit as st

from studyapp.domain.roles import Role
from studyapp.errors import StudyError
from studyapp.render.safe_text import plain
from studyapp.services.interviews.imports import import_participants_data
from studyapp.services.interviews.uploads import import_transcript_uploads
from studyapp.services.interviews.views import participants_rows
from studyapp.ui.state import Store


def import_view(store: Store, coder: str | None) -> None:
    if not Role.of(store, coder).can_import:
        st.info("Only a lead imports transcripts and participants (or use `studyapp import transcripts` / "
                "`import participants`).")
        return
    st.subheader("Transcripts")
    files = st.file_uploader("Transcript files", type=["txt", "md", "docx", "vtt", "srt"], accept_multiple_files=True,
                             key="interviews.up_files")
    c1, c2 = st.columns(2)
    participant = c1.text_input("Participant id (optional)", key="interviews.up_participant")
    interviewers = c2.text_input("Interviewer label(s), comma-separated (default: guessed)",
                                 key="interviews.up_interviewers")
    names = st.text_area("Names to pseudonymise before storing: one per line, `name` or `name,replacement` "
                         "(default replacement: the participant id)", key="interviews.up_names", height=80)
    if st.button("Import transcripts", type="primary", key="interviews.up_go", disabled=not files):
        try:
            reports = import_transcript_uploads(
                store, [(f.name, f.getvalue()) for f in files], participant=participant.strip() or None,
                interviewers=[x.strip() for x in interviewers.split(",") if x.strip()] or None,
                names=names, actor=coder)
        except StudyError as e:
            st.error(plain(f"Nothing imported: {e}"))
        else:
            for r in reports:
                st.success(plain(f"{r.key}: {r.segments} turns ({r.format}); interviewer: "
                                 f"{', '.join(r.interviewers) or 'none'}; participants: "
                                 f"{', '.join(r.participants) or 'none'}"
                                 + (f"; {r.replacements} name(s) pseudonymised" if r.replacements else "")))
                for w in r.warnings:
                    st.warning(plain(f"{r.key}: {w}"))
    st.subheader("Participants")
    people = st.file_uploader("Participants CSV (an id column, attribute columns, optionally `transcript`)",
                              type=["csv"], key="interviews.up_people")
    c1, c2 = st.columns(2)
    id_column = c1.text_input("Id column (default: participant / id / the first)", key="interviews.up_idcol")
    prefix = c2.text_input("Prefix for numeric ids (e.g. P)", key="interviews.up_prefix")
    if st.button("Import participants", key="interviews.up_people_go", disabled=people is None):
        try:
            r = import_participants_data(store, people.name, people.getvalue(), id_column=id_column or None,
                                         id_prefix=prefix or None, actor=coder)
        except StudyError as e:
            st.error(plain(f"Nothing imported: {e}"))
        else:
            st.success(f"{r.new} new, {r.updated} updated, {r.unchanged} unchanged participants.")
            for w in r.warnings:
                st.warning(plain(w))
    known = participants_rows(store)  # read after the imports above, so new participants show at once
    if known:
        st.dataframe(known, hide_index=True, width="stretch")
