"""Schema migrations of interchange with other QDA tools (listed in order in `__init__.ORDER`).

Never edit a released migration: add a new function here and append it to `__init__.ORDER`.
"""


def interop_001_sets_guids(db) -> None:
    """Sets and REFI-QDA GUIDs.

    `sets` are named groups of codes, transcripts and memos: REFI-QDA's `Set` (MAXQDA's document sets,
    ATLAS.ti's code and document groups, NVivo's sets), each with the GUID it travels under, and
    `set_members` their members in order: a code (codebook, field, code; no code: the whole field, a
    category in the tool), a transcript, or a memo. `refi_guids` keeps the GUID another tool gave a
    code, field, codebook, coder, transcript, span or memo, so that a project goes back to the tool it
    came from under the same GUIDs; `attrs` holds what REFI says of it that studyapp has no column for
    (a code that is not codable, a selection's name and coding GUIDs, a note's name). Rows of units,
    spans and memos go with them (ON DELETE CASCADE)."""
    db.executescript(
        """
        CREATE TABLE sets (
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            import_id INTEGER REFERENCES imports(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE set_members (
            set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('code', 'transcript', 'memo')),
            codebook TEXT,
            field TEXT,
            code TEXT,
            unit_id INTEGER REFERENCES units(id) ON DELETE CASCADE,
            memo_id INTEGER REFERENCES memos(id) ON DELETE CASCADE,
            CHECK ((kind = 'code') = (codebook IS NOT NULL AND field IS NOT NULL)),
            CHECK ((kind = 'transcript') = (unit_id IS NOT NULL)),
            CHECK ((kind = 'memo') = (memo_id IS NOT NULL)),
            PRIMARY KEY (set_id, seq)
        );
        CREATE UNIQUE INDEX idx_set_members_one ON set_members
            (set_id, kind, coalesce(codebook, ''), coalesce(field, ''), coalesce(code, ''),
             coalesce(unit_id, 0), coalesce(memo_id, 0));
        CREATE INDEX idx_set_members_code ON set_members (codebook, field, code);
        CREATE TABLE refi_guids (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('codebook', 'field', 'code', 'coder', 'transcript', 'span', 'memo')),
            guid TEXT NOT NULL,
            codebook TEXT,
            field TEXT,
            code TEXT,
            coder TEXT,
            unit_id INTEGER REFERENCES units(id) ON DELETE CASCADE,
            span_id INTEGER REFERENCES spans(id) ON DELETE CASCADE,
            memo_id INTEGER REFERENCES memos(id) ON DELETE CASCADE,
            attrs TEXT,
            import_id INTEGER REFERENCES imports(id),
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX idx_refi_guids_one ON refi_guids
            (kind, coalesce(codebook, ''), coalesce(field, ''), coalesce(code, ''), coalesce(coder, ''),
             coalesce(unit_id, 0), coalesce(span_id, 0), coalesce(memo_id, 0));
        CREATE INDEX idx_refi_guids_guid ON refi_guids (guid);
        """
    )
