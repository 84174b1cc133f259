"""Import a spreadsheet of existing labels as one coder's annotations in one round.

This is how a team moves its rater spreadsheets in and how published labels are loaded for
re-analysis. Columns are fields when their header is the field's id or label (case, spaces and
punctuation ignored) or when a mapping names them; the sheet's own row index is never a field.
Values are matched to codes by id, label or alias (`domain.values`), after the reviewed spellings of
a mapping file (`readers.label_sheet.read_label_map`). Values that match no code are all listed with
their rows and nothing is written; with `add_unknown` they become codes of a new codebook version
instead (`labels_codebook.add_codes`). Units are found by the key column: a unit key, a GitHub issue
URL, `owner/repo#N`, or an issue number; the k-th row of an issue labels the issue's k-th defect.
Everything is written through `code_many` in one transaction.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from studyapp.domain.codebook import Code, Codebook, Field, next_version
from studyapp.domain.roles import lead_only
from studyapp.domain.values import MULTI_SEPARATORS, code_matcher, normalise
from studyapp.errors import InvalidInput, NotFound, StudyError, UnknownCode
from studyapp.paths import UNIT_KINDS_OF_CODEBOOK
from studyapp.readers.defects.table import header_key, parse_github_url, parse_number
from studyapp.readers.labels import LabelMap, Sheet, fold, read_label_map, read_sheet
from studyapp.services.coding.codebooks import codebook_version, store_codebook
from studyapp.services.coding.coding import CodingRow, code_many
from studyapp.store import Store
from studyapp.store.rounds import DEFAULT_ROUND

KEY_COLUMNS = ("key", "unit key", "url", "html url", "issue url", "issue #", "issue number", "issue", "number")


class UnknownLabels(UnknownCode):
    """Values matching no code. `unknown` lists {field, column, value, lines}."""

    def __init__(self, message: str, unknown: list[dict], *, path: str | None = None):
        super().__init__(message, path=path)
        self.unknown = unknown


@dataclass
class LabelsReport:
    file: str
    coder: str
    codebook: str
    round: str
    rows: int
    units: int
    written: int
    key_column: str
    columns: dict[str, str]
    not_imported_columns: list[str]
    index_columns: list[str]
    codebook_version: int
    added_codes: dict[str, list[str]] = field(default_factory=dict)
    only_this_coder: list[str] = field(default_factory=list)
    only_other_coders: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", fold(text))


def field_columns(sheet: Sheet, cb: Codebook, lmap: LabelMap, given: dict[str, str] | None,
                  key_column: str) -> dict[str, str]:
    """column -> field id: given choices, then the mapping file, then field ids and labels."""
    by_header = {header_key(c): c for c in sheet.columns}
    chosen: dict[str, str | None] = {}
    for source in (lmap.columns, given or {}):
        for col, fid in source.items():
            real = by_header.get(header_key(col))
            if real is None:
                if source is given:
                    raise InvalidInput(f"no column {col!r} (columns: {', '.join(sheet.columns)})", path=sheet.path)
                continue
            if fid is not None:
                cb.require_field(fid)
            chosen[real] = fid
    names = {}
    for f in cb.fields:
        names.setdefault(_squash(f.id), f.id)
        names.setdefault(_squash(f.label), f.id)
    out: dict[str, str] = {}
    for col in sheet.columns:
        if col == key_column:
            continue
        fid = chosen[col] if col in chosen else names.get(_squash(col))
        if fid is not None:
            out[col] = fid
    twice = defaultdict(list)
    for col, fid in out.items():
        twice[fid].append(col)
    for fid, cols in twice.items():
        if len(cols) > 1:
            raise InvalidInput(f"columns {', '.join(map(repr, cols))} all map to field {fid!r}; map one of "
                               "them to null in the mapping file", path=sheet.path)
    return out


def detect_key_column(sheet: Sheet, key: str | None) -> str:
    by_header = {header_key(c): c for c in sheet.columns}
    if key:
        real = by_header.get(header_key(key))
        if real is None:
            raise InvalidInput(f"no key column {key!r} (columns: {', '.join(sheet.columns)})", path=sheet.path)
        return real
    for cand in KEY_COLUMNS:
        if cand in by_header:
            return by_header[cand]
    raise InvalidInput("no key column found (a unit key, URL or issue number); name it with --key",
                       path=sheet.path)


class UnitFinder:
    """Finds the unit a row labels from its key cell; the k-th row of an issue gets its k-th defect."""

    def __init__(self, store: Store, kinds: tuple[str, ...]):
        self.by_key: dict[str, int] = {}
        for kind in kinds:
            self.by_key.update(store.units.ids_by_key(kind))
        self.issues: dict[str, list[int]] = defaultdict(list)
        self.numbers: dict[int, set[str]] = defaultdict(set)
        self.issue_case: dict[str, str] = {}
        if "defect" in kinds:
            for r in store.defects.issue_index():
                if r["issue"]:
                    self.issues[r["issue"].casefold()].append(r["id"])
                    self.issue_case[r["issue"].casefold()] = r["issue"]
                    if r["number"] is not None:
                        self.numbers[int(r["number"])].add(r["issue"].casefold())
        self.seen: dict[str, int] = defaultdict(int)

    def find(self, cell: str) -> int:
        text = cell.strip()
        if text in self.by_key:
            return self.by_key[text]
        issue = None
        parsed = parse_github_url(text)
        if parsed:
            issue = f"{parsed[0]}#{parsed[1]}".casefold()
        elif re.match(r"^[^\s/#]+/[^\s/#]+#\d+$", text):
            issue = text.casefold()
        elif re.match(r"^#?\d+(\.0+)?$", text):
            candidates = self.numbers.get(parse_number(text), set())
            if len(candidates) > 1:
                raise NotFound(f"issue number {text} is ambiguous: {', '.join(sorted(self.issue_case[c] for c in candidates))}"
                               " (use the URL as key)")
            issue = next(iter(candidates), None)
        if issue is None or issue not in self.issues:
            raise NotFound(f"no unit for {text!r}")
        self.seen[issue] += 1
        k = self.seen[issue]
        units = self.issues[issue]
        if k > len(units):
            raise NotFound(f"this is row {k} of issue {self.issue_case[issue]}, which has {len(units)} defect(s)"
                           " in the study (import the defects from this file first)")
        return units[k - 1]


def _mapped(lmap: LabelMap, field_id: str, raw: str) -> tuple[bool, str | None]:
    table = lmap.values.get(field_id) or {}
    key = fold(raw)
    return (True, table[key]) if key in table else (False, raw)


def sheet_values(sheet: Sheet, cb: Codebook, columns: dict[str, str],
                 lmap: LabelMap) -> tuple[list[dict[str, Any]], dict[tuple[str, str], dict]]:
    """Per row {field id: canonical value}, and the unknown spellings {(field, folded value): info}."""
    matchers = {f.id: code_matcher(f) for f in cb.fields if f.codes}
    rows: list[dict[str, Any]] = []
    unknown: dict[tuple[str, str], dict] = {}
    problems: list[str] = []
    for row, line in zip(sheet.rows, sheet.lines):
        out: dict[str, Any] = {}
        for col, fid in columns.items():
            raw = row.get(col)
            if raw is None:
                continue
            f = cb.require_field(fid)
            hit, value = _mapped(lmap, fid, raw)
            if value is None:
                continue
            items = [value]
            if f.is_multi and not hit:
                items = [y for _, y in (_mapped(lmap, fid, x) for x in MULTI_SEPARATORS.split(value.strip())
                                        if x.strip()) if y is not None]
            ok: list[Any] = []
            for item in items:
                try:
                    code = normalise(f, [item] if f.is_multi else item, matchers.get(fid))
                    ok.append(code[0] if f.is_multi else code)
                except UnknownCode:
                    u = unknown.setdefault((fid, fold(item)), {"field": fid, "column": col, "value": item.strip(),
                                                              "lines": []})
                    u["lines"].append(line)
                except StudyError as e:
                    problems.append(f"line {line}, column {col!r}: {e.message}")
            if ok:
                out[fid] = sorted(set(ok)) if f.is_multi else ok[0]
        rows.append(out)
    if problems:
        raise InvalidInput("values that are not valid:\n  " + "\n  ".join(problems[:50]), path=sheet.path)
    return rows, unknown


def _unknown_message(unknown: dict[tuple[str, str], dict]) -> str:
    lines = [f"{len(unknown)} value(s) match no code; nothing was imported:"]
    for u in sorted(unknown.values(), key=lambda u: (u["field"], u["value"].casefold())):
        rows = ", ".join(map(str, u["lines"][:12])) + (", ..." if len(u["lines"]) > 12 else "")
        lines.append(f"  {u['field']} ({u['column']}): {u['value']!r} on line(s) {rows}")
    lines.append("map them in a mapping file (--map), or add them as codes with --add-unknown")
    return "\n".join(lines)


def import_labels(store: Store, path: str | Path, *, coder: str, codebook: str, key: str | None = None,
                  round: str | None = None, add_unknown: bool = False, map_file: str | Path | None = None,
                  columns: dict[str, str] | None = None, actor: str | None = None) -> LabelsReport:
    """Read `path` and write its labels as `coder`'s in `round` (created if needed); all or nothing.
    Only a lead imports (`actor`, see `domain.roles.lead_only`)."""
    lead_only(store, actor, "import labels")
    sheet = read_sheet(path)
    lmap = read_label_map(map_file) if map_file else LabelMap()
    if store.coders.get(coder) is None:
        raise NotFound(f"no coder named {coder!r} (add one with `studyapp coder add`)")
    cb, vid = codebook_version(store, codebook)
    for fid, table in lmap.values.items():
        f = cb.require_field(fid)
        bad = [v for v in table.values() if v is not None and f.codes and f.code(v) is None]
        if bad:
            raise InvalidInput(f"values.{fid} maps to {bad[0]!r}, which is not a code of {fid!r}", path=lmap.path)
    key_col = detect_key_column(sheet, key)
    cols = field_columns(sheet, cb, lmap, columns, key_col)
    if not cols:
        raise InvalidInput(f"no column is a field of {cb.id!r} (fields: {', '.join(f.id for f in cb.fields)})",
                           path=sheet.path)
    finder = UnitFinder(store, UNIT_KINDS_OF_CODEBOOK[cb.kind])
    unit_ids: list[int | None] = []
    missing: list[str] = []
    for row, line in zip(sheet.rows, sheet.lines):
        cell = row.get(key_col)
        if cell is None:
            missing.append(f"line {line}: the key cell is empty")
            unit_ids.append(None)
            continue
        try:
            unit_ids.append(finder.find(cell))
        except NotFound as e:
            missing.append(f"line {line}: {e.message}")
            unit_ids.append(None)
    if missing:
        raise NotFound(f"{len(missing)} row(s) match no unit; nothing was imported:\n  " + "\n  ".join(missing[:30])
                       + ("\n  ..." if len(missing) > 30 else ""), path=sheet.path)
    dupes = [ln for ln, uid in zip(sheet.lines, unit_ids) if unit_ids.count(uid) > 1]
    if dupes:
        raise InvalidInput(f"rows {', '.join(map(str, dupes[:10]))} label the same unit twice", path=sheet.path)
    values, unknown = sheet_values(sheet, cb, cols, lmap)
    if unknown and not add_unknown:
        raise UnknownLabels(_unknown_message(unknown), sorted(unknown.values(), key=lambda u: u["field"]),
                            path=sheet.path)
    round_id = round or store.rounds.active(cb.id) or DEFAULT_ROUND  # the codebook's active round
    added: dict[str, list[str]] = {}
    with store.transaction():
        if unknown:
            cb, vid, added = add_codes(store, cb, unknown, sheet, cols, values, actor=actor)
            values, unknown = sheet_values(sheet, cb, cols, lmap)
            assert not unknown
        store.rounds.ensure(round_id, actor=actor)
        imp = store.imports.start(kind="labels", file=Path(path).name, source=f"{coder} / {cb.id} / {round_id}",
                                  actor=actor)
        rows = [(line, CodingRow(unit_id=uid, codebook=cb.id, field=fid, coder=coder, value=v, round=round_id))
                for line, uid, vals in zip(sheet.lines, unit_ids, values) for fid, v in vals.items()]
        try:
            written = code_many(store, [r for _, r in rows], actor=actor or coder)
        except StudyError as e:
            line = rows[e.record - 1][0] if isinstance(e.record, int) and 0 < e.record <= len(rows) else None
            fid = rows[e.record - 1][1].field if line else None
            raise InvalidInput(f"field {fid}: {e.message}" if fid else e.message, path=sheet.path, line=line) from None
        coded = store.defects.coded_units(cb.id, round_id)
        mine = coded.get(coder, set())
        others = set().union(*[v for c, v in coded.items() if c != coder]) if len(coded) > 1 else set()
        keys = store.defects.keys((mine - others) | (others - mine)) if others else {}
        report = LabelsReport(
            file=Path(path).name, coder=coder, codebook=cb.id, round=round_id, rows=len(sheet.rows),
            units=len({u for u in unit_ids}), written=written, key_column=key_col, columns=cols,
            not_imported_columns=[c for c in sheet.columns if c not in cols and c != key_col],
            index_columns=sheet.index_columns, codebook_version=vid, added_codes=added,
            only_this_coder=sorted(keys[u] for u in mine - others) if others else [],
            only_other_coders=sorted(keys[u] for u in others - mine) if others else [])
        store.imports.finish(imp, n_read=len(sheet.rows), n_imported=len(sheet.rows), report=report.to_dict(),
                             actor=actor)
    return report


# --- --add-unknown: a new codebook version with the unknown values as codes ---------------------

def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", fold(text)).strip("-") or "code"


def _parent_of(f: Field, u: dict, sheet: Sheet, columns: dict[str, str], values: list[dict]) -> str:
    """The top-level code a new code of a field with a parent_field goes under: the parent value most
    rows with this spelling have (else the parent's `other` code)."""
    lines = set(u["lines"])
    votes: dict[str, int] = defaultdict(int)
    for line, vals in zip(sheet.lines, values):
        if line in lines and isinstance(vals.get(f.parent_field), str):
            votes[vals[f.parent_field]] += 1
    tops = {c.id for c in f.codes}
    for code, _ in sorted(votes.items(), key=lambda kv: -kv[1]):
        if code in tops:
            return code
    if "other" in tops:
        return "other"
    raise InvalidInput(f"cannot place the new code {u['value']!r} of {f.id!r}: its rows give no {f.parent_field}"
                       " value to put it under; add it to the codebook by hand")


def add_codes(store: Store, cb: Codebook, unknown: dict[tuple[str, str], dict], sheet: Sheet,
              columns: dict[str, str], values: list[dict], *, actor: str | None = None):
    """Store a new version of `cb` with every unknown spelling as a code (label = the spelling);
    returns (codebook, version id, {field: [new code ids]})."""
    added: dict[str, list[tuple[Code, str | None]]] = defaultdict(list)
    for u in sorted(unknown.values(), key=lambda u: (u["field"], min(u["lines"]))):
        f = cb.require_field(u["field"])
        taken = {c.id for c in f.all_codes()} | {c.id for c, _ in added[f.id]}
        under = _parent_of(f, u, sheet, columns, values) if f.parent_field else None
        base = f"{under}.{_slug(u['value'])}" if under else _slug(u["value"])
        cid, n = base, 2
        while cid in taken:
            cid, n = f"{base}-{n}", n + 1
        added[f.id].append((Code(cid, re.sub(r"\s+", " ", u["value"]).strip(),
                                 definition=f"Added by `import labels --add-unknown` from {Path(sheet.path).name} "
                                            f"({len(u['lines'])} row(s)); write its definition."), under))
    new, version = cb, next_version(cb.version)
    header = f"{cb.id} {version}: written by `studyapp import labels --add-unknown` from {Path(sheet.path).name}"
    for field_id, codes in added.items():
        new = new.with_codes(field_id, codes, version=version, header=header)
    vid, _ = store_codebook(store, new, source=f"import labels: {sheet.path}", actor=actor)
    return new, vid, {f: [c.id for c, _ in codes] for f, codes in added.items()}
