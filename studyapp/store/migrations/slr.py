"""Schema migrations of the slr feature (listed in order in `__init__.ORDER`).

Never edit a released migration: add a new function here and append it to `__init__.ORDER`.
"""


def slr_001_duplicates_snowballing(db) -> None:
    """Duplicate links (never deletions), splits a reviewer made, and snowballing rounds with the
    paper each snowballed record came from."""
    db.executescript(
        """
        CREATE TABLE paper_duplicates (
            unit_id INTEGER PRIMARY KEY REFERENCES units(id),
            primary_id INTEGER NOT NULL REFERENCES units(id),
            method TEXT NOT NULL CHECK (method IN ('doi', 'title', 'manual')),
            score REAL,
            linked_at TEXT NOT NULL,
            linked_by TEXT,
            CHECK (unit_id <> primary_id)
        );
        CREATE INDEX idx_paper_duplicates_primary ON paper_duplicates (primary_id);
        CREATE TABLE paper_splits (
            unit_id INTEGER NOT NULL REFERENCES units(id),
            other_id INTEGER NOT NULL REFERENCES units(id),
            split_at TEXT NOT NULL,
            split_by TEXT,
            PRIMARY KEY (unit_id, other_id)
        );
        CREATE TABLE snowball_rounds (
            id INTEGER PRIMARY KEY,
            direction TEXT NOT NULL CHECK (direction IN ('backward', 'forward', 'both')),
            note TEXT,
            started_at TEXT NOT NULL,
            started_by TEXT
        );
        CREATE TABLE snowball_links (
            unit_id INTEGER NOT NULL REFERENCES units(id),
            from_unit_id INTEGER NOT NULL REFERENCES units(id),
            round_id INTEGER NOT NULL REFERENCES snowball_rounds(id),
            direction TEXT NOT NULL CHECK (direction IN ('backward', 'forward')),
            added_at TEXT NOT NULL,
            added_by TEXT,
            PRIMARY KEY (unit_id, from_unit_id)
        );
        """
    )


def slr_002_decision_order_index(db) -> None:
    """The order in which a reviewer made their screening decisions (for the stopping hint) is read
    from the history on every queue; this partial index serves that query without scanning every
    coding ever made (0.1 s at 300,000 history rows)."""
    db.execute("CREATE INDEX idx_history_decisions ON history (codebook, field, coder, round, unit_id, id)"
               " WHERE action = 'annotation.set'")
