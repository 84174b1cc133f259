"""Sign-in that lasts and resists guessing: sessions (hashed, with expiry), failed
sign-ins (for throttling), and an expiry for invite links."""

from __future__ import annotations

from sqlite_utils import Database


def auth_001_sessions_failures_invite_expiry(db: Database) -> None:
    """Invite links made before this have no expiry and are no longer valid (a lead makes new ones)."""
    db.executescript("""
        ALTER TABLE coders ADD COLUMN token_expires_at TEXT;
        CREATE TABLE sign_in_sessions (
            token_hash TEXT PRIMARY KEY,
            coder TEXT NOT NULL REFERENCES coders(name),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX sign_in_sessions_coder ON sign_in_sessions (coder);
        CREATE TABLE sign_in_failures (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            at REAL NOT NULL
        );
        CREATE INDEX sign_in_failures_name_at ON sign_in_failures (name, at);
        CREATE INDEX sign_in_failures_at ON sign_in_failures (at);
    """)
