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


def set_keywords(store: Store, codebook_id: str, *, add_include: list[str] = (), add_exclude: list[str] = (),
                 remove: list[str] = (), actor: str | None = None) -> tuple[Codebook, int | None]:
    """Change the highlighting keywords of a codebook (a lead): add terms to the include or exclude
    list (a term moves if it was on the other one), remove terms (either list, ignoring case).
    Stores a new version when anything changed (recorded in the history); returns (codebook,
    version id or None when nothing changed)."""
    lead_only(store, actor, "change a codebook's keywords")
    cb, _ = codebook_version(store, codebook_id)
    gone = {" ".join(t.split()).casefold() for t in [*remove, *add_include, *add_exclude]}
    keep = lambda terms: [t for t in terms if t.casefold() not in gone]  # noqa: E731
    include = keep(cb.keywords.include) + [t for t in add_include if t.strip()]
    exclude = keep(cb.keywords.exclude) + [t for t in add_exclude if t.strip()]
    new = cb.with_keywords(include=include, exclude=exclude,
                           header=f"{cb.id}: keywords changed in studyapp by {actor or 'the folder holder'}")
    if new.keywords == cb.keywords:
        return cb, None
    with store.transaction():
        vid, _ = store_codebook(store, new, source="keywords edited", actor=actor)
    return new, vid


def _slug(text: str) -> str:
    import re
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^0-9a-z]+", "-", folded).strip("-") or "code"


def add_code(store: Store, codebook_id: str, field_id: str, label: str, *, parent: str | None = None,
             code_id: str | None = None, definition: str = "", actor: str | None = None,
             where: str = "coding") -> tuple[Codebook, int, str]:
    """Create a code while coding (in-vivo coding, as ATLAS.ti, MAXQDA and Taguette): a lead adds
    `label` to field `field_id` (under `parent`, or at the top level) as a new codebook version,
    recorded in the history; a coder is refused (`domain.roles.lead_only`). The code's id is
    `code_id`, else the label's slug (under a parent: `parent.slug`), made unique. Earlier codings
    keep the version they were made with. Returns (the new codebook, its version id, the code id)."""
    from studyapp.domain.codebook import Code
    from studyapp.errors import InvalidInput

    lead_only(store, actor, "create a code")
    label = " ".join(str(label or "").split())
    if not label:
        raise InvalidInput("a new code needs a label")
    cb, _ = codebook_version(store, codebook_id)
    f = cb.require_field(field_id)
    if not f.is_coded:
        raise InvalidInput(f"field {f.id!r} is a {f.type} field: it takes no codes")
    taken = {c.id for c in f.all_codes()}
    if parent is not None and f.code(parent) is None:
        raise InvalidInput(f"field {f.id!r} has no code {parent!r} to put {label!r} under")
    if any(c.label.casefold() == label.casefold() for c in (f.children_of(parent) if parent else f.codes)):
        raise InvalidInput(f"field {f.id!r} already has a code labelled {label!r} there")
    base = code_id or (f"{parent}.{_slug(label)}" if parent else _slug(label))
    cid, n = base, 2
    while cid in taken and not code_id:
        cid, n = f"{base}-{n}", n + 1
    who = actor or "the folder holder"
    new = cb.with_codes(field_id, [(Code(cid, label, definition=" ".join(definition.split())), parent)],
                        header=f"{cb.id}: code {cid!r} added to {field_id!r} while {where}, by {who}")
    with store.transaction():
        vid, _ = store_codebook(store, new, source=f"code added while {where}", actor=actor)
        store.history.log("codebook.add_code", actor=actor, codebook=cb.id, field=field_id,
                          new={"code": cid, "label": label, "parent": parent, "version": new.version, "id": vid})
    return new, vid, cid
