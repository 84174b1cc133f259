"""The replication package: one zip with what a reader needs to check a study's numbers, and nothing
that identifies a participant unless the lead asks for it.

Contents (every file and column is explained in the package's own data_dictionary.md):
  README.md, data_dictionary.md, manifest.json (sha256 per file), SHA256SUMS
  codebooks/<id>.<version>.yaml|.md   every codebook version used, as stored and as readable Markdown
  codings.csv                         coders' values, long: unit, coder, field, value, round, ...
  adjudicated.csv                     final values: unit, field, value, rationale, lead, round, ...
  units.csv, participants.csv         the units and the participants by id (see `replication_data`)
  agreement/agreement.md|.tex|.csv, agreement/alpha.svg|.png
  claims/claims.yaml, claims/validation.md|.json, claims/evidence.md|.tex, the files claims name
  prisma/prisma.json|.svg|.png        when the study has papers
  saturation/<codebook>.csv|.json|.svg|.png   for each interview codebook with coded turns
The claims are validated while packaging when a dataset is given or recorded in the study (nothing
is recorded); otherwise the package carries the last validations recorded in the study's history.

Only a lead may package (the package holds every coder's values). The zip is built beside OUT and
renamed into place when complete; the study is only read, and the packaging is logged in its history.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from studyapp import __version__
from studyapp.domain.roles import require_lead
from studyapp.errors import StudyError
from studyapp.files import atomic_zip, check_target
from studyapp.render import charts
from studyapp.render.tables import to_csv
from studyapp.services.agreement import report as agreement_report
from studyapp.services.claims import report as claim_report
from studyapp.services.claims import validation
from studyapp.services.claims.claims_file import export_claims
from studyapp.services.coding.codebooks import (
    codebook_markdown,
    codebook_version,
    list_codebooks,
)
from studyapp.services.interviews.saturation import saturation_in_study, study_mentions
from studyapp.services.papers import prisma
from studyapp.services.publish import replication_data as data
from studyapp.services.publish.replication_docs import (
    ReadmeFacts,
    data_dictionary,
    readme,
)
from studyapp.store import Store
from studyapp.store.columns import now

FORMAT = "studyapp-replication-package"
FORMAT_VERSION = 1
HASH_LIMIT = 2 ** 30


@dataclass(frozen=True)
class PackageResult:
    path: Path
    files: dict[str, int]
    bytes: int
    seconds: float
    redactions: int
    withheld_texts: int
    validation_source: str


class _Members(dict):
    """name -> bytes; text passes the privacy scrubber on its way in."""

    def __init__(self, priv: data.Privacy):
        super().__init__()
        self.priv = priv

    def put(self, name: str, content: str | bytes) -> None:
        if name in self:
            raise StudyError(f"the package would hold {name} twice")
        self[name] = self.priv.scrub(content).encode("utf-8") if isinstance(content, str) else content


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _codebooks(store: Store, m: _Members) -> list[str]:
    used = set(store.codebooks.versions_in_use())
    names = []
    for latest in store.codebooks.list_latest():
        for v in store.codebooks.versions(latest["codebook"]):
            if v["id"] in used or v["id"] == latest["id"]:
                stem = f"{quote(v['codebook'], safe='')}.{v['id']}"
                m.put(f"codebooks/{stem}.yaml", store.codebooks.get_version(v["id"])["yaml"])
                m.put(f"codebooks/{stem}.md", codebook_markdown(codebook_version(store, v["codebook"], v["id"])[0],
                                                                version_id=v["id"]))
                names.append(f"{stem}.yaml")
    return names


def _agreement(store: Store, m: _Members, n_boot: int, seed: int) -> list:
    rows = agreement_report.report_rows(store, n_boot=n_boot, seed=seed)
    if rows:
        for fmt, ext in (("markdown", "md"), ("latex", "tex"), ("csv", "csv")):
            m.put(f"agreement/agreement.{ext}", getattr(agreement_report, f"to_{fmt}")(rows, title=store.title))
        for name, content in charts.chart_files(agreement_report.alpha_chart(rows), "agreement/alpha").items():
            m.put(name, content)
    return rows


def _dataset_facts(path: Path, folder: Path) -> dict:
    try:
        name = path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        name = path.name
    size = path.stat().st_size
    return {"name": name, "bytes": size, "sha256": _digest(path) if size <= HASH_LIMIT else None}


def _claims(store: Store, m: _Members, facts: ReadmeFacts, dataset: str | Path | None) -> None:
    claims = store.claims.list()
    if not claims:
        return
    folder = Path(store.folder)
    ds = Path(dataset) if dataset else validation._dataset_path(store.meta("dataset"), folder)
    if dataset and not ds.is_file():
        raise StudyError(f"no dataset file {dataset}")
    if ds is not None and ds.is_file():
        records = [o.record() for o in validation.validate_study(store, dataset=ds, record=False)]
        facts.validation_source = f"a validation run while packaging ({now()[:19]} UTC)"
        facts.dataset = _dataset_facts(ds, folder)
    else:
        records = claim_report.latest_records(store)
        facts.validation_source = ("the last validation of each claim recorded in the study's history"
                                   if records else "nowhere: no claim has been validated yet")
        ds = None
    shown = facts.dataset["name"] if facts.dataset else None
    for r in records:
        if r.get("dataset"):
            r["dataset"] = shown or Path(r["dataset"]).name
    facts.claims = True
    m.put("claims/claims.yaml", export_claims(store))
    for rel in data.claim_files(store, claims, ds):
        name = f"claims/{rel.as_posix()}"
        if name not in m:
            content = (folder / rel).read_bytes()
            try:
                m.put(name, content.decode("utf-8"))
            except UnicodeDecodeError:
                m.put(name, content)
    m.put("claims/validation.json", json.dumps(records, indent=2, ensure_ascii=False, default=str))
    m.put("claims/validation.md", claim_report.report_markdown(records, title=store.title, dataset=shown,
                                                               source=f"From {facts.validation_source}."))
    for fmt, ext in (("markdown", "md"), ("latex", "tex")):
        m.put(f"claims/evidence.{ext}", claim_report.render_records(records, fmt, caption="Claims and their evidence")
              + "\n")


def _prisma(store: Store, m: _Members) -> bool:
    if not store.units.count("paper"):
        return False
    m.put("prisma/prisma.json", json.dumps(prisma.prisma(store, "json"), indent=2, ensure_ascii=False))
    svg = prisma.prisma(store, "svg")
    m.put("prisma/prisma.svg", svg)
    m.put("prisma/prisma.png", prisma.prisma_png(svg))
    return True


def _saturation(store: Store, m: _Members) -> list[str]:
    import pandas as pd

    done = []
    for cb in list_codebooks(store):
        if cb.kind != "interview":
            continue
        _, mentions = study_mentions(store, cb.id)
        if not mentions:
            continue
        stem = f"saturation/{quote(cb.id, safe='')}"
        m.put(f"{stem}.csv", to_csv(pd.DataFrame(mentions, columns=["participant", "code"])))
        curve = saturation_in_study(store, cb.id)
        m.put(f"{stem}.json", json.dumps(curve.as_dict(), indent=2))
        for name, content in charts.chart_files(charts.saturation_chart(curve), stem).items():
            m.put(name, content)
        done.append(quote(cb.id, safe=""))
    return done


def build_package(store: Store, out_path: str | Path, *, actor: str | None, include_identifying: bool = False,
                  dataset: str | Path | None = None, force: bool = False, n_boot: int = 1000,
                  seed: int = 0) -> PackageResult:
    """Write the replication package of `store` to the zip `out_path` (see the module docstring)."""
    require_lead(store, actor, "make a replication package")
    out = check_target(out_path, force)
    t0 = time.perf_counter()
    priv = data.privacy(store, include_identifying)
    m = _Members(priv)
    facts = ReadmeFacts(title=store.title, created_at=now(), lead=str(actor), include_identifying=include_identifying,
                        dropped_attributes=priv.dropped, n_boot=n_boot, seed=seed)
    facts.codebooks = _codebooks(store, m)
    m.put("codings.csv", to_csv(data.codings_frame(store)))
    m.put("adjudicated.csv", to_csv(data.adjudicated_frame(store)))
    units = data.units_frame(store, priv)
    facts.withheld_texts = int((units["text_withheld"] == "yes").sum())
    m.put("units.csv", to_csv(units))
    if priv.participants:
        m.put("participants.csv", to_csv(priv.participant_rows()))
        facts.participants = True
    rows = _agreement(store, m, n_boot, seed)
    _claims(store, m, facts, dataset)
    facts.prisma = _prisma(store, m)
    facts.saturation = _saturation(store, m)
    facts.redactions = priv.redactions
    m.put("README.md", readme(facts, rows))
    m.put("data_dictionary.md", data_dictionary(dict(m), title=store.title))
    sums = {name: hashlib.sha256(content).hexdigest() for name, content in sorted(m.items())}
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "studyapp_version": __version__,
                "study": store.title, "created_at": facts.created_at, "created_by": actor,
                "include_identifying": include_identifying, "dropped_attributes": priv.dropped,
                "withheld_texts": facts.withheld_texts, "redactions": priv.redactions,
                "agreement": {"n_boot": n_boot, "seed": seed}, "dataset": facts.dataset,
                "validation": facts.validation_source or None,
                "files": {name: {"sha256": sums[name], "bytes": len(m[name])} for name in sums}}
    m["SHA256SUMS"] = "".join(f"{h}  {name}\n" for name, h in sums.items()).encode("utf-8")
    m["manifest.json"] = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")
    with atomic_zip(out) as zf:
        for name in sorted(m):
            zf.writestr(name, m[name])
    size = out.stat().st_size
    with store.transaction():
        store.history.log("study.package", actor=actor, new={"file": out.name, "files": len(m), "bytes": size},
                          detail={"include_identifying": include_identifying, "dataset": facts.dataset,
                                  "sha256": _digest(out), "redactions": priv.redactions,
                                  "withheld_texts": facts.withheld_texts})
    return PackageResult(out, {name: len(c) for name, c in sorted(m.items())}, size, time.perf_counter() - t0,
                         priv.redactions, facts.withheld_texts, facts.validation_source)
