"""What the Claims page changes: a claim's check edited as YAML, and claims.yaml uploaded.

The check is shown and edited as a small YAML mapping (metric, params, test, alternative, rule,
refute or checks...); a text that does not parse, or is no mapping, is refused with a message and
nothing changes; otherwise `claims_file.update_claim` validates it before it is kept. An upload is
written under its own name to a temporary folder and imported like `studyapp claims import`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml

from studyapp.errors import StudyError
from studyapp.services.claims.claims_file import import_claims, update_claim
from studyapp.store import Store

CHECK_KEYS = ("metric", "params", "test", "alternative", "rule", "refute", "checks", "require", "correction")


def check_yaml(claim: dict) -> str:
    """The claim's check as the YAML the editor starts from."""
    spec = {k: v for k, v in claim["data"].items() if k in CHECK_KEYS}
    return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)


def update_claim_check(store: Store, claim_id: str, *, text: str, check: str, actor: str | None = None) -> dict:
    """Replace the claim's text and check (`check` as YAML); StudyError when it does not parse, is
    no mapping or fails validation, and then nothing changes."""
    try:
        spec = yaml.safe_load(check) or {}
    except yaml.YAMLError as e:
        raise StudyError(f"the YAML does not parse ({e})") from e
    if not isinstance(spec, dict):
        raise StudyError("the check must be a YAML mapping")
    return update_claim(store, claim_id, text=text, spec=spec, actor=actor)


def import_claims_upload(store: Store, name: str, data: bytes, *, actor: str | None = None) -> int:
    """Import an uploaded claims.yaml (adds and updates claims, all or nothing); returns how many."""
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / Path(name).name
        p.write_bytes(data)
        return import_claims(store, p, actor=actor)
