"""The core schema: coders, codebook versions, rounds, units, annotations, finals, the history,
memos and claims, and the agreement counts kept by triggers. Listed in order in `__init__.ORDER`.

Never edit a released migration: add a new function and append it to `ORDER`.
"""

from __future__ import annotations

from sqlite_utils import Database


def m001_core(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE study_meta (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE coders (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('coder', 'lead')),
            created_at TEXT NOT NULL,
            password_hash TEXT,
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE codebook_versions (
            id INTEGER PRIMARY KEY,
            codebook TEXT NOT NULL,
            version TEXT NOT NULL,
            hash TEXT NOT NULL,
            kind TEXT NOT NULL,
            title TEXT NOT NULL,
            yaml TEXT NOT NULL,
            source_path TEXT,
            loaded_at TEXT NOT NULL,
            loaded_by TEXT,
            UNIQUE (codebook, hash)
        );
        CREATE TABLE rounds (
            id TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            seq INTEGER NOT NULL,
            reconciliation_open INTEGER NOT NULL DEFAULT 0,
            opened_at TEXT,
            opened_by TEXT
        );
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            file TEXT,
            source TEXT,
            search_string TEXT,
            at TEXT NOT NULL,
            by TEXT,
            n_read INTEGER NOT NULL DEFAULT 0,
            n_imported INTEGER NOT NULL DEFAULT 0,
            n_duplicates INTEGER NOT NULL DEFAULT 0,
            n_rejected INTEGER NOT NULL DEFAULT 0,
            report TEXT
        );
        CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            title TEXT,
            text TEXT,
            parent_id INTEGER REFERENCES units(id),
            seq INTEGER,
            attrs TEXT,
            import_id INTEGER REFERENCES imports(id),
            created_at TEXT NOT NULL,
            UNIQUE (kind, key)
        );
        CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT,
            action TEXT NOT NULL,
            unit_id INTEGER,
            codebook TEXT,
            field TEXT,
            coder TEXT,
            round TEXT,
            old TEXT,
            new TEXT,
            note TEXT,
            detail TEXT
        );
        CREATE TABLE annotations (
            unit_id INTEGER NOT NULL REFERENCES units(id),
            codebook TEXT NOT NULL,
            field TEXT NOT NULL,
            coder TEXT NOT NULL REFERENCES coders(name),
            round TEXT NOT NULL,
            value TEXT NOT NULL,
            value_num REAL,
            codebook_version INTEGER REFERENCES codebook_versions(id),
            note TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (unit_id, codebook, field, coder, round)
        );
        CREATE TABLE finals (
            unit_id INTEGER NOT NULL REFERENCES units(id),
            codebook TEXT NOT NULL,
            field TEXT NOT NULL,
            round TEXT,
            value TEXT NOT NULL,
            value_num REAL,
            rationale TEXT,
            by TEXT,
            at TEXT NOT NULL,
            codebook_version INTEGER REFERENCES codebook_versions(id),
            PRIMARY KEY (unit_id, codebook, field)
        );
        """
    )


def m002_indexes(db: Database) -> None:
    db.executescript(
        """
        CREATE INDEX idx_units_kind_seq ON units (kind, parent_id, seq, id);
        CREATE INDEX idx_annotations_field ON annotations (codebook, field, round, coder);
        CREATE INDEX idx_history_unit ON history (unit_id, id);
        CREATE INDEX idx_history_action ON history (action, id);
        """
    )


def m003_memos_claims(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE memos (
            id INTEGER PRIMARY KEY,
            target_kind TEXT NOT NULL CHECK (target_kind IN ('unit', 'code', 'study')),
            unit_id INTEGER REFERENCES units(id),
            codebook TEXT,
            code TEXT,
            coder TEXT,
            text TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX idx_memos_unit ON memos (unit_id);
        CREATE INDEX idx_memos_code ON memos (codebook, code);
        CREATE TABLE claims (
            id TEXT PRIMARY KEY,
            text TEXT NOT NULL,
            type TEXT NOT NULL DEFAULT 'qualitative',
            data TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """
    )


def m004_agreement_counts_index(db: Database) -> None:
    """A covering index for agreement's counts per (unit, round, value): SQLite then streams them in
    order instead of reading every annotation row and sorting (about 2x faster at 500,000 rows)."""
    db.execute("CREATE INDEX idx_annotations_counts ON annotations (codebook, field, unit_id, round, value)")


def m005_coder_invite_tokens(db: Database) -> None:
    """Sign-in by invite link: the SHA-256 of each coder's current invite token (the password hash
    column has been there since m001)."""
    db.execute("ALTER TABLE coders ADD COLUMN token_hash TEXT")


def m006_history_field_index(db: Database) -> None:
    """The last change to one codebook field (`history.field_counter`): caches of per-field agreement
    key on it, so a save recomputes one field's row instead of the whole overview."""
    db.execute("CREATE INDEX idx_history_field ON history (codebook, field, id)")


_COUNT_KEY = "codebook = {r}.codebook AND field = {r}.field AND unit_id = {r}.unit_id AND round = {r}.round" \
    " AND value = {r}.value"
_COUNT_ADD = ("INSERT INTO agreement_counts (codebook, field, unit_id, round, value, n)"
              " VALUES (NEW.codebook, NEW.field, NEW.unit_id, NEW.round, NEW.value, 1)"
              " ON CONFLICT (codebook, field, unit_id, round, value) DO UPDATE SET n = n + 1;")
_COUNT_DROP = (f"UPDATE agreement_counts SET n = n - 1 WHERE {_COUNT_KEY.format(r='OLD')};"
               f" DELETE FROM agreement_counts WHERE {_COUNT_KEY.format(r='OLD')} AND n <= 0;")


def m007_agreement_counts(db: Database) -> None:
    """How many coders gave each value on each unit, per codebook field and round, kept by triggers
    on `annotations` (so every writer keeps it right, and a restore with triggers set aside copies
    it as it was). Krippendorff's alpha needs only these counts: reading them is a stream in key
    order, with no GROUP BY over every coder's row (`annotations.value_counts`)."""
    db.executescript(f"""
        CREATE TABLE agreement_counts (
            codebook TEXT NOT NULL, field TEXT NOT NULL, unit_id INTEGER NOT NULL, round TEXT NOT NULL,
            value TEXT NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY (codebook, field, unit_id, round, value)
        ) WITHOUT ROWID;
        INSERT INTO agreement_counts (codebook, field, unit_id, round, value, n)
            SELECT codebook, field, unit_id, round, value, count(*) FROM annotations
            GROUP BY codebook, field, unit_id, round, value;
        CREATE TRIGGER annotations_counts_insert AFTER INSERT ON annotations BEGIN {_COUNT_ADD} END;
        CREATE TRIGGER annotations_counts_delete AFTER DELETE ON annotations BEGIN {_COUNT_DROP} END;
        CREATE TRIGGER annotations_counts_update AFTER UPDATE OF codebook, field, unit_id, round, value
            ON annotations BEGIN {_COUNT_DROP} {_COUNT_ADD} END;
        """)



def _pairs_of(r: str, sign: str) -> str:
    """SQL adding (sign '+') or removing ('-') the coincidence pairs of the unit of record `r`
    (NEW or OLD) as `agreement_counts` holds it now; then, on removal, the pairs left at zero."""
    key = f"codebook = {r}.codebook AND field = {r}.field AND unit_id = {r}.unit_id AND round = {r}.round"
    m = f"(SELECT sum(n) FROM agreement_counts WHERE {key})"
    sql = (f"INSERT INTO agreement_pairs (codebook, field, round, m, value_a, value_b, n)"
           f" SELECT a.codebook, a.field, a.round, t.m, a.value, b.value, {sign}(a.n * b.n - (a.value = b.value) * a.n)"
           f" FROM (SELECT {m} AS m) t, agreement_counts a JOIN agreement_counts b"
           f"  ON b.codebook = a.codebook AND b.field = a.field AND b.unit_id = a.unit_id AND b.round = a.round"
           f" WHERE a.{key.replace(' AND ', ' AND a.')} AND t.m >= 2 AND a.value <= b.value"
           f"  AND a.n * b.n - (a.value = b.value) * a.n != 0"
           f" ON CONFLICT (codebook, field, round, m, value_a, value_b) DO UPDATE SET n = n + excluded.n;")
    if sign == "-":
        values = f"(SELECT value FROM agreement_counts WHERE {key})"
        sql += (f" DELETE FROM agreement_pairs WHERE codebook = {r}.codebook AND field = {r}.field"
                f" AND round = {r}.round AND m = {m} AND value_a IN {values} AND value_b IN {values} AND n = 0;")
    return sql


def m008_agreement_pairs(db: Database) -> None:
    """The coincidence pairs of every codebook field and round, kept by triggers in the same
    statement as the annotation: for units with m values, `n` ordered pairs of values
    (value_a, value_b) from different coders (n_a n_b, or n_a (n_a - 1) when a = b), stored once
    per unordered pair (value_a <= value_b; the matrix is symmetric). Krippendorff's coincidence
    matrix is the sum over m of these counts / (m - 1), and the number of pairable units with m
    values is their total (both orders) / (m (m - 1)): alpha reads V x V integers, not the units.
    Integers per m (not fractions) so the kept numbers never drift from a recount.

    A unit's pairs change whenever one of its counts does, so each trigger takes the unit's pairs
    out, changes the count (as m007 did) and puts them back; m007's triggers are replaced by these
    (an update that moves a value to another unit, field or round does so for both units)."""
    db.executescript(f"""
        CREATE TABLE agreement_pairs (
            codebook TEXT NOT NULL, field TEXT NOT NULL, round TEXT NOT NULL, m INTEGER NOT NULL,
            value_a TEXT NOT NULL, value_b TEXT NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY (codebook, field, round, m, value_a, value_b)
        ) WITHOUT ROWID;
        INSERT INTO agreement_pairs (codebook, field, round, m, value_a, value_b, n)
            WITH c AS (SELECT codebook, field, unit_id, round, value, count(*) AS n FROM annotations
                       GROUP BY codebook, field, unit_id, round, value),
                 u AS (SELECT codebook, field, unit_id, round, sum(n) AS m FROM c
                       GROUP BY codebook, field, unit_id, round HAVING sum(n) >= 2)
            SELECT a.codebook, a.field, a.round, u.m, a.value, b.value, sum(a.n * b.n - (a.value = b.value) * a.n)
            FROM u JOIN c a ON a.codebook = u.codebook AND a.field = u.field AND a.unit_id = u.unit_id
                              AND a.round = u.round
                   JOIN c b ON b.codebook = u.codebook AND b.field = u.field AND b.unit_id = u.unit_id
                              AND b.round = u.round
            WHERE a.value <= b.value
            GROUP BY a.codebook, a.field, a.round, u.m, a.value, b.value
            HAVING sum(a.n * b.n - (a.value = b.value) * a.n) != 0;
        DROP TRIGGER annotations_counts_insert;
        DROP TRIGGER annotations_counts_delete;
        DROP TRIGGER annotations_counts_update;
        CREATE TRIGGER annotations_counts_insert AFTER INSERT ON annotations BEGIN
            {_pairs_of('NEW', '-')} {_COUNT_ADD} {_pairs_of('NEW', '+')} END;
        CREATE TRIGGER annotations_counts_delete AFTER DELETE ON annotations BEGIN
            {_pairs_of('OLD', '-')} {_COUNT_DROP} {_pairs_of('OLD', '+')} END;
        CREATE TRIGGER annotations_counts_update AFTER UPDATE OF codebook, field, unit_id, round, value
            ON annotations WHEN {_SAME_UNIT} BEGIN
            {_pairs_of('OLD', '-')} {_COUNT_DROP} {_COUNT_ADD} {_pairs_of('NEW', '+')} END;
        CREATE TRIGGER annotations_counts_move AFTER UPDATE OF codebook, field, unit_id, round, value
            ON annotations WHEN NOT ({_SAME_UNIT}) BEGIN
            {_pairs_of('OLD', '-')} {_COUNT_DROP} {_pairs_of('OLD', '+')}
            {_pairs_of('NEW', '-')} {_COUNT_ADD} {_pairs_of('NEW', '+')} END;
        """)


_SAME_UNIT = ("OLD.codebook = NEW.codebook AND OLD.field = NEW.field AND OLD.unit_id = NEW.unit_id"
              " AND OLD.round = NEW.round")


def m009_round_codebooks(db: Database) -> None:
    """Rounds belong to codebooks, each codebook has one active round, and memos carry a round.

    A round was shared by every workflow: a coding view opened on the newest round of the whole
    study (a paper-screening round on the defect form) and one save sent agreement to a one-coder
    round. `round_codebooks` says which codebooks a round serves (a pilot may serve several);
    existing rounds are attached to the codebooks whose annotations or spans use them, a round used
    by none stays unattached, and a codebook with no codings yet gets the `main` round.
    `active_rounds` holds the round each codebook's coding views open on: `main` where the codebook
    uses it, else its newest round. Memos get the round they were written in (visibility follows
    the memo's own round and coder): a code memo takes its codebook's active round; a unit memo the
    active round of a codebook used on that unit, else `main`."""
    db.executescript(
        """
        CREATE TABLE round_codebooks (
            round TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
            codebook TEXT NOT NULL,
            attached_at TEXT,
            attached_by TEXT,
            PRIMARY KEY (round, codebook)
        );
        CREATE INDEX idx_round_codebooks_codebook ON round_codebooks (codebook);
        CREATE TABLE active_rounds (
            codebook TEXT PRIMARY KEY,
            round TEXT NOT NULL REFERENCES rounds(id),
            set_at TEXT,
            set_by TEXT
        );
        ALTER TABLE memos ADD COLUMN round TEXT REFERENCES rounds(id);
        INSERT OR IGNORE INTO round_codebooks (round, codebook)
            SELECT DISTINCT round, codebook FROM annotations WHERE round IN (SELECT id FROM rounds);
        INSERT OR IGNORE INTO round_codebooks (round, codebook)
            SELECT DISTINCT round, codebook FROM spans
            WHERE codebook IS NOT NULL AND round IN (SELECT id FROM rounds);
        INSERT OR IGNORE INTO round_codebooks (round, codebook)
            SELECT 'main', c.codebook FROM (SELECT DISTINCT codebook FROM codebook_versions) c
            WHERE 'main' IN (SELECT id FROM rounds)
              AND c.codebook NOT IN (SELECT codebook FROM round_codebooks);
        INSERT INTO active_rounds (codebook, round)
            SELECT rc.codebook,
                   coalesce((SELECT 'main' FROM round_codebooks m WHERE m.codebook = rc.codebook AND m.round = 'main'),
                            (SELECT r.id FROM round_codebooks x JOIN rounds r ON r.id = x.round
                             WHERE x.codebook = rc.codebook ORDER BY r.seq DESC LIMIT 1))
            FROM (SELECT DISTINCT codebook FROM round_codebooks) rc;
        UPDATE memos SET round = (SELECT a.round FROM active_rounds a WHERE a.codebook = memos.codebook)
            WHERE codebook IS NOT NULL;
        UPDATE memos SET round = coalesce(
                (SELECT ar.round FROM annotations an JOIN active_rounds ar ON ar.codebook = an.codebook
                 WHERE an.unit_id = memos.unit_id AND (memos.coder IS NULL OR an.coder = memos.coder)
                 ORDER BY an.codebook LIMIT 1),
                (SELECT id FROM rounds WHERE id = 'main'))
            WHERE round IS NULL AND unit_id IS NOT NULL;
        """
    )
