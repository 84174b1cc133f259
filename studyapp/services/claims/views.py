"""Read-model of the Claims page: the evidence table, one claim's evidence, and claims.yaml.

What is shown comes from the validations recorded in the study's history, so the page opens at
once however large the dataset. `claims_view` gives every claim with its last verdict, the chosen
claim with its last record and, per check, the metric's chart; and the texts the page offers
(the claim's check as YAML to edit, the whole claims.yaml to download).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from studyapp.services.claims import claims_file, validation
from studyapp.services.claims import report as claim_report
from studyapp.services.claims.charts import check_chart
from studyapp.services.claims.editing import check_yaml
from studyapp.store import Store


@dataclass(frozen=True)
class ClaimsView:
    """`evidence` has one row per claim (its last verdict, or "not validated"); `records` the last
    validation records as the downloadable table (None before any validation). `claim` is the one
    chosen (`pick`, else the first), `record` its last validation and `charts` one chart (or None)
    per check of that record."""

    claims: list[dict]
    dataset: str | None
    claims_yaml: str
    evidence: pd.DataFrame | None = None
    records: pd.DataFrame | None = None
    claim: dict | None = None
    record: dict | None = None
    charts: list | None = None
    check_yaml: str | None = None

    @property
    def by_id(self) -> dict[str, dict]:
        return {c["id"]: c for c in self.claims}


def claims_view(store: Store, pick: str | None = None) -> ClaimsView:
    claims = store.claims.list()
    dataset, text = store.meta("dataset"), claims_file.export_claims(store)
    if not claims:
        return ClaimsView(claims, dataset, text)
    records = claim_report.latest_records(store)
    claim = next((c for c in claims if c["id"] == pick), claims[0])
    record = validation.latest(store).get(claim["id"])
    return ClaimsView(claims, dataset, text, validation.evidence_table(store),
                      claim_report.records_frame(records) if records else None, claim, record,
                      [check_chart(c) for c in (record or {}).get("checks") or []], check_yaml(claim))
