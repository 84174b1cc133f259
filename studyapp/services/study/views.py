"""Read-models of the Home page and the sidebar: what they draw, in one call each.

A page asks one function here and draws the frozen result; it never reads the store itself. The
costly part of Home, the study's status, is passed in as `status` so that the page can hand over
its cached copy (`ui.state.status`, keyed on the study's change counter) while the CLI and the
tests call the plain service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from studyapp.services.study.history import recent_sentences
from studyapp.services.study.study import status as study_status
from studyapp.store import Store

RECENT = 15


@dataclass(frozen=True)
class HomeView:
    """The study at a glance: counts per unit kind, codebooks, progress per coder and field, and the
    newest changes (who did what to which field; never a value, so Home stays blind)."""

    title: str
    description: str | None
    path: str
    units: dict[str, int]
    claims: int
    annotations: int
    finals: int
    memos: int
    history: int
    codebooks: list[dict]
    progress: list[dict]
    recent: list[dict]
    sign_ins: int = 0


def home_view(store: Store, *, status: Callable[[Store], dict] = study_status,
              viewer: str | None = None) -> HomeView:
    s = status(store)
    recent, sign_ins = recent_sentences(store, viewer, RECENT)
    return HomeView(title=s["title"], description=store.meta("description"), path=s["path"], units=s["units"],
                    claims=s["claims"], annotations=s["annotations"], finals=s["finals"], memos=s["memos"],
                    history=s["history"], codebooks=s["codebooks"], progress=s["progress"], recent=recent,
                    sign_ins=sign_ins)


@dataclass(frozen=True)
class SidebarView:
    """What the sidebar names: the study's title and its coders (name, role, active)."""

    title: str
    coders: list[dict]

    @property
    def names(self) -> list[str]:
        return [c["name"] for c in self.coders]

    def role_of(self, name: str | None) -> str | None:
        return next((c["role"] for c in self.coders if c["name"] == name), None)

    @property
    def active(self) -> set[str]:
        return {c["name"] for c in self.coders if c["active"]}


def sidebar_view(store: Store) -> SidebarView:
    return SidebarView(store.title, store.coders.list())
