"""The study schema, as one explicit ordered list of migrations (sqlite_utils.Migrations).

Each migration runs in one transaction with its record, so a study file is always at a known
schema version. Never edit a released migration: add a new one, and a test upgrades a study made
by the first migration to the newest.

One annotation model serves every kind of unit (paper, transcript, segment, defect): `history` is
the append-only log of every change; `annotations` (coders' current values) and `finals`
(adjudicated values, kept apart) are derived from it and can be rebuilt from it.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from studyapp.store.migrations import auth, core, defects, interop, interviews, slr

# The one ordered list: core first, then each feature's, in the order studies have applied them.
ORDER = [
    core.m001_core, core.m002_indexes, core.m003_memos_claims, core.m004_agreement_counts_index,
    core.m005_coder_invite_tokens, core.m006_history_field_index, core.m007_agreement_counts,
    slr.slr_001_duplicates_snowballing, slr.slr_002_decision_order_index,
    interviews.interviews_001_participants_spans,
    defects.defects_001_issue_index, defects.defects_002_issue_is_repo_and_number,
    core.m008_agreement_pairs,
    interop.interop_001_sets_guids,
    core.m009_round_codebooks,
    auth.auth_001_sessions_failures_invite_expiry,
    interviews.interviews_002_final_spans,
]

migrations = Migrations("studyapp")
for _fn in ORDER:
    migrations()(_fn)


def apply(db: Database, stop_before: str | None = None) -> None:
    """Bring `db` to the newest schema (or to just before `stop_before`, for upgrade tests)."""
    if stop_before:
        migrations.apply(db, stop_before=stop_before)
    else:
        migrations.apply(db)


def applied_names(db: Database) -> list[str]:
    return [m.name for m in migrations.applied(db)]

