"""License consistency between PTMs and the GitHub repositories that reuse them (PeaTMOSS, MSR 2024).

Each model-to-repository link pairs the model's license(s) (model_to_license) with the repository's
(reuse_repository_to_license, DIST version only). Licenses are grouped into families, and a pair is
- consistent: the same license, a permissive model license (any repository license may carry it),
  or copyleft carried on under copyleft;
- inconsistent: a copyleft model in a repository under a permissive license; a non-commercial or
  use-restricted (RAIL, Llama) model in a repository under a license that grants what the model's
  forbids (permissive or copyleft);
- unknown: either side has no license or one the families do not know ("other").
This is a screening rule for a claim, not legal advice; docs/claims.md states it.
"""

from __future__ import annotations

import re

from studyapp.datasets.metrics.base import Metric, MetricResult, run_query
from studyapp.datasets.peatmoss import require
from studyapp.datasets.sandbox import Dataset

FAMILIES = (
    ("noncommercial", r"^cc-by-nc"),
    ("restricted", r"(openrail|rail|llama|gemma|deepfloyd|bigscience-bloom)"),
    ("copyleft", r"^(gpl|agpl|lgpl|cc-by-sa|mpl|epl|eupl|osl|cecill)"),
    ("permissive", r"^(apache|mit|bsd|isc|unlicense|cc0|cc-by-\d|cc-by$|afl|artistic|bsl|zlib|wtfpl|ecl|postgresql|ms-pl|ncsa)"),
)

SQL = """SELECT ml.name AS model_license, rl.name AS repo_license, count(*) AS links
FROM model_to_reuse_repository l
LEFT JOIN model_to_license mtl ON mtl.model_id = l.model_id
LEFT JOIN license ml ON ml.id = mtl.license_id
LEFT JOIN reuse_repository_to_license rtl ON rtl.reuse_repository_id = l.reuse_repository_id
LEFT JOIN license rl ON rl.id = rtl.license_id
GROUP BY ml.name, rl.name"""


def family(name: str | None) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return None
    n = name.strip().lower()
    for fam, pattern in FAMILIES:
        if re.search(pattern, n):
            return fam
    return None


def classify(model_license: str | None, repo_license: str | None) -> str:
    """consistent / inconsistent / unknown for one (model license, repository license) pair."""
    m, r = family(model_license), family(repo_license)
    if m is None or r is None:
        return "unknown"
    if str(model_license).strip().lower() == str(repo_license).strip().lower() or m == "permissive":
        return "consistent"
    if m == "copyleft":
        return "consistent" if r == "copyleft" else "inconsistent"
    return "consistent" if r == m else "inconsistent"


def consistency(ds: Dataset, *, p0: float = 0.5) -> MetricResult:
    """Share of model-to-repository links (both licenses known) whose licenses are consistent."""
    require(ds, {"model_to_reuse_repository": ("model_id", "reuse_repository_id"),
                 "model_to_license": ("model_id", "license_id"),
                 "reuse_repository_to_license": ("reuse_repository_id", "license_id"),
                 "license": ("id", "name")}, "license consistency")
    runs: list = []
    df = run_query(ds, SQL, (), runs).frame()
    df["verdict"] = [classify(m, r) for m, r in zip(df.model_license, df.repo_license)]
    by = df.groupby("verdict").links.sum().to_dict()
    ok, bad, unk = (int(by.get(v, 0)) for v in ("consistent", "inconsistent", "unknown"))
    known = ok + bad
    notes = ["pairs count every (model license, repository license) combination: a model or repository "
             "with two licenses counts twice"]
    if unk:
        notes.append(f"{unk:,} link pair(s) have a missing or unrecognised license: left out of the share")
    return MetricResult(
        "license_consistency", {"p0": p0}, ok / known if known else None,
        f"share of {known:,} model-repository license pairs that are consistent",
        df.sort_values("links", ascending=False, kind="stable").reset_index(drop=True),
        data={"successes": ok, "trials": known, "p0": p0},
        extras={"consistent": ok, "inconsistent": bad, "unknown": unk, "known": known,
                "inconsistent_share": bad / known if known else None},
        queries=runs, notes=notes, n=known,
        chart={"kind": "bars", "x": "verdict", "y": "links", "title": "License pairs of reuse links"})


METRICS = [
    Metric("license_consistency", "License consistency of PTMs and reusing repositories", "dataset", consistency,
           {"p0": (0.5, "share the proportion test compares against")},
           "proportion", ("proportion", "none"),
           "Share of model-to-repository links whose repository license is consistent with the model's."),
]
