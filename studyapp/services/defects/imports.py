"""Import defects (GitHub issues) as units: from CSV/XLSX tables and from GitHub issue JSON.

One issue may hold several defects, one unit each: the k-th row of an issue in a file becomes
unit `owner/repo#42:k` (or `#42:k` when the file names no repository), and every unit of the issue
carries the same `attrs.issue`. A row with an explicit `key` column keeps that key. A unit that is
already in the study is counted as a duplicate and left as it is, so importing a second rater's
sheet of the same issues adds only the defects the first did not have.
All files are read and checked first; then everything is written in one transaction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

from studyapp.domain.roles import lead_only
from studyapp.errors import InvalidInput
from studyapp.readers import detect
from studyapp.readers.defects.table import DefectRecord
from studyapp.readers.text import read_bytes
from studyapp.store import Store



@dataclass
class FileReport:
    file: str
    read: int = 0
    imported: int = 0
    duplicates: int = 0
    issues: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    not_imported_columns: list[str] = field(default_factory=list)
    format: str = ""
    rejected: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class DefectImport:
    files: list[FileReport]

    @property
    def imported(self) -> int:
        return sum(f.imported for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    def to_dict(self) -> dict:
        return {"imported": self.imported, "duplicates": self.duplicates, "files": [asdict(f) for f in self.files]}


def read_defects(path: str | Path, *, columns: dict[str, str] | None = None,
                 repo: str | None = None) -> tuple[list[DefectRecord], FileReport]:
    """Records of one file (table or GitHub JSON, told apart by the content) and the start of its
    report; issues that could not be read are in `report.rejected` (record number and reason)."""
    p = Path(path)
    report = FileReport(file=p.name)
    data = read_bytes(p)
    reader, notes = detect("defects", data, str(p))
    if reader.format == "github-json" and columns:
        raise InvalidInput("column choices apply to tables, not to GitHub JSON", path=str(p))
    out = reader.read(data, str(p), columns=columns, repo=repo)
    records = out.records
    report.format, report.notes = out.format, notes + out.notes
    report.columns = dict(out.details.get("columns") or {})
    report.not_imported_columns = list(out.details.get("not_imported_columns") or [])
    report.rejected = [pr.as_dict() for pr in out.problems]
    report.read = out.n_read
    report.issues = len({r.issue for r in records if r.issue})
    return records, report


def _units(records: list[DefectRecord], path: Path, existing: set[str], issue_counts: dict[str, int],
           report: FileReport) -> list[dict]:
    per_issue: dict[str, int] = {}
    seen: dict[str, str] = {}
    units = []
    for r in records:
        where = f"{path.name}:{r.line}" if report.format != "github-json" else f"{path.name} record {r.line}"
        defect = None
        if r.issue:
            per_issue[r.issue] = per_issue.get(r.issue, 0) + 1
            defect = per_issue[r.issue]
        key = r.key or (f"{r.issue}:{defect}" if r.issue else f"{path.stem}:{r.line}")
        if key in seen:
            raise InvalidInput(f"defect key {key!r} is used twice (first at {seen[key]})", path=str(path),
                               line=r.line)
        seen[key] = where
        if key in existing:
            report.duplicates += 1
            continue
        if r.issue and r.key:
            issue_counts[r.issue] = issue_counts.get(r.issue, 0) + 1
            defect = issue_counts[r.issue]
        title = r.title or (f"{r.repo} issue #{r.number}" if r.repo else f"Issue #{r.number}" if r.number
                            else key)
        attrs: dict[str, Any] = {"issue": r.issue, "number": r.number, "repo": r.repo, "url": r.url,
                                 "defect": defect, "source": path.name, "line": r.line, **r.attrs}
        units.append({"kind": "defect", "key": key, "title": title, "text": r.body or "",
                      "attrs": {k: v for k, v in attrs.items() if v is not None}})
    return units


def import_defects(store: Store, paths: Sequence[str | Path], *, columns: dict[str, str] | None = None,
                   repo: str | None = None, actor: str | None = None, source: str | None = None,
                   strict: bool = False) -> DefectImport:
    """Import every file, all or nothing. `columns` maps a table's COLUMN -> role (see
    `readers.defects.table.ROLES`); `repo` names the repository for files that do not. Issues that
    cannot be read are reported; with `strict` any of them refuses the call, and a file that yields
    no defect at all is always refused. Only a lead imports (`actor`, see `domain.roles.lead_only`)."""
    lead_only(store, actor, "import defects")
    read = [(Path(p), *read_defects(p, columns=columns, repo=repo)) for p in paths]
    for path, records, report in read:
        first = report.rejected[0] if report.rejected else None
        if not records:
            raise InvalidInput(f"no defect could be read: {report.read} read, {len(report.rejected)} rejected"
                               + (f" (first: record {first['record']}: {first['reason']})" if first else ""),
                               path=str(path), record=first["record"] if first else None)
        if strict and first:
            raise InvalidInput(f"{len(report.rejected)} of {report.read} issues rejected and --strict given: "
                               f"nothing imported (first: {first['reason']})", path=str(path), record=first["record"])
    with store.transaction():  # duplicates are counted inside it: the same file imported twice at once counts them
        existing = set(store.units.ids_by_key("defect"))
        issue_counts: dict[str, int] = {}
        for row in store.defects.issue_index():
            if row["issue"]:
                issue_counts[row["issue"]] = max(issue_counts.get(row["issue"], 0), int(row["defect"] or 1))
        planned = []
        for path, records, report in read:
            units = _units(records, path, existing, issue_counts, report)
            existing |= {u["key"] for u in units}
            planned.append((path, units, report))
        for path, units, report in planned:
            imp = store.imports.start(kind="defects", file=path.name, source=source, actor=actor)
            if units:
                store.units.add_many(units, import_id=imp, actor=actor)
            report.imported = len(units)
            store.imports.finish(imp, n_read=report.read, n_imported=report.imported,
                                 n_duplicates=report.duplicates, n_rejected=len(report.rejected),
                                 report=asdict(report), actor=actor)
    return DefectImport(files=[r for _, _, r in planned])


def add_defect(store: Store, unit_id: int, *, actor: str | None = None) -> int:
    """Add another defect to the issue of `unit_id` (same text, link and issue; next defect number).

    Labelling often shows that one issue reports two defects; each gets its own unit."""
    unit = store.units.require(unit_id)
    if unit["kind"] != "defect":
        raise InvalidInput(f"unit {unit['key']!r} is a {unit['kind']}, not a defect")
    issue = unit["attrs"].get("issue")
    if not issue:
        raise InvalidInput(f"defect {unit['key']!r} has no issue: it came from a row without URL or number")
    siblings = store.defects.of_issue(issue)
    n = max(int(s["attrs"].get("defect") or 1) for s in siblings) + 1
    taken = set(store.units.ids_by_key("defect"))
    key = f"{issue}:{n}"
    while key in taken:
        n += 1
        key = f"{issue}:{n}"
    attrs = {**unit["attrs"], "defect": n, "split_from": unit["key"]}
    with store.transaction():
        [new_id] = store.units.add_many([{"kind": "defect", "key": key, "title": unit["title"],
                                          "text": unit["text"], "attrs": attrs}], import_id=unit["import_id"],
                                        actor=actor)
        store.history.log("defect.add", actor=actor, unit_id=new_id, new={"key": key, "from": unit["key"]})
    return new_id
