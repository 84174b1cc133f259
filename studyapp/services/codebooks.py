"""Codebooks inside a study: add a file as a (new) version, get the parsed codebook back."""

from __future__ import annotations

import functools
from pathlib import Path

from studyapp.codebook import load_codebook, parse_codebook
from studyapp.domain.codebook import Codebook
from studyapp.store import Store


def add_codebook(store: Store, path: str | Path, *, actor: str | None = None) -> tuple[Codebook, int, bool]:
    """Validate the file and store it; returns (codebook, version id, whether it is a new version).

    The same text is the same version; any change to the file is a new version, and earlier
    annotations stay attached to the version they were made with.
    """
    cb = load_codebook(path)
    vid, is_new = store.codebooks.add_version(codebook=cb.id, version=cb.version, hash=cb.hash, kind=cb.kind,
                                              title=cb.title, yaml=cb.text, source_path=str(path), actor=actor)
    return cb, vid, is_new


@functools.lru_cache(maxsize=64)
def _parse(text: str, name: str) -> Codebook:
    return parse_codebook(text, name)


def codebook_version(store: Store, codebook_id: str, version_id: int | None = None) -> tuple[Codebook, int]:
    """The parsed codebook (the newest version unless `version_id` is given) and its version id."""
    row = store.codebooks.get_version(version_id) if version_id else store.codebooks.require_latest(codebook_id)
    return _parse(row["yaml"], f"{row['codebook']} (stored version {row['id']})"), int(row["id"])


def get_codebook(store: Store, codebook_id: str) -> Codebook:
    return codebook_version(store, codebook_id)[0]


def list_codebooks(store: Store) -> list[Codebook]:
    return [get_codebook(store, row["codebook"]) for row in store.codebooks.list_latest()]
