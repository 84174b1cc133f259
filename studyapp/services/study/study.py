"""Study lifecycle and overview: create a study, add coders, and report progress per coder and field."""

from __future__ import annotations

from pathlib import Path

from studyapp.paths import UNIT_KINDS_OF_CODEBOOK
from studyapp.services.coding.codebooks import add_codebook, list_codebooks
from studyapp.store import Store
from studyapp.store.rounds import DEFAULT_ROUND


#: Written into every new study folder: a study holds participants' words and coders' work, so git
#: ignores it wherever the folder is put (inside a repository included) unless someone means to
#: version it and deletes this file.
STUDY_GITIGNORE = ("# studyapp: this study holds participant data and coders' work; git ignores it so that\n"
                   "# nobody commits it by accident. Delete this file to version the study on purpose.\n*\n")


def init_study(folder: str | Path, *, title: str | None = None, codebooks: list[str | Path] = (),
               actor: str | None = None) -> Store:
    """Create a new study folder with its database, a default round and the given codebooks, and a
    `.gitignore` that keeps the folder out of any git repository it sits in."""
    store = Store.create(folder, title, actor=actor)
    ignore = Path(folder) / ".gitignore"
    if not ignore.exists():
        ignore.write_text(STUDY_GITIGNORE, encoding="utf-8")
    store.rounds.ensure(DEFAULT_ROUND, "Main", actor=actor)
    for path in codebooks:
        add_codebook(store, path, actor=actor)
    return store


def add_coder(folder: str | Path, name: str, role: str = "coder", *, actor: str | None = None) -> dict:
    with Store.open(folder) as store:
        return store.coders.add(name, role, actor=actor)


def status(store: Store) -> dict:
    """Counts and progress: units per kind, codebooks, and for each codebook field and coder how many
    of the field's units the coder has annotated (in any round; a unit coded in two rounds counts once)."""
    units = store.units.count_by_kind()
    codebooks = list_codebooks(store)
    done = store.annotations.units_coded()
    progress = []
    coders = store.coders.list()
    for cb in codebooks:
        total = sum(units.get(k, 0) for k in UNIT_KINDS_OF_CODEBOOK[cb.kind])
        for f in cb.fields:
            for c in coders:
                n = done.get((cb.id, f.id, c["name"]), 0)
                progress.append({"codebook": cb.id, "codebook_title": cb.title, "field": f.id,
                                 "field_label": f.label, "coder": c["name"], "units": total,
                                 "coded": n, "share": (n / total) if total else None})
    return {
        "title": store.title,
        "path": str(store.folder),
        "units": units,
        "coders": coders,
        "codebooks": [{"id": cb.id, "title": cb.title, "version": cb.version, "kind": cb.kind,
                       "fields": len(cb.fields)} for cb in codebooks],
        "rounds": store.rounds.list(),
        "annotations": store.annotations.count(),
        "finals": store.finals.count(),
        "memos": store.memos.count(),
        "claims": len(store.claims.list()),
        "history": store.history.count(),
        "progress": progress,
    }
