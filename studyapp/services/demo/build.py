"""Build the demo study from the files in data/demo (see data/demo/README.md).

The build is deterministic and atomic: everything is written into a temporary folder next to the
target, which is renamed into place only when every file has loaded. An existing demo study is kept
(a researcher may have coded in it) unless `rebuild` is asked for.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

import yaml

from studyapp.domain.values import encode, normalise
from studyapp.errors import InvalidInput, StudyError
from studyapp.paths import DEMO_SOURCE, DEMO_STUDY, REPO_ROOT
from studyapp.services.coding.codebooks import add_codebook, codebook_version
from studyapp.services.coding.coding import CodingRow, code_many
from studyapp.services.demo import claims as demo_claims
from studyapp.services.demo import interviews as demo_interviews
from studyapp.services.demo import papers as demo_papers
from studyapp.services.demo import span_agreement as demo_span_agreement
from studyapp.services.study.auth import DEMO_META, demo_password, set_password
from studyapp.services.study.browse import codebooks_for
from studyapp.store import Store
from studyapp.store.rounds import DEFAULT_ROUND

UNIT_KIND = {"paper": "paper", "segment": "segment", "defect": "defect"}


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def build_demo(target: str | Path = DEMO_STUDY, *, source: str | Path = DEMO_SOURCE,
               rebuild: bool = False) -> Path:
    """Make the demo study in `target` unless one is there already; returns the study folder."""
    target, source = Path(target), Path(source)
    if Store.exists(target) and not rebuild:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".demo-build-", dir=target.parent))
    try:
        store = _build(tmp / "study", source)
        store.close()
        if target.exists():
            shutil.rmtree(target)
        (tmp / "study").rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _new_study(folder: Path, spec: dict, codebooks: list[Path]) -> Store:
    """Like `init_study`, but the spec's rounds are made before the default one: the app lists rounds
    in the order they were made, and a pilot must come before the main round."""
    store = Store.create(folder, spec.get("title"), actor="demo")
    for r in spec.get("rounds", []):
        store.rounds.ensure(r["id"], r.get("label"), actor="demo")
        for cb in r.get("codebooks", []):  # before the codebooks: none of them then takes `main` by default
            store.rounds.attach(r["id"], cb, actor="demo")
    store.rounds.ensure(DEFAULT_ROUND, "Main", actor="demo")
    for path in codebooks:
        add_codebook(store, path, actor="demo")
    for cb, round_id in (spec.get("active") or {}).items():
        store.rounds.set_active(cb, round_id, actor="demo")
    return store


def _build(folder: Path, source: Path) -> Store:
    spec = yaml.safe_load((source / "study.yaml").read_text(encoding="utf-8"))
    codebooks = [REPO_ROOT / p for p in spec.get("codebooks", [])]
    store = _new_study(folder, spec, codebooks)
    if spec.get("description"):
        store.set_meta("description", spec["description"])
    for c in spec.get("coders", []):
        store.coders.add(c["name"], c.get("role", "coder"), actor="demo")
        set_password(store, c["name"], demo_password(c["name"]), actor=None)
    store.set_meta(DEMO_META, "1")  # its sign-in page lists these accounts; no other study has this
    for r in spec.get("rounds", []):
        store.rounds.ensure(r["id"], r.get("label"), actor="demo")
    _papers(store, source / "papers.csv")
    _transcripts(store, source)
    _defects(store, source / "defects.csv")
    _codings(store, source / "codings.csv", _to_do(spec))
    _adjudications(store, source / "adjudications.csv")
    _memos(store, source / "memos.csv")
    _claims(store, source / "claims.yaml")
    _extensions(store, source)
    for r in spec.get("rounds", []):
        if r.get("reconciliation_open"):
            store.rounds.set_reconciliation(r["id"], True, actor="demo")
    return store


#: The feature parts of the demo (screening decisions, spans, the claims' dataset...), in the order
#: they run after the common parts; each is `extend(store, source_dir)`.
DEMO_PARTS = (demo_papers.extend, demo_interviews.extend, demo_span_agreement.extend, demo_claims.extend)


def _extensions(store: Store, source: Path) -> None:
    for extend in DEMO_PARTS:
        extend(store, source)


def _papers(store: Store, path: Path) -> None:
    if not path.exists():
        return
    with store.transaction():
        imp = store.imports.start(kind="papers", file=path.name, source="demo", actor="demo")
        rows = _rows(path)
        store.units.add_many(
            [{"kind": "paper", "key": r["key"], "title": r["title"], "text": r.get("abstract", ""),
              "seq": i, "attrs": {k: r[k] for k in ("authors", "year", "venue", "doi", "source") if r.get(k)}}
             for i, r in enumerate(rows, start=1)], import_id=imp, actor="demo")
        store.imports.finish(imp, n_read=len(rows), n_imported=len(rows), actor="demo")


def _transcripts(store: Store, source: Path) -> None:
    from studyapp.services.interviews.imports import import_demo_transcripts

    import_demo_transcripts(store, source)


def _defects(store: Store, path: Path) -> None:
    if not path.exists():
        return
    with store.transaction():
        imp = store.imports.start(kind="defects", file=path.name, source="demo", actor="demo")
        rows = _rows(path)
        store.units.add_many(
            [{"kind": "defect", "key": r["key"], "title": r["title"], "text": r.get("body", ""), "seq": i,
              "attrs": _defect_attrs(r)}
             for i, r in enumerate(rows, start=1)], import_id=imp, actor="demo")
        store.imports.finish(imp, n_read=len(rows), n_imported=len(rows), actor="demo")


def _defect_attrs(row: dict) -> dict:
    """A demo defect's attrs as the defect importer writes them: `issue` is repository and number."""
    attrs = {k: row[k] for k in ("repo", "url") if row.get(k)}
    if row.get("issue"):
        attrs["number"] = int(row["issue"])
        attrs["issue"] = f"{row.get('repo') or ''}#{int(row['issue'])}"
    return attrs


def _unit_id(store: Store, cache: dict, kind: str, key: str, path: Path, n: int) -> int:
    if kind not in cache:
        cache[kind] = store.units.ids_by_key(UNIT_KIND.get(kind, kind))
    try:
        return cache[kind][key]
    except KeyError:
        raise InvalidInput(f"no {kind} with key {key!r}", path=str(path), record=n) from None


def _to_do(spec: dict) -> set[tuple[str, str, str]]:
    """(round, unit kind, key) the demo leaves uncoded for a newcomer (`to_do` in study.yaml)."""
    return {(t["round"], t["unit_kind"], k) for t in spec.get("to_do") or [] for k in t["keys"]}


def _codings(store: Store, path: Path, to_do: set = frozenset()) -> None:
    if not path.exists():
        return
    cache: dict = {}
    kept = [(n, r) for n, r in enumerate(_rows(path), start=1)
            if (r.get("round") or "main", r["unit_kind"], r["unit_key"]) not in to_do]
    rows = [CodingRow(unit_id=_unit_id(store, cache, r["unit_kind"], r["unit_key"], path, n), codebook=r["codebook"],
                      field=r["field"], coder=r["coder"], round=r.get("round") or "main", value=r["value"])
            for n, r in kept]
    try:
        code_many(store, rows)
    except StudyError as e:  # the record of the file, not of the rows kept
        record = kept[e.record - 1][0] if e.record and 0 < e.record <= len(kept) else e.record
        raise InvalidInput(e.message, path=str(path), record=record) from None


def _adjudications(store: Store, path: Path) -> None:
    if not path.exists():
        return
    cache: dict = {}
    with store.transaction():
        for n, r in enumerate(_rows(path), start=1):
            uid = _unit_id(store, cache, r["unit_kind"], r["unit_key"], path, n)
            cb, vid = codebook_version(store, r["codebook"])
            field = cb.require_field(r["field"])
            text, num = encode(field, normalise(field, r["value"]))
            store.finals.set(unit_id=uid, codebook=cb.id, field=field.id, value=text, value_num=num,
                             round=r.get("round") or None, rationale=r.get("rationale"), by=r.get("by"),
                             codebook_version=vid)


def _memos(store: Store, path: Path) -> None:
    if not path.exists():
        return
    cache: dict = {}
    with store.transaction():
        for n, r in enumerate(_rows(path), start=1):
            uid = _unit_id(store, cache, r["unit_kind"], r["unit_key"], path, n) if r.get("unit_key") else None
            books = [r["codebook"]] if r.get("codebook") else [
                c.id for c in codebooks_for(store, UNIT_KIND.get(r["unit_kind"], r["unit_kind"]))]
            round_id = r.get("round") or next((store.rounds.active(b) for b in books), None) or DEFAULT_ROUND
            store.memos.add(text=r["text"], coder=r.get("coder") or None, target_kind=r.get("target_kind") or "unit",
                            unit_id=uid, codebook=r.get("codebook") or None, code=r.get("code") or None,
                            round=round_id)


def _claims(store: Store, path: Path) -> None:
    if not path.exists():
        return
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    with store.transaction():
        for c in doc.get("claims", []):
            data = {k: v for k, v in c.items() if k not in ("id", "text", "type")}
            store.claims.upsert(str(c["id"]), text=c["text"], type=c.get("type", "qualitative"), data=data,
                                actor="demo")
