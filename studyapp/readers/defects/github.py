"""Defects from GitHub issue JSON: what the REST API and `gh issue list --json ...` return.

Accepted shapes: a list of issues, one issue object, a search result (`{"items": [...]}`), JSON
Lines, or several arrays back to back (`gh api --paginate`). Both spellings are read:
REST (`html_url`, `created_at`, `user.login`, `comments` as a count, `repository_url`) and gh
(`url`, `createdAt`, `author.login`, `comments` as a list). Comments, when present as a list, are
appended to the text under their author, because a defect's cause is often found there.
Each issue is one record (one defect); more defects of the same issue can be added while labelling.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from studyapp.errors import InvalidInput
from studyapp.readers.defects.table import DefectRecord, parse_github_url
from studyapp.readers.text import decode_text

API_REPO = re.compile(r"api\.github\.com/repos/([^/]+)/([^/]+)", re.IGNORECASE)


def _documents(text: str, path: str) -> list[Any]:
    decoder = json.JSONDecoder()
    docs, i, n = [], 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            return docs
        try:
            doc, i = decoder.raw_decode(text, i)
        except json.JSONDecodeError as e:
            raise InvalidInput(f"not valid JSON: {e.msg}", path=path, line=e.lineno) from None
        docs.append(doc)


def _issues(docs: list[Any], path: str) -> list[Any]:
    out: list[Any] = []
    for doc in docs:
        if isinstance(doc, list):
            out.extend(doc)
        elif isinstance(doc, dict) and isinstance(doc.get("items"), list):
            out.extend(doc["items"])
        elif isinstance(doc, dict):
            out.append(doc)
        else:
            raise InvalidInput("expected GitHub issues (a JSON list of objects)", path=path)
    return out


def _login(obj: Any) -> str | None:
    return obj.get("login") if isinstance(obj, dict) else None


def _repo(issue: dict, url: str | None) -> str | None:
    parsed = parse_github_url(url)
    if parsed:
        return parsed[0]
    for k in ("repository_url", "url"):
        m = API_REPO.search(str(issue.get(k) or ""))
        if m:
            return f"{m.group(1)}/{m.group(2)}"
    repo = issue.get("repository")
    if isinstance(repo, dict):
        return repo.get("nameWithOwner") or repo.get("full_name")
    return None


def _html_url(issue: dict) -> str | None:
    url = issue.get("html_url") or issue.get("url")
    if url and "api.github.com/repos/" in url:
        m = re.search(r"api\.github\.com/repos/([^/]+)/([^/]+)/issues/(\d+)", url)
        url = f"https://github.com/{m.group(1)}/{m.group(2)}/issues/{m.group(3)}" if m else None
    return url


def _comments_text(comments: list) -> str:
    parts = []
    for c in comments:
        if not isinstance(c, dict):
            continue
        who = _login(c.get("author")) or _login(c.get("user")) or "someone"
        when = (c.get("createdAt") or c.get("created_at") or "")[:10]
        parts.append(f"**@{who}** {when}\n\n{c.get('body') or ''}".rstrip())
    return "\n\n---\n\n".join(parts)


def record_from_issue(issue: Any, n: int, path: str, repo: str | None = None) -> DefectRecord:
    if not isinstance(issue, dict):
        raise InvalidInput("an issue must be a JSON object", path=path, record=n)
    number = issue.get("number")
    if isinstance(number, str) and number.strip().isdigit():
        number = int(number)
    if not isinstance(number, int) or isinstance(number, bool):
        raise InvalidInput("the issue has no 'number'", path=path, record=n)
    url = _html_url(issue)
    the_repo = _repo(issue, url) or repo
    labels = [lb.get("name") if isinstance(lb, dict) else str(lb) for lb in issue.get("labels") or []]
    comments = issue.get("comments")
    body = issue.get("body") or ""
    attrs: dict[str, Any] = {"state": issue.get("state"), "labels": [x for x in labels if x],
                             "created_at": issue.get("created_at") or issue.get("createdAt"),
                             "closed_at": issue.get("closed_at") or issue.get("closedAt"),
                             "author": _login(issue.get("user")) or _login(issue.get("author"))}
    if isinstance(comments, list):
        attrs["comments"] = len(comments)
        if comments:
            body = f"{body}\n\n## Comments\n\n{_comments_text(comments)}".strip()
    elif isinstance(comments, int):
        attrs["comments"] = comments
    if issue.get("pull_request") or issue.get("isPullRequest"):
        attrs["pull_request"] = True
    return DefectRecord(line=n, issue=f"{the_repo}#{number}" if the_repo else f"#{number}", number=number,
                        repo=the_repo, url=url, title=issue.get("title") or None, body=body,
                        attrs={k: v for k, v in attrs.items() if v not in (None, [], "")})


def read_github_issues(path: str | Path, repo: str | None = None) -> list[DefectRecord]:
    """One record per issue, in file order; `record` in errors is the issue's 1-based position."""
    p = Path(path)
    if not p.is_file():
        raise InvalidInput("no such file", path=str(p))
    text = decode_text(p.read_bytes(), str(p))
    issues = _issues(_documents(text, str(p)), str(p))
    return [record_from_issue(issue, n, str(p), repo) for n, issue in enumerate(issues, start=1)]
