"""Codebooks inside a study: add a file as a (new) version, get the parsed codebook back, and read
one as Markdown (the tree with definitions, rules and examples: the Codebooks page and the
replication package show the same text)."""

from __future__ import annotations

import functools
from pathlib import Path

from studyapp.domain.codebook import Code, Codebook
from studyapp.domain.codebook_yaml import load_codebook, parse_codebook
from studyapp.domain.roles import lead_only
from studyapp.store import Store
from studyapp.store.rounds import DEFAULT_ROUND


def add_codebook(store: Store, path: str | Path, *, actor: str | None = None) -> tuple[Codebook, int, bool]:
    """Validate the file and store it; returns (codebook, version id, whether it is a new version).

    The same text is the same version; any change to the file is a new version, and earlier
    annotations stay attached to the version they were made with. Only a lead adds codebooks
    (`actor`, see `domain.roles.lead_only`).
    """
    lead_only(store, actor, "add or change a codebook")
    cb = load_codebook(path)
    vid, is_new = store_codebook(store, cb, source=str(path), actor=actor)
    return cb, vid, is_new


def store_codebook(store: Store, cb: Codebook, *, source: str, actor: str | None = None) -> tuple[int, bool]:
    """The one path that stores a codebook version (a file added, the screening codebook generated,
    codes added while importing labels or coding, a REFI-QDA code tree): returns (version id,
    whether it is new). `cb.text` is what is stored, so `cb` must be parsed from a file or
    `Codebook.written()`. Callers check the role."""
    if not cb.text or not cb.hash:
        raise ValueError("store_codebook needs a parsed or written codebook (text and hash)")
    with store.transaction():
        out = store.codebooks.add_version(codebook=cb.id, version=cb.version, hash=cb.hash, kind=cb.kind,
                                          title=cb.title, yaml=cb.text, source_path=source, actor=actor)
        if not store.rounds.of_codebook(cb.id) and store.rounds.get(DEFAULT_ROUND):
            store.rounds.attach(DEFAULT_ROUND, cb.id, actor=actor)  # a new codebook is coded in `main`
    return out


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


def code_markdown(code: Code, depth: int = 0) -> str:
    """A code and its children as a nested Markdown list: label, id, definition, when to use it,
    when not, and examples."""
    pad = "  " * depth
    lines = [f"{pad}- **{code.label}** `{code.id}`" + (f": {code.definition}" if code.definition else "")]
    if code.include:
        lines.append(f"{pad}  - *use when:* {code.include}")
    if code.exclude:
        lines.append(f"{pad}  - *not when:* {code.exclude}")
    for ex in code.examples:
        lines.append(f"{pad}  - *e.g.* {ex}")
    for child in code.children:
        lines.append(code_markdown(child, depth + 1))
    return "\n".join(lines)


def codebook_markdown(cb: Codebook, *, version_id: int | None = None) -> str:
    """The whole codebook as a readable Markdown document: description, screening criteria, and per
    field its type, definition and code tree."""
    lines = [f"# {cb.title}", "", f"Codebook `{cb.id}`, version {cb.version}" + (f" (stored version {version_id})"
                                                                              if version_id else "")
             + f", kind {cb.kind}, SHA-256 `{cb.hash}`.", ""]
    if cb.source:
        lines += [f"Source: {cb.source}", ""]
    if cb.description:
        lines += [cb.description.strip(), ""]
    if cb.criteria:
        lines += ["## Screening criteria", ""]
        lines += [f"- **{c.id}** ({c.kind}, {c.stage.replace('_', ' ')}): {c.label}"
                  + (f". {c.definition}" if c.definition else "") for c in cb.criteria]
        lines.append("")
    lines += ["## Fields", ""]
    for f in cb.fields:
        extra = f", under `{f.parent_field}`" if f.parent_field else ""
        lines += [f"### {f.label} (`{f.id}`)", "", f"Type: {f.type}{extra}" + (", required" if f.required else "")
                  + (f"; {len(f.all_codes())} codes" if f.codes else ""), ""]
        if f.definition:
            lines += [f.definition.strip(), ""]
        if f.codes:
            lines += ["\n".join(code_markdown(c) for c in f.codes), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
