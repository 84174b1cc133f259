"""Rounds per codebook: which rounds a codebook is coded in, its active round, and the check that
keeps a coder's work in a round of the codebook they code.

A round serves one or more codebooks (a pilot may serve several); a coding view lists only the
codebook's rounds and opens on its active round, which a lead sets. Saving a value of codebook C into
a round that serves other codebooks but not C is refused here, for every caller (pages, CLI, label
imports): nothing can file a coder's work where they did not mean it. A free round (serving no
codebook yet, e.g. made by `round add` without `--codebook`) is taken by the first codebook coded in it.
"""

from __future__ import annotations

from typing import Sequence

from studyapp.domain.roles import lead_only
from studyapp.errors import InvalidInput, NotFound
from studyapp.store import Store


def rounds_of(store: Store, codebook: str) -> list[str]:
    """The codebook's rounds, in the study's round order."""
    return [r["id"] for r in store.rounds.of_codebook(codebook)]


def active_round(store: Store, codebook: str) -> str | None:
    return store.rounds.active(codebook)


def pick_round(store: Store, codebook: str | None, chosen: str | None) -> tuple[list[str], str | None]:
    """A coding view's Round box: the codebook's rounds and the one to show (`chosen` if it is one
    of them, else the codebook's active round)."""
    if codebook is None:
        return [], None
    options = rounds_of(store, codebook)
    if chosen in options:
        return options, chosen
    return options, active_round(store, codebook) or (options[-1] if options else None)


def refusal(codebook: str, round_id: str, owners: set[str], store: Store) -> InvalidInput:
    mine = rounds_of(store, codebook)
    where = (f"its rounds are {', '.join(mine)} (active: {store.rounds.active(codebook)})" if mine
             else "it has no round yet")
    return InvalidInput(f"round {round_id!r} belongs to codebook {', '.join(sorted(owners))}, not to {codebook!r}: "
                        f"{where}; a lead can attach the round with `studyapp round add DIR {round_id} "
                        f"--codebook {codebook}`")


def add_round(store: Store, round_id: str, label: str | None = None, *, codebook: str | None = None,
              active: bool = False, actor: str | None = None) -> dict:
    """Make a round (or attach an existing one to `codebook`); `active` makes it the codebook's active round."""
    lead_only(store, actor, "add rounds")
    if codebook:
        store.codebooks.require_latest(codebook)
    if active and not codebook:
        raise InvalidInput("--active needs --codebook: a round is active for a codebook")
    with store.transaction():
        r = store.rounds.ensure(round_id, label, actor=actor, codebook=codebook)
        if active:
            store.rounds.set_active(codebook, round_id, actor=actor)
    return r


def set_active_round(store: Store, codebook: str, round_id: str, *, actor: str | None = None) -> None:
    """A lead sets the round the codebook's coding views open on (attaching it if it was free)."""
    lead_only(store, actor, "set a codebook's active round")
    store.codebooks.require_latest(codebook)
    if not store.rounds.get(round_id):
        raise NotFound(f"no round {round_id!r}")
    owners = store.rounds.attachments().get(round_id, set())
    if owners and codebook not in owners:
        raise refusal(codebook, round_id, owners, store)
    store.rounds.set_active(codebook, round_id, actor=actor)


def rounds_overview(store: Store) -> list[dict]:
    """Every codebook with its rounds and active round (the Codebooks page and `round list`)."""
    out = []
    for row in store.codebooks.list_latest():
        cb = row["codebook"]
        out.append({"codebook": cb, "rounds": rounds_of(store, cb), "active": store.rounds.active(cb)})
    return out


def rounds_table(store: Store) -> list[dict]:
    """Every round: label, the codebooks it serves, whether reconciliation is open."""
    att = store.rounds.attachments()
    return [{"round": r["id"], "label": r["label"], "codebooks": ", ".join(sorted(att.get(r["id"], ()))) or "-",
             "reconciliation": "open" if r["reconciliation_open"] else "closed"} for r in store.rounds.list()]


def two_coder_rounds(store: Store, codebook: str, field: str, rounds: Sequence[str]) -> tuple[list[str], list[str]]:
    """Of `rounds`, those a field was coded in by two or more coders, and what was left out
    (e.g. "round pilot left out: 1 coder")."""
    kept, left = [], []
    for r in rounds:
        n = len(store.annotations.coders_of(codebook, field, [r]))
        if n >= 2:
            kept.append(r)
        else:
            left.append(f"round {r} left out: {n} coder{'s' if n != 1 else ''}")
    return kept, left
