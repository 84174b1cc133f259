"""The PeaTMOSS database schema, both published versions, as data: tables, columns, keys.

Origin: the column list of `PeaTMOSS.sql` (PurdueDualityLab/PeaTMOSS-Artifact, Apache-2.0; license in
LICENSE-PeaTMOSS-Artifact.txt next to this file) and the 20 tables the ESEM 2024 claim-validation study
added in PeaTMOSS_DIST.db (model_to_base_model, parameter_count, reuse_repository_to_license, ...).
Column marks: `!` NOT NULL, `pkN` N-th primary-key column, `->table.col` foreign key, `@msr` only in
the 56-table MSR 2024 release, `@dist` only in the 76-table DIST version; after `|` the UNIQUE
constraints. `ddl(version)` turns it into CREATE TABLE statements (used by the sample generator);
`tables(version)` is what schema recognition compares a file against.
"""

from __future__ import annotations

MSR24 = "msr24"
DIST = "dist"

SCHEMA: dict[str, str | tuple] = {
    "ptm_issues": "id INTEGER ! pk1; repo_url VARCHAR | repo_url",
    "ptm_pull_requests": "id INTEGER ! pk1; repo_url VARCHAR | repo_url",
    "hf_git_ref_info": "id INTEGER ! pk1; name VARCHAR; ref VARCHAR; target_commit VARCHAR",
    "model_hub": "id INTEGER ! pk1; name VARCHAR; url VARCHAR | url; name",
    "architecture": "id INTEGER ! pk1; name VARCHAR | name",
    "author": "id INTEGER ! pk1; name VARCHAR | name",
    "dataset": "id INTEGER ! pk1; name VARCHAR; url TEXT @dist | name",
    "framework": "id INTEGER ! pk1; name VARCHAR | name",
    "language": "id INTEGER ! pk1; name VARCHAR; abbreviation VARCHAR | abbreviation; name",
    "library": "id INTEGER ! pk1; name VARCHAR | name",
    "license": "id INTEGER ! pk1; name VARCHAR | name",
    "paper": "id INTEGER ! pk1; title VARCHAR @dist; url TEXT @dist; name VARCHAR @msr | title; name",
    "tag": "id INTEGER ! pk1; name VARCHAR | name",
    "reuse_repository": "id INTEGER ! pk1; owner VARCHAR; name VARCHAR; url VARCHAR | owner,name",
    "github_pull_request": (
        "id INTEGER ! pk1; additions INTEGER; author_id INTEGER ->github_user.id; "
        "base_ref_name VARCHAR; body VARCHAR; changed_files INTEGER; closed "
        "INTEGER; closed_at VARCHAR; created_at VARCHAR; deletions INTEGER; "
        "head_ref_name VARCHAR; head_repository_id INTEGER ->github_repository.id;"
        " head_repository_owner_id INTEGER ->github_user.id; is_cross_repository "
        "INTEGER; is_draft INTEGER; maintainer_can_modify INTEGER; merge_commit_id"
        " INTEGER ->github_merge_commit.id; merge_state_status VARCHAR; mergeable "
        "VARCHAR; merged_at VARCHAR; merged_by_id INTEGER ->github_user.id; "
        "milestone_id INTEGER ->github_milestone.id; number INTEGER; "
        "potential_merge_commit_id INTEGER ->github_merge_commit.id; project_cards"
        " VARCHAR; review_decision VARCHAR; state VARCHAR; title VARCHAR; "
        "updated_at VARCHAR; url VARCHAR | url"
    ),
    "github_commit": (
        "id INTEGER ! pk1; authored_date VARCHAR; committed_date VARCHAR; message_body "
        "VARCHAR; message_headline VARCHAR; oid VARCHAR; pull_request_id INTEGER "
        "->github_pull_request.id"
    ),
    "github_merge_commit": "id INTEGER ! pk1; commit_id INTEGER ->github_commit.id",
    "github_milestone": (
        "id INTEGER ! pk1; number INTEGER; title VARCHAR; description VARCHAR; due_on"
        " VARCHAR"
    ),
    "github_repository": "id INTEGER ! pk1; name VARCHAR; url VARCHAR",
    "github_user": "id INTEGER ! pk1; login VARCHAR; email VARCHAR; name VARCHAR | login",
    "model": (
        "id INTEGER ! pk1; context_id INTEGER; model_hub_id INTEGER ->model_hub.id; sha VARCHAR;"
        " repo_url VARCHAR; downloads INTEGER; likes INTEGER; has_snapshot INTEGER; "
        "ptm_issues_id INTEGER ->ptm_issues.id; ptm_pull_requests_id INTEGER "
        "->ptm_pull_requests.id | context_id"
    ),
    "ptm_pull_request_to_pull_request": (
        "ptm_pull_request_id INTEGER ! pk1 ->ptm_pull_requests.id; "
        "github_pull_request_id INTEGER ! pk2 "
        "->github_pull_request.id"
    ),
    "reuse_repo_to_pull_request": (
        "reuse_repository_id INTEGER ! pk1 ->reuse_repository.id; "
        "github_pull_request_id INTEGER ! pk2 ->github_pull_request.id"
    ),
    "github_issue": (
        "id INTEGER ! pk1; author_id INTEGER ->github_user.id; body VARCHAR; closed "
        "INTEGER; closed_at VARCHAR; created_at VARCHAR; comment_id VARCHAR; milestone_id"
        " INTEGER ->github_milestone.id; number INTEGER; project_cards VARCHAR; state "
        "VARCHAR; title VARCHAR; updated_at VARCHAR; url VARCHAR | url"
    ),
    "github_pull_request_file": (
        "id INTEGER ! pk1; path VARCHAR; additions INTEGER; deletions "
        "INTEGER; pull_request_id INTEGER ->github_pull_request.id"
    ),
    "pull_request_to_assignee": (
        "pull_request_id INTEGER ! pk1 ->github_pull_request.id; assignee_id "
        "INTEGER ! pk2 ->github_user.id"
    ),
    "pull_request_to_review_requests": (
        "pull_request_id INTEGER ! pk1 ->github_pull_request.id; "
        "review_request_id INTEGER ! pk2 ->github_user.id"
    ),
    "commit_to_author": (
        "commit_id INTEGER ! pk1 ->github_commit.id; author_id INTEGER ! pk2 "
        "->github_user.id"
    ),
    "github_review": (
        "id INTEGER ! pk1; author_id INTEGER ->github_user.id; author_association "
        "VARCHAR; body VARCHAR; submitted_at VARCHAR; includes_created_edit INTEGER; "
        "state VARCHAR; pull_request_id INTEGER ->github_pull_request.id"
    ),
    "github_status_check_rollup": (
        "id INTEGER ! pk1; name VARCHAR; status VARCHAR; conclusion "
        "VARCHAR; started_at VARCHAR; completed_at VARCHAR; details_url "
        "VARCHAR; pull_request_id INTEGER ->github_pull_request.id"
    ),
    "ptm_issue_to_issue": (
        "ptm_issue_id INTEGER ! pk1 ->ptm_issues.id; github_issue_id INTEGER ! pk2 "
        "->github_issue.id"
    ),
    "hf_commit": (
        "id INTEGER ! pk1; commit_id VARCHAR; created_at VARCHAR; title VARCHAR; message "
        "VARCHAR; model_id INTEGER ->model.id"
    ),
    "hf_git_ref": "id INTEGER ! pk1; model_id INTEGER ->model.id",
    "model_to_architecture": (
        "model_id INTEGER ! pk1 ->model.id; architecture_id INTEGER ! pk2 "
        "->architecture.id"
    ),
    "model_to_author": "model_id INTEGER ! pk1 ->model.id; author_id INTEGER ! pk2 ->author.id",
    "model_to_dataset": "model_id INTEGER ! pk1 ->model.id; dataset_id INTEGER ! pk2 ->dataset.id",
    "model_to_framework": (
        "model_id INTEGER ! pk1 ->model.id; framework_id INTEGER ! pk2 "
        "->framework.id"
    ),
    "model_to_language": "model_id INTEGER ! pk1 ->model.id; language_id INTEGER ! pk2 ->language.id",
    "model_to_library": "model_id INTEGER ! pk1 ->model.id; library_id INTEGER ! pk2 ->library.id",
    "model_to_license": "model_id INTEGER ! pk1 ->model.id; license_id INTEGER ! pk2 ->license.id",
    "model_to_paper": "model_id INTEGER ! pk1 ->model.id; paper_id INTEGER ! pk2 ->paper.id",
    "model_to_tag": "model_id INTEGER ! pk1 ->model.id; tag_id INTEGER ! pk2 ->tag.id",
    "discussion": (
        "id INTEGER ! pk1; title VARCHAR; status VARCHAR; num INTEGER; repo_id VARCHAR; "
        "repo_type VARCHAR; is_pull_request INTEGER; created_at VARCHAR; endpoint VARCHAR; "
        "target_branch VARCHAR; merge_commit_oid VARCHAR; diff VARCHAR; model_id INTEGER "
        "->model.id"
    ),
    "reuse_repo_to_issue": (
        "reuse_repository_id INTEGER ! pk1 ->reuse_repository.id; github_issue_id "
        "INTEGER ! pk2 ->github_issue.id"
    ),
    "reuse_file": (
        "id INTEGER ! pk1; path VARCHAR; model_id INTEGER ->model.id; reuse_repository_id "
        "INTEGER ->reuse_repository.id | path,model_id"
    ),
    "model_to_reuse_repository": (
        "model_id INTEGER ! pk1 ->model.id; reuse_repository_id INTEGER ! "
        "pk2 ->reuse_repository.id"
    ),
    "issue_to_assignee": (
        "issue_id INTEGER ! pk1 ->github_issue.id; assignee_id INTEGER ! pk2 "
        "->github_user.id"
    ),
    "github_comment": (
        "id INTEGER ! pk1; author_id INTEGER ->github_user.id; author_association "
        "VARCHAR; body VARCHAR; created_at VARCHAR; includes_created_edit INTEGER; "
        "is_minimized INTEGER; minimized_reason VARCHAR; issue_id INTEGER "
        "->github_issue.id; pull_request_id INTEGER ->github_pull_request.id"
    ),
    "github_label": (
        "id INTEGER ! pk1; name VARCHAR; description VARCHAR; color VARCHAR; issue_id "
        "INTEGER ->github_issue.id; pull_request_id INTEGER ->github_pull_request.id"
    ),
    "hf_commit_to_author": (
        "hf_commit_id INTEGER ! pk1 ->hf_commit.id; author_id INTEGER ! pk2 "
        "->author.id"
    ),
    "hf_git_ref_to_branch": (
        "hf_git_ref_id INTEGER ! pk1 ->hf_git_ref.id; hf_git_ref_info_id INTEGER "
        "! pk2 ->hf_git_ref_info.id"
    ),
    "hf_git_ref_to_tag": (
        "hf_git_ref_id INTEGER ! pk1 ->hf_git_ref.id; hf_git_ref_info_id INTEGER ! "
        "pk2 ->hf_git_ref_info.id"
    ),
    "discussion_to_author": (
        "discussion_id INTEGER ! pk1 ->discussion.id; author_id INTEGER ! pk2 "
        "->author.id"
    ),
    "file_path": "id INTEGER ! pk1; path VARCHAR; discussion_id INTEGER ->discussion.id",
    "discussion_event": (
        "id INTEGER ! pk1; event_id VARCHAR; type VARCHAR; created_at VARCHAR; author"
        " VARCHAR; content VARCHAR; edited INTEGER; hidden INTEGER; new_status "
        "VARCHAR; summary VARCHAR; oid VARCHAR; old_title VARCHAR; new_title VARCHAR;"
        " discussion_id INTEGER ->discussion.id"
    ),
    "github_reaction_group": (
        "id INTEGER ! pk1; content VARCHAR; total_count INTEGER; issue_id "
        "INTEGER ->github_issue.id; pull_request_id INTEGER "
        "->github_pull_request.id; github_comment_id INTEGER "
        "->github_comment.id; review_id INTEGER ->github_review.id"
    ),
    "reuse_repository_to_license": (
        "reuse_repository_id INTEGER ! pk1 ->reuse_repository.id @dist; "
        "license_id INTEGER ! pk2 ->license.id @dist"
    ),
    "domain": "id INTEGER pk1 @dist; name TEXT ! @dist | name",
    "model_to_domain": "model_id INTEGER ! ->model.id @dist; domain_id INTEGER ! ->domain.id @dist",
    "model_task": "id INTEGER pk1 @dist; name TEXT ! @dist | name",
    "model_to_model_task": (
        "model_id INTEGER ! ->model.id @dist; model_task_id INTEGER ! "
        "->model_task.id @dist"
    ),
    "github_repo": (
        "id INTEGER pk1 @dist; owner TEXT ! @dist; name TEXT ! @dist; url TEXT ! @dist; "
        "model_id INTEGER ! ->model.id @dist | owner,name,url,model_id"
    ),
    "model_to_base_model": (
        "model_id INTEGER ! pk1 ->model.id @dist; base_model_name TEXT ! @dist; "
        "base_model_url TEXT @dist; base_model_id INTEGER pk2 ->model.id @dist"
    ),
    "evaluation_link": (
        "id INTEGER pk1 @dist; url TEXT ! @dist; model_id INTEGER ! ->model.id @dist |"
        " url,model_id"
    ),
    "evaluation_metric": (
        "id INTEGER pk1 @dist; test TEXT ! @dist; dataset_id INTEGER ! ->dataset.id "
        "@dist; result TEXT ! @dist; model_id INTEGER ! ->model.id @dist | "
        "test,dataset_id,result,model_id"
    ),
    "demo": (
        "id INTEGER pk1 @dist; demo TEXT ! @dist; model_id INTEGER ! ->model.id @dist | "
        "demo,model_id"
    ),
    "model_to_grant": (
        "model_id INTEGER ! ->model.id @dist; grant_id INTEGER ! ->grant.id @dist | "
        "model_id,grant_id"
    ),
    "grant": "id INTEGER pk1 @dist; name TEXT ! @dist | name",
    "input_format": (
        "id INTEGER pk1 @dist; format TEXT ! @dist; model_id INTEGER ! ->model.id @dist |"
        " format,model_id"
    ),
    "output_format": (
        "id INTEGER pk1 @dist; format TEXT ! @dist; model_id INTEGER ! ->model.id @dist "
        "| format,model_id"
    ),
    "parameter_count": (
        "id INTEGER pk1 @dist; count INTEGER ! @dist; model_id INTEGER ! ->model.id "
        "@dist | count,model_id"
    ),
    "hardware": "id INTEGER pk1 @dist; name TEXT ! @dist | name",
    "model_to_hardware": (
        "model_id INTEGER ! pk1 ->model.id @dist; hardware_id INTEGER ! pk2 "
        "->hardware.id @dist; hours_used INTEGER @dist; cloud_provider TEXT @dist; "
        "compute_region TEXT @dist"
    ),
    "carbon_emitted": (
        "id INTEGER pk1 @dist; value INTEGER ! @dist; model_id INTEGER ! ->model.id "
        "@dist | value,model_id"
    ),
    "hyper_parameters": (
        "id INTEGER pk1 @dist; value TEXT ! @dist; model_id INTEGER ! ->model.id "
        "@dist | value,model_id"
    ),
    "limitation_and_bias": (
        "id INTEGER pk1 @dist; value TEXT ! @dist; model_id INTEGER ! ->model.id "
        "@dist | value,model_id"
    ),
}

#: Tables that exist only in the DIST version (the ESEM 2024 additions).
DIST_ONLY = ("reuse_repository_to_license", "domain", "model_to_domain", "model_task", "model_to_model_task",
             "github_repo", "model_to_base_model", "evaluation_link", "evaluation_metric", "demo", "model_to_grant",
             "grant", "input_format", "output_format", "parameter_count", "hardware", "model_to_hardware",
             "carbon_emitted", "hyper_parameters", "limitation_and_bias")


def _spec(table: str) -> str:
    s = SCHEMA[table]
    return s if isinstance(s, str) else "".join(s)


def tables(version: str) -> list[str]:
    """Table names of a version (56 for msr24, 76 for dist), in the published order."""
    return [t for t in SCHEMA if version == DIST or t not in DIST_ONLY]


def columns(table: str, version: str) -> list[dict]:
    """[{name, type, not_null, pk, fk}] of `table` in `version`."""
    out = []
    for col in _spec(table).split("|")[0].split(";"):
        parts = col.split()
        if ("@dist" in parts and version != DIST) or ("@msr" in parts and version != MSR24):
            continue
        pk = next((int(p[2:]) for p in parts if p.startswith("pk")), 0)
        fk = next((p[2:] for p in parts if p.startswith("->")), None)
        out.append({"name": parts[0], "type": parts[1], "not_null": "!" in parts, "pk": pk, "fk": fk})
    return out


def _q(name: str) -> str:
    return '"' + name + '"'


def ddl(version: str) -> list[str]:
    """CREATE TABLE statements for every table of `version` (identifiers quoted: `grant` is a keyword)."""
    out = []
    for table in tables(version):
        cols = columns(table, version)
        names = {c["name"] for c in cols}
        pk = [c["name"] for c in sorted(cols, key=lambda c: c["pk"]) if c["pk"]]
        autoinc = table in DIST_ONLY and pk == ["id"]
        lines = []
        for c in cols:
            if autoinc and c["name"] == "id":
                lines.append('"id" INTEGER PRIMARY KEY AUTOINCREMENT')
                continue
            lines.append(f"{_q(c['name'])} {c['type']}" + (" NOT NULL" if c["not_null"] else ""))
        if pk and not autoinc:
            lines.append(f"PRIMARY KEY ({', '.join(map(_q, pk))})")
        spec = _spec(table)
        for u in (spec.split("|")[1].split(";") if "|" in spec else []):
            ucols = [x.strip() for x in u.split(",")]
            if all(x in names for x in ucols):
                lines.append(f"UNIQUE ({', '.join(map(_q, ucols))})")
        for c in cols:
            if c["fk"]:
                ref_table, ref_col = c["fk"].split(".")
                lines.append(f"FOREIGN KEY ({_q(c['name'])}) REFERENCES {_q(ref_table)} ({_q(ref_col)})")
        out.append(f"CREATE TABLE {_q(table)} (\n    " + ",\n    ".join(lines) + "\n)")
    return out
