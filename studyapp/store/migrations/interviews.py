"""Schema migrations of the interviews feature (listed in order in `__init__.ORDER`).

Never edit a released migration: add a new function here and append it to `__init__.ORDER`.
"""


def interviews_001_participants_spans(db) -> None:
    """Participants with attributes, and quote spans: a coder's highlight inside a segment (character
    offsets into the segment's stored text) with the codes it supports, one row per (span, code)."""
    db.executescript(
        """
        CREATE TABLE participants (
            id TEXT PRIMARY KEY,
            attrs TEXT NOT NULL DEFAULT '{}',
            import_id INTEGER REFERENCES imports(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE spans (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            coder TEXT NOT NULL REFERENCES coders(name),
            round TEXT NOT NULL REFERENCES rounds(id),
            codebook TEXT NOT NULL,
            start_char INTEGER NOT NULL CHECK (start_char >= 0),
            end_char INTEGER NOT NULL CHECK (end_char > start_char),
            snippet TEXT NOT NULL,
            note TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX idx_spans_unit ON spans (unit_id, coder, round);
        CREATE TABLE span_codes (
            span_id INTEGER NOT NULL REFERENCES spans(id) ON DELETE CASCADE,
            field TEXT NOT NULL,
            code TEXT NOT NULL,
            PRIMARY KEY (span_id, field, code)
        );
        CREATE INDEX idx_span_codes_code ON span_codes (field, code);
        """
    )


def interviews_002_final_spans(db) -> None:
    """Adjudicated quote spans: the lead's final span in a segment for a codebook and round (kept one
    coder's, merged several, or drew it), its codes (JSON [[field, code], ...]), how it was decided,
    the coders' spans it came from (JSON ids) and the rationale. Apart from the coders' spans, as
    `finals` are apart from `annotations`; every change is in the history (`final_span.*`)."""
    db.executescript(
        """
        CREATE TABLE final_spans (
            id INTEGER PRIMARY KEY,
            unit_id INTEGER NOT NULL REFERENCES units(id),
            codebook TEXT NOT NULL,
            round TEXT NOT NULL REFERENCES rounds(id),
            start_char INTEGER NOT NULL CHECK (start_char >= 0),
            end_char INTEGER NOT NULL CHECK (end_char > start_char),
            snippet TEXT NOT NULL,
            codes TEXT NOT NULL DEFAULT '[]',
            decision TEXT NOT NULL CHECK (decision IN ('keep', 'merge', 'draw')),
            source_spans TEXT NOT NULL DEFAULT '[]',
            rationale TEXT NOT NULL,
            adjudicator TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX idx_final_spans_unit ON final_spans (unit_id, codebook, round);
        """
    )
