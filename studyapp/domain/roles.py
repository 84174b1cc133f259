"""Roles and what each may do: the one place that decides what a lead may and a coder may not.

A study has two roles (as Taguette's privileges): a **coder** codes units blind and sees only their
own values until a lead opens reconciliation; a **lead** also imports and exports, adds codebooks,
opens reconciliation, adjudicates, validates claims and manages coders. Every service, page and
command asks here (`Role.of(store, name).can_import`, `require_lead(...)`); none compares a role
string itself.

Two kinds of actor exist: a *coder of the study* (the app always passes the signed-in coder), and
an actor that names no coder (`None`, the command line's "cli", the demo builder), who is whoever
holds the study folder. `lead_only` lets the folder's holder through (they could edit the file
anyway); `require_lead` insists on a lead of the study (reconciliation, adjudication: the history
must say which lead decided).

The store is passed in duck-typed (anything with `coders.get(name) -> dict | None`), so this module
imports nothing above the domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from studyapp.errors import PermissionDenied

LEAD = "lead"
CODER = "coder"
ROLES = (CODER, LEAD)


class _Coders(Protocol):
    def get(self, name: str) -> dict | None: ...


class _HasCoders(Protocol):
    coders: _Coders


@dataclass(frozen=True)
class Role:
    """A name's standing in a study: `role` is 'lead', 'coder', or None for a name that is no coder
    of the study (or no name at all)."""

    name: str | None
    role: str | None

    @classmethod
    def of(cls, store: _HasCoders, name: str | None) -> "Role":
        coder = store.coders.get(name) if name else None
        return cls(name, (coder or {}).get("role"))

    @classmethod
    def of_coder(cls, coder: dict[str, Any] | None) -> "Role":
        """From a coder row (`{"name", "role", ...}`) already at hand."""
        return cls((coder or {}).get("name"), (coder or {}).get("role"))

    @property
    def is_coder_of_study(self) -> bool:
        return self.role is not None

    @property
    def is_lead(self) -> bool:
        return self.role == LEAD

    # What a lead of the study may do (and a coder may not).
    @property
    def can_adjudicate(self) -> bool:
        return self.is_lead

    @property
    def can_open_reconciliation(self) -> bool:
        return self.is_lead

    @property
    def can_import(self) -> bool:
        return self.is_lead

    @property
    def can_export(self) -> bool:
        return self.is_lead

    @property
    def can_edit_codebooks(self) -> bool:
        return self.is_lead

    @property
    def can_validate_claims(self) -> bool:
        return self.is_lead

    @property
    def can_manage_coders(self) -> bool:
        return self.is_lead

    @property
    def can_see_all_values(self) -> bool:
        """Whether statistics and lists over every coder's values are shown before reconciliation
        (a lead's overview); a coder sees their own values only."""
        return self.is_lead

    # The folder's holder (no coder of the study: the command line, the demo builder) may do what
    # `lead_only` guards; the app never acts without a signed-in coder.
    @property
    def holds_folder(self) -> bool:
        return self.role is None


def is_lead(store: _HasCoders, name: str | None) -> bool:
    return Role.of(store, name).is_lead


def require_lead(store: _HasCoders, actor: str | None, what: str) -> Role:
    """Refuse anyone but a lead of the study (the history must name the lead who did it)."""
    r = Role.of(store, actor)
    if not r.is_lead:
        raise PermissionDenied(f"only a lead can {what}")
    return r


def lead_only(store: _HasCoders, actor: str | None, what: str) -> Role:
    """Refuse a coder of the study who is not a lead (codebooks, imports, exports). An `actor` that
    is None or names no coder (the command line's "cli", the demo builder) is whoever holds the
    study folder, and may; the app always passes the signed-in coder."""
    r = Role.of(store, actor)
    if r.is_coder_of_study and not r.is_lead:
        raise PermissionDenied(f"only a lead can {what} ({actor!r} is a {r.role})")
    return r


def sees_all(store: _HasCoders, viewer: str | None) -> bool:
    """A lead, or no viewer at all (a lead's own tool run from the folder): sees every coder's
    values in reports. A coder sees only their own until reconciliation is opened."""
    return viewer is None or is_lead(store, viewer)
