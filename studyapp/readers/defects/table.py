"""Defects from a table (CSV/XLSX): one row per defect, with whatever columns a team's sheet has.

Which column holds the URL, title, body, issue number, repository... is detected from the header
(`detect_roles`) or given (`COLUMN=ROLE`). Every row becomes a `DefectRecord`; rows of the same issue
stay separate records (one issue may hold several defects) and the import numbers them.
Columns that are not a known role are not imported (they may hold another team's labels, which a
coder must not see while labelling); name them as `attr` to keep them as attributes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studyapp.errors import InvalidInput
from studyapp.readers.contract import Outcome, Reader
from studyapp.readers.labels import Sheet, read_sheet, sheet_from_table
from studyapp.readers.sheets import read_table

ROLES = ("key", "url", "title", "body", "number", "repo", "owner", "name", "state", "labels", "created_at",
         "closed_at", "author", "attr")

#: Header spellings (folded, '_' as space) recognised for each role, in order of preference.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "key": ("key", "unit key", "defect key", "defect id"),
    "url": ("url", "html url", "issue url", "link", "issue link", "github url"),
    "title": ("title", "issue title", "summary", "subject"),
    "body": ("body", "text", "description", "issue body", "issue text", "content"),
    "number": ("issue #", "issue number", "issue no", "issue", "number", "#"),
    "repo": ("repo", "repository", "full name", "repository full name", "repo full name"),
    "owner": ("repo owner", "owner", "repository owner"),
    "name": ("repo name", "repository name"),
    "state": ("state", "status"),
    "labels": ("labels", "label"),
    "created_at": ("created at", "created", "issue creation time", "opened at"),
    "closed_at": ("closed at", "closed", "issue closing time"),
    "author": ("author", "user", "reporter login", "opened by"),
}

GITHUB_URL = re.compile(r"github\.com/([^/\s]+)/([^/\s#?]+)/(?:issues|pull|pulls)/(\d+)", re.IGNORECASE)
NUMBER = re.compile(r"^\s*#?\s*(\d+)")


@dataclass(frozen=True)
class DefectRecord:
    """One defect as read from a file; `issue` is `owner/repo#N` (or `#N` without a repository)."""
    line: int
    key: str | None = None
    issue: str | None = None
    number: int | None = None
    repo: str | None = None
    url: str | None = None
    title: str | None = None
    body: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)


def header_key(text: str) -> str:
    return re.sub(r"[\s_]+", " ", str(text)).strip().casefold()


def detect_roles(columns: list[str], given: dict[str, str] | None = None) -> dict[str, str]:
    """role -> column: the given `COLUMN -> role` choices first, then the header's known spellings."""
    given = dict(given or {})
    by_key = {header_key(c): c for c in columns}
    roles: dict[str, str] = {}
    for col, role in given.items():
        if role not in ROLES:
            raise InvalidInput(f"unknown role {role!r} for column {col!r} (roles: {', '.join(ROLES)})")
        real = by_key.get(header_key(col))
        if real is None:
            raise InvalidInput(f"no column {col!r} (columns: {', '.join(columns)})")
        if role != "attr":
            roles[role] = real
    taken = set(roles.values()) | {by_key[header_key(c)] for c in given if header_key(c) in by_key}
    for role, spellings in CANDIDATES.items():
        if role in roles:
            continue
        for s in spellings:
            col = by_key.get(s)
            if col is not None and col not in taken:
                roles[role] = col
                taken.add(col)
                break
    return roles


def parse_github_url(url: str | None) -> tuple[str, int] | None:
    """(owner/repo, number) of a GitHub issue or pull-request URL, else None."""
    m = GITHUB_URL.search(url or "")
    return (f"{m.group(1)}/{m.group(2)}", int(m.group(3))) if m else None


def parse_number(text: str | None) -> int | None:
    m = NUMBER.match(text or "")
    return int(m.group(1)) if m else None


def records_from_sheet(sheet: Sheet, columns: dict[str, str] | None = None,
                       repo: str | None = None) -> tuple[list[DefectRecord], dict[str, str], list[str]]:
    """Records, the role -> column mapping used, and the columns left out."""
    roles = detect_roles(sheet.columns, columns)
    attr_cols = [c for c, r in (columns or {}).items() if r == "attr"]
    attr_cols = [next(x for x in sheet.columns if header_key(x) == header_key(c)) for c in attr_cols]
    if not {"key", "url", "number", "title", "body"} & set(roles):
        raise InvalidInput("found no column for a key, URL, issue number, title or body (columns: "
                           f"{', '.join(sheet.columns)}); name one with COLUMN=ROLE", path=sheet.path)
    used = set(roles.values()) | set(attr_cols)
    out = []
    for row, line in zip(sheet.rows, sheet.lines):
        def get(role: str) -> str | None:
            col = roles.get(role)
            return row.get(col) if col else None
        try:
            out.append(_record(line, get, repo, {c: row.get(c) for c in attr_cols if row.get(c) is not None}))
        except InvalidInput as e:
            raise InvalidInput(e.message, path=sheet.path, line=line) from None
    return out, roles, [c for c in sheet.columns if c not in used]


def _record(line: int, get, default_repo: str | None, extra: dict) -> DefectRecord:
    url = (get("url") or "").strip() or None
    parsed = parse_github_url(url)
    repo = (get("repo") or "").strip() or None
    if repo:
        from_url = parse_github_url(repo if "github.com" in repo else f"github.com/{repo}/issues/0")
        repo = from_url[0] if from_url else repo
    if not repo and get("owner") and get("name"):
        repo = f"{get('owner').strip()}/{get('name').strip()}"
    number = parse_number(get("number"))
    if get("number") and number is None:
        raise InvalidInput(f"issue number {get('number')!r} is not a number")
    if parsed:
        if repo and repo.casefold() != parsed[0].casefold():
            raise InvalidInput(f"the URL is in {parsed[0]} but the repository column says {repo}")
        if number is not None and number != parsed[1]:
            raise InvalidInput(f"the URL is issue {parsed[1]} but the issue-number column says {number}")
        repo, number = parsed
    repo = repo or default_repo
    issue = (f"{repo}#{number}" if repo else f"#{number}") if number is not None else None
    attrs: dict[str, Any] = {k: get(k).strip() for k in ("state", "created_at", "closed_at", "author") if get(k)}
    if get("labels"):
        attrs["labels"] = _labels(get("labels"))
    attrs.update(extra)
    key = (get("key") or "").strip() or None
    return DefectRecord(line=line, key=key, issue=issue, number=number, repo=repo, url=url,
                        title=(get("title") or "").strip() or None, body=get("body"), attrs=attrs)


def _labels(text: str) -> list[str]:
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return [x.strip().strip("'\"").strip() for x in re.split(r"[;,]", text) if x.strip().strip("'\"").strip()]


def read_defect_table(path: str | Path, columns: dict[str, str] | None = None, repo: str | None = None):
    """`records_from_sheet(read_sheet(path))`: records, roles used, columns left out."""
    return records_from_sheet(read_sheet(path), columns, repo)


class DefectTableReader(Reader):
    """Defect tables (CSV/TSV/XLSX); `columns` (COLUMN -> role) and `repo` as in `records_from_sheet`."""

    kind, format, label, suffixes, binary = "defects", "table", "defect table (CSV/XLSX)", \
        (".csv", ".tsv", ".tab", ".txt", ".xlsx", ".xlsm"), True

    def sniff(self, head: str, data: bytes) -> int:
        first = next((ln for ln in head.split("\n") if ln.strip()), "")
        return 1 if data.startswith(b"PK\x03\x04") or any(d in first for d in ",;\t") else 0

    def parse_bytes(self, data: bytes, name: str, columns: dict[str, str] | None = None,
                    repo: str | None = None, **options) -> Outcome:
        table = read_table(data, name)
        records, roles, left = records_from_sheet(sheet_from_table(table, name), columns, repo)
        return Outcome(records, "table", notes=list(table.notes), encoding=table.encoding,
                       details={"columns": roles, "not_imported_columns": left})
