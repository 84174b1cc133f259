"""Defects from GitHub issue JSON: what the REST API and `gh issue list --json ...` return.

Accepted shapes: a list of issues, one issue object, a search result (`{"items": [...]}`), JSON
Lines, several arrays back to back (`gh api --paginate`), and GraphQL responses as `gh api graphql`
prints them (`{"data": {"repository": {"issues": {"nodes": [...]}}}}`, `{"data": {"search":
{"nodes": [...]}}}`). Both spellings are read: REST (`html_url`, `created_at`, `user.login`,
`comments` as a count, `repository_url`) and gh / GraphQL (`url`, `createdAt`, `author.login`,
`comments` as a list, `labels` as a list or `{"nodes": [...]}`). An issue whose `number` is missing
takes it from its URL (`.../issues/42`). An issue that still has no number, or is no object, is a
problem of that record; the other issues are read. An empty file, or JSON nested deeper than
`MAX_DEPTH`, is refused with a message, never a traceback. Comments, when present as a list, are
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
from studyapp.readers.contract import Outcome, Problem, Reader
from studyapp.readers.text import decode_text, read_bytes

API_REPO = re.compile(r"api\.github\.com/repos/([^/]+)/([^/]+)", re.IGNORECASE)


MAX_DEPTH = 200  # GitHub's own responses nest fewer than 10 levels


def _too_deep(text: str) -> int | None:
    """The line where brackets nest deeper than MAX_DEPTH (outside strings), else None."""
    depth, in_str, esc = 0, False, False
    for i, ch in enumerate(text):
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return text.count("\n", 0, i) + 1
        elif ch in "]}":
            depth -= 1
    return None


def _documents(text: str, path: str) -> list[Any]:
    if not text.strip():
        raise InvalidInput("the file is empty (expected GitHub issues as JSON)", path=path, line=1)
    deep = _too_deep(text) if text.count("[") + text.count("{") > MAX_DEPTH else None
    if deep is not None:
        raise InvalidInput(f"JSON nested more than {MAX_DEPTH} levels deep: not GitHub issues", path=path, line=deep)
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
        except RecursionError:
            raise InvalidInput("JSON nested too deeply: not GitHub issues", path=path) from None
        docs.append(doc)


def _graphql_nodes(doc: dict) -> list | None:
    """The issue nodes of a GraphQL response, or None when `doc` is not one."""
    data = doc.get("data")
    if not isinstance(data, dict):
        return None
    stack = [data]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            for key in ("issues", "search", "pullRequests"):
                inner = cur.get(key)
                if isinstance(inner, dict) and isinstance(inner.get("nodes"), list):
                    return inner["nodes"]
            stack.extend(v for v in cur.values() if isinstance(v, dict))
    return None


def _issues(docs: list[Any], path: str) -> list[Any]:
    out: list[Any] = []
    for doc in docs:
        if isinstance(doc, list):
            out.extend(doc)
        elif isinstance(doc, dict) and isinstance(doc.get("items"), list):
            out.extend(doc["items"])
        elif isinstance(doc, dict) and "data" in doc and _graphql_nodes(doc) is not None:
            out.extend(_graphql_nodes(doc))
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
    url = _html_url(issue)
    if number is None:
        m = re.search(r"/(?:issues|pull|pulls)/(\d+)(?:[/?#]|$)", str(url or issue.get("url") or ""))
        number = int(m.group(1)) if m else None
    if not isinstance(number, int) or isinstance(number, bool):
        raise InvalidInput("the issue has no 'number' (and its URL names none)", path=path, record=n)
    the_repo = _repo(issue, url) or repo
    raw_labels = issue.get("labels") or []
    if isinstance(raw_labels, dict):
        raw_labels = raw_labels.get("nodes") or []
    labels = [lb.get("name") if isinstance(lb, dict) else str(lb) for lb in raw_labels]
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


def read_github_text(text: str, path: str, repo: str | None = None) -> Outcome:
    issues = _issues(_documents(text, path), path)
    records, problems = [], []
    for n, issue in enumerate(issues, start=1):
        try:
            records.append(record_from_issue(issue, n, path, repo))
        except InvalidInput as e:
            problems.append(Problem(e.message, record=n))
    if not issues:
        raise InvalidInput("the JSON holds no issues", path=path)
    return Outcome(records, "github-json", problems=problems)


def read_github_issues(path: str | Path, repo: str | None = None) -> list[DefectRecord]:
    """One record per issue, in file order; `record` in errors is the issue's 1-based position.
    The first issue that cannot be read is an error (the import service uses the Outcome instead)."""
    p = Path(path)
    out = read_github_text(decode_text(read_bytes(p), str(p)), str(p), repo)
    if out.problems:
        raise InvalidInput(out.problems[0].reason, path=str(p), record=out.problems[0].record)
    return out.records


class GithubJsonReader(Reader):
    kind, format, label, suffixes = "defects", "github-json", "GitHub issues JSON", (".json", ".jsonl", ".ndjson")

    def sniff(self, head: str, data: bytes) -> int:
        return 2 if head.lstrip("\ufeff \n\t\r")[:1] in ("[", "{") else 0

    def parse(self, text: str, name: str, repo: str | None = None, **options) -> Outcome:
        return read_github_text(text, name, repo)
