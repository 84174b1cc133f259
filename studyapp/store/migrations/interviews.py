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
