"""The claims part of the demo study: a synthetic sample dataset and the snapshot files its claims use.

`extend(store, source_dir)` runs after the common demo build (services/demo.py loads
data/demo/claims.yaml into the store). It checks that file as `studyapp claims import` would, writes a
deterministic synthetic PeaTMOSS-schema sample to `<study>/datasets/sample.db` (generated, never
committed), copies the fictional snapshot CSVs of data/demo/claims/ to `<study>/claims/` so the
claims' relative paths resolve against the study folder, records the dataset in the study's meta, and
validates the claims once as the lead would (so the Claims page opens with verdicts and evidence).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from studyapp.datasets.sample import generate
from studyapp.services.claims.claims_file import read_claims_file
from studyapp.store import Store

SAMPLE_MODELS = 5000
SAMPLE_SEED = 7
DATASET = "datasets/sample.db"
LEAD = "alice"


def extend(store: Store, source: Path) -> None:
    source = Path(source)
    claims_file = source / "claims.yaml"
    if not claims_file.exists():
        return
    cf = read_claims_file(claims_file)
    generate(store.folder / DATASET, models=SAMPLE_MODELS, seed=SAMPLE_SEED)
    if (source / "claims").is_dir():
        shutil.copytree(source / "claims", store.folder / "claims", dirs_exist_ok=True)
    store.set_meta("dataset", cf.dataset or DATASET)
    from studyapp.services.claims.validation import validate_study

    validate_study(store, viewer=LEAD, actor=LEAD, record=True)
