"""Transcripts uploaded in the app: the pseudonymisation list as the researcher typed it, then the
same import as `studyapp import transcripts` (one bad file imports nothing).

The list is parsed by the transcripts reader's `parse_pseudonyms` (one `name` or `name,replacement`
per line), so a mistake names its line and nothing is imported.
"""

from __future__ import annotations

from typing import Sequence

from studyapp.readers.transcripts.participants import parse_pseudonyms
from studyapp.services.interviews.imports import TranscriptReport, import_transcript_data
from studyapp.store import Store

NAMES = "names to pseudonymise"


def import_transcript_uploads(store: Store, uploads: Sequence[tuple[str, bytes]], *, participant: str | None = None,
                              interviewers: Sequence[str] | None = None, names: str = "",
                              actor: str | None = None) -> list[TranscriptReport]:
    """Import (file name, bytes) uploads; `names` is the typed pseudonymisation list (may be empty)."""
    pseudo = [(n, r) for n, r, _ in parse_pseudonyms(names, name=NAMES)]
    return import_transcript_data(store, list(uploads), participant=participant, interviewers=interviewers,
                                  pseudonyms=pseudo, actor=actor)
