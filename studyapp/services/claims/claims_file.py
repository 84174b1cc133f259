"""Claims and their links: sources, metric(s), parameters, test and decision rule (format: docs/claims.md).

A claim is stored with `store.claims.upsert(id, text=, type=, data=)`. `data` keeps the keys the
SLR extraction writes (`sources`, `validated_quantitatively`, `merged_from`) and adds the check:
`metric`, `params`, `test`, `alternative`, `rule`, `refute`, or a list of `checks` (each with those
keys) plus `require` (all/any) and `correction` (holm/none); `dataset` optionally names the dataset.
The same keys are written in a claims.yaml file. Everything is checked before anything is written:
a bad file raises `InvalidInput` with its path and line, and leaves the study unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from studyapp.datasets.metrics import METRICS
from studyapp.errors import InvalidInput, NotFound
from studyapp.readers.yaml_lines import LineMap, line_of, load_yaml_lines
from studyapp.services.claims.verdicts import parse_rule
from studyapp.stats.hypothesis import ALTERNATIVES, TESTS
from studyapp.store import Store

CLAIM_KEYS = {"id", "text", "type", "sources", "metric", "params", "test", "alternative", "rule", "refute",
              "checks", "require", "correction", "dataset", "validated_quantitatively", "merged_from", "note"}
CHECK_KEYS = {"metric", "params", "test", "alternative", "rule", "refute", "label"}
TYPES = ("qualitative", "quantitative")
QUALITATIVE_SOURCES = {"interview", "transcript", "segment", "participant"}


def _default_type(c: dict) -> str:
    """A claim without a `type`: qualitative when all its sources are interview data (a count of
    coded turns checks a qualitative claim, it does not make it quantitative), else quantitative
    when it links a metric, else qualitative."""
    kinds = {str(s.get("kind") or "paper") for s in (c.get("sources") or []) if isinstance(s, dict)}
    if kinds and kinds <= QUALITATIVE_SOURCES:
        return "qualitative"
    return "quantitative" if c.get("metric") or c.get("checks") else "qualitative"
#: A claims file is written by people: a few KB. Beyond this it is not one (and is not parsed).
MAX_FILE_BYTES = 16 * 2 ** 20


@dataclass(frozen=True)
class Check:
    """One metric + test + rule of a claim."""
    metric: str
    params: dict
    test: str
    alternative: str
    rule: str
    refute: str | None
    label: str


_Map = LineMap


def _line(obj: Any, key: str | None = None) -> int | None:
    return line_of(obj, key) if isinstance(obj, LineMap) else None


def snapshot_sources(metric: str, params: dict) -> list:
    """The snapshot sources a turnover check names ("dataset" or file lists), one per registry."""
    if metric == "turnover":
        return [params.get("snapshots")]
    regs = params.get("registries")
    return list(regs.values()) if metric == "turnover_compare" and isinstance(regs, dict) else []


def snapshot_path_problem(source) -> str | None:
    """Why a snapshot source may not be read (None when it may): files are named by paths relative
    to the study folder, never absolute, never through `..`, never hidden or the study database."""
    if source in (None, "dataset"):
        return None
    files = [source] if isinstance(source, str) else list(source) if isinstance(source, list) else None
    if files is None or not all(isinstance(f, str) and f.strip() for f in files):
        return 'snapshots must be "dataset" or a list of file paths relative to the study folder'
    for f in files:
        parts = Path(f).parts
        if Path(f).is_absolute() or "\\" in f or ".." in parts or any(x.startswith(".") for x in parts) \
                or Path(f).name.startswith(Store.db_path(".").name):
            return (f"snapshot {f!r} is not a file of the study folder: name snapshots by a path relative to it "
                    "(e.g. claims/npm-2023.csv)")
    return None


def default_rule(test: str) -> str:
    """The rule used when a claim gives none: significance at 0.05 for tests, a positive value otherwise."""
    return "value > 0" if test == "none" else "p < 0.05"


def _check(c: dict, parent: dict, where: str) -> Check:
    def line(key: str) -> int | None:
        return _line(c, key) if key in c or not isinstance(parent, _Map) or key not in parent else _line(parent, key)

    metric = c.get("metric")
    if metric not in METRICS:
        raise InvalidInput(f"{where}: unknown metric {metric!r} (known: {', '.join(sorted(METRICS))})",
                           line=_line(c, "metric"))
    m = METRICS[metric]
    params = c.get("params") or {}
    if not isinstance(params, dict):
        raise InvalidInput(f"{where}: params must be a mapping", line=_line(c, "params"))
    unknown = sorted(set(params) - set(m.params))
    if unknown:
        raise InvalidInput(f"{where}: metric {metric!r} has no parameter {unknown[0]!r} "
                           f"(it takes: {', '.join(m.params)})", line=_line(params, unknown[0]) or _line(c, "params"))
    for src in snapshot_sources(metric, params) if m.source == "snapshots" else []:
        problem = snapshot_path_problem(src)
        if problem:
            raise InvalidInput(f"{where}: {problem}", line=_line(params, "snapshots") or _line(c, "params"))
    if m.source == "codings":
        for needed in ("codebook", "field", "code"):
            if params.get(needed) in (None, ""):
                raise InvalidInput(f"{where}: metric {metric!r} needs params.{needed}", line=_line(c, "params"))
    test = c.get("test") or parent.get("test") or m.default_test
    if test not in TESTS:
        raise InvalidInput(f"{where}: unknown test {test!r} (known: {', '.join(TESTS)})", line=line("test"))
    if test not in m.tests:
        raise InvalidInput(f"{where}: test {test!r} does not fit metric {metric!r} (use one of: {', '.join(m.tests)})",
                           line=line("test"))
    alternative = c.get("alternative") or parent.get("alternative") or "two-sided"
    if alternative not in ALTERNATIVES:
        raise InvalidInput(f"{where}: alternative must be one of {', '.join(ALTERNATIVES)}",
                           line=line("alternative"))
    rule = c.get("rule") or parent.get("rule") or default_rule(test)
    refute = c.get("refute") or parent.get("refute")
    for key, text in (("rule", rule), ("refute", refute)):
        if text is not None:
            try:
                parse_rule(str(text), where=f"{where}: {key}")
            except InvalidInput as e:
                raise InvalidInput(e.message, line=line(key)) from None
    return Check(metric, dict(params), test, alternative, str(rule), str(refute) if refute else None,
                 str(c.get("label") or metric))


def checks_of(claim: dict) -> list[Check]:
    """The checks of a stored claim (`{"id", "text", "type", "data"}`) or of a claims.yaml entry; [] when the
    claim links no metric. Raises InvalidInput naming what is wrong."""
    d = claim.get("data", claim)
    where = f"claim {claim.get('id')}"
    if d.get("checks"):
        if d.get("metric"):
            raise InvalidInput(f"{where}: give either metric or checks, not both", line=_line(d, "checks"))
        if not isinstance(d["checks"], list):
            raise InvalidInput(f"{where}: checks must be a list", line=_line(d, "checks"))
        out = []
        for i, c in enumerate(d["checks"], start=1):
            if not isinstance(c, dict):
                raise InvalidInput(f"{where}, check {i}: must be a mapping", line=_line(d, "checks"))
            bad = sorted(set(c) - CHECK_KEYS)
            if bad:
                raise InvalidInput(f"{where}, check {i}: unknown key {bad[0]!r}", line=_line(c, bad[0]))
            out.append(_check(c, d, f"{where}, check {i}"))
        return out
    return [_check(d, {}, where)] if d.get("metric") else []


def check_claim(c: dict) -> dict:
    """Validate one claims.yaml entry; returns {id, text, type, data}."""
    if not isinstance(c, dict):
        raise InvalidInput(f"each claim must be a mapping (id, text, ...), not {type(c).__name__} {str(c)[:40]!r}")
    where = f"claim {c.get('id', '?')}"
    bad = sorted(set(c) - CLAIM_KEYS)
    if bad:
        raise InvalidInput(f"{where}: unknown key {bad[0]!r} (see docs/claims.md)", line=_line(c, bad[0]))
    if not str(c.get("id") or "").strip():
        raise InvalidInput("a claim needs an id", line=_line(c))
    if not str(c.get("text") or "").strip():
        raise InvalidInput(f"{where}: needs a text", line=_line(c))
    ctype = c.get("type") or _default_type(c)
    if ctype not in TYPES:
        raise InvalidInput(f"{where}: type must be qualitative or quantitative", line=_line(c, "type"))
    sources = c.get("sources") or []
    if not isinstance(sources, list) or not all(isinstance(s, dict) for s in sources):
        raise InvalidInput(f"{where}: sources must be a list of mappings (kind, unit_key, quote, page)",
                           line=_line(c, "sources"))
    if c.get("require", "all") not in ("all", "any"):
        raise InvalidInput(f"{where}: require must be all or any", line=_line(c, "require"))
    if c.get("correction", "holm") not in ("holm", "none"):
        raise InvalidInput(f"{where}: correction must be holm or none", line=_line(c, "correction"))
    checks_of(c)
    data = {k: _plain(v) for k, v in c.items() if k not in ("id", "text", "type")}
    return {"id": str(c["id"]).strip(), "text": str(c["text"]).strip(), "type": ctype, "data": data}


def _plain(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def _read_text(path: Path) -> str:
    """The file's text: refused with a clear message when missing, beyond reason in size, or not UTF-8."""
    if not path.is_file():
        raise InvalidInput("no such claims file", path=str(path))
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInput(f"{size:,} bytes: a claims file of more than {MAX_FILE_BYTES:,} bytes is not one "
                               "people wrote", path=str(path))
        raw = path.read_bytes()
    except OSError as e:
        raise InvalidInput(f"cannot read the file: {e.strerror or e}", path=str(path)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InvalidInput(f"not UTF-8 text (byte {e.start} is {raw[e.start]:#04x}); save the file as UTF-8",
                           path=str(path), line=raw[: e.start].count(b"\n") + 1) from None


@dataclass(frozen=True)
class ClaimsFile:
    path: Path
    claims: list[dict]
    dataset: str | None


def read_claims_file(path: str | Path) -> ClaimsFile:
    """Parse and check a claims.yaml; every problem raises InvalidInput with path and line."""
    path = Path(path)
    text = _read_text(path)
    doc = load_yaml_lines(text, path=str(path)) or {}
    if not isinstance(doc, dict) or not isinstance(doc.get("claims"), list):
        raise InvalidInput("a claims file is a mapping with a `claims:` list", path=str(path), line=1)
    out, seen = [], {}
    for c in doc["claims"]:
        try:
            claim = check_claim(c)
        except InvalidInput as e:
            raise InvalidInput(e.message, path=str(path), line=e.line or _line(c)) from None
        if claim["id"] in seen:
            raise InvalidInput(f"claim id {claim['id']!r} appears twice (first at line {seen[claim['id']]})",
                               path=str(path), line=_line(c, "id"))
        seen[claim["id"]] = _line(c, "id")
        out.append(claim)
    return ClaimsFile(path, out, doc.get("dataset"))


def import_claims(store: Store, path: str | Path, *, actor: str | None = None) -> int:
    """Write the claims of a claims.yaml into the study in one transaction (existing claims are updated;
    keys the file does not mention, such as the SLR's merged_from, are kept). Only a lead imports."""
    from studyapp.domain.roles import lead_only

    lead_only(store, actor, "import claims")
    cf = read_claims_file(path)
    with store.transaction():
        for c in cf.claims:
            old = store.claims.get(c["id"])
            data = {**(old["data"] if old else {}), **c["data"]}
            store.claims.upsert(c["id"], text=c["text"], type=c["type"], data=data, actor=actor)
        if cf.dataset and not store.meta("dataset"):
            store.set_meta("dataset", str(cf.dataset))
    return len(cf.claims)


def list_claims(store: Store) -> list[dict]:
    return store.claims.list()


def update_claim(store: Store, claim_id: str, *, text: str, spec: dict, claim_type: str | None = None,
                 actor: str | None = None) -> dict:
    """Replace a claim's text and check (`spec`: metric/params/test/alternative/rule/refute/checks...),
    keeping its sources and the SLR keys; validated first, written in one transaction."""
    old = store.claims.get(claim_id)
    if old is None:
        raise NotFound(f"no claim {claim_id!r}")
    keep = {k: v for k, v in old["data"].items()
            if k in ("sources", "validated_quantitatively", "merged_from", "note", "dataset")}
    entry = {"id": claim_id, "text": text, **keep, **{k: v for k, v in spec.items() if v not in (None, "", {})}}
    entry["type"] = claim_type or old["type"]
    claim = check_claim(entry)
    store.claims.upsert(claim_id, text=claim["text"], type=claim["type"], data=claim["data"], actor=actor)
    return claim


def export_claims(store: Store) -> str:
    """The study's claims as a claims.yaml text (the format read_claims_file reads)."""
    claims = []
    for c in store.claims.list():
        entry = {"id": c["id"], "text": c["text"], "type": c["type"]}
        entry.update({k: v for k, v in c["data"].items() if k not in entry})
        claims.append(entry)
    doc: dict = {"claims": claims}
    if store.meta("dataset"):
        doc = {"dataset": store.meta("dataset"), **doc}
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)
