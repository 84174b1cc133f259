"""Codebook versions stored in a study: each distinct file text (by hash) is one version.

Annotations keep the id of the version they were made with, so changing a codebook never
re-interprets old codings. The newest version of a codebook id is its current one.
"""

from __future__ import annotations

from studyapp.errors import NotFound
from studyapp.store.columns import now


class Codebooks:
    def __init__(self, store):
        self.store = store

    def add_version(self, *, codebook: str, version: str, hash: str, kind: str, title: str,
                    yaml: str, source_path: str | None = None, actor: str | None = None) -> tuple[int, bool]:
        """Store a version unless the same text is stored already; returns (version id, is_new)."""
        existing = self.store.scalar("SELECT id FROM codebook_versions WHERE codebook = ? AND hash = ?",
                                     (codebook, hash))
        if existing is not None:
            return int(existing), False
        with self.store.transaction():
            cur = self.store.conn.execute(
                "INSERT INTO codebook_versions (codebook, version, hash, kind, title, yaml, source_path,"
                " loaded_at, loaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (codebook, version, hash, kind, title, yaml, source_path, now(), actor))
            vid = int(cur.lastrowid)
            self.store.history.log("codebook.version", actor=actor, codebook=codebook,
                                   new={"version": version, "hash": hash, "id": vid, "source": source_path})
        return vid, True

    def latest(self, codebook: str) -> dict | None:
        rows = self.store.query("SELECT * FROM codebook_versions WHERE codebook = ? ORDER BY id DESC LIMIT 1",
                                (codebook,))
        return rows[0] if rows else None

    def require_latest(self, codebook: str) -> dict:
        row = self.latest(codebook)
        if row is None:
            raise NotFound(f"no codebook {codebook!r} in this study")
        return row

    def get_version(self, version_id: int) -> dict:
        rows = self.store.query("SELECT * FROM codebook_versions WHERE id = ?", (version_id,))
        if not rows:
            raise NotFound(f"no codebook version {version_id}")
        return rows[0]

    def versions(self, codebook: str) -> list[dict]:
        return self.store.query("SELECT id, codebook, version, hash, kind, title, source_path, loaded_at,"
                                " loaded_by FROM codebook_versions WHERE codebook = ? ORDER BY id", (codebook,))

    def list_latest(self) -> list[dict]:
        return self.store.query(
            "SELECT * FROM codebook_versions WHERE id IN (SELECT max(id) FROM codebook_versions"
            " GROUP BY codebook) ORDER BY codebook")

    def versions_in_use(self) -> list[int]:
        """Ids of the versions that current coder values or adjudicated values were made with."""
        return [int(r[0]) for r in self.store.conn.execute(
            "SELECT codebook_version FROM annotations WHERE codebook_version IS NOT NULL UNION"
            " SELECT codebook_version FROM finals WHERE codebook_version IS NOT NULL ORDER BY 1")]
