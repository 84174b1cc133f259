"""Claims extracted from papers: first-class records with their sources, and merging them.

A claim is a `claims` record (see store.memos.Claims) whose data holds
`{"sources": [{"kind": "paper", "unit_key", "quote", "page"}], "validated_quantitatively": bool,
"merged_from": [ids], "extracted_by": coder}`. Merging several papers' claims makes a new claim
with all their sources (this is how an SLR's many claims become a dozen); the merged claims are
kept, marked `merged_into`, so nothing is lost and the merge can be read back. Validating a claim
against data is the claims feature's job, not this module's.
"""

from __future__ import annotations

import re

from studyapp.errors import NotFound, StudyError
from studyapp.store import Store

TYPES = ("qualitative", "quantitative")
PREFIX = "slr-"


def _next_id(store: Store) -> str:
    nums = [int(m.group(1)) for c in store.claims.list() if (m := re.fullmatch(rf"{PREFIX}(\d+)", c["id"]))]
    return f"{PREFIX}{max(nums, default=0) + 1:03d}"


def _source(store: Store, unit_key: str, quote: str, page: str | None) -> dict:
    if store.units.by_key("paper", unit_key) is None:
        raise NotFound(f"no paper with key {unit_key!r}")
    if not (quote or "").strip():
        raise StudyError("a claim needs a supporting quote from the paper")
    return {"kind": "paper", "unit_key": unit_key, "quote": quote.strip(), "page": str(page or "").strip()}


def _check(text: str, type_: str) -> None:
    if not (text or "").strip():
        raise StudyError("a claim needs its text")
    if type_ not in TYPES:
        raise StudyError(f"a claim's type is qualitative or quantitative, not {type_!r}")


def add_claim(store: Store, *, text: str, unit_key: str, quote: str, page: str | None = None,
              type: str = "qualitative", validated: bool = False, actor: str | None = None,
              claim_id: str | None = None) -> str:
    """Record a claim a paper makes, with its supporting quote and page; returns the claim id."""
    _check(text, type)
    src = _source(store, unit_key, quote, page)
    cid = claim_id or _next_id(store)
    if store.claims.get(cid):
        raise StudyError(f"there is already a claim {cid!r}")
    store.claims.upsert(cid, text=text.strip(), type=type, actor=actor, data={
        "sources": [src], "validated_quantitatively": bool(validated), "merged_from": [], "extracted_by": actor})
    return cid


def add_source(store: Store, claim_id: str, *, unit_key: str, quote: str, page: str | None = None,
               actor: str | None = None) -> None:
    """Another paper (or passage) supporting an existing claim."""
    claim = _require(store, claim_id)
    src = _source(store, unit_key, quote, page)
    data = dict(claim["data"])
    data["sources"] = [*sources(claim), src]
    store.claims.upsert(claim_id, text=claim["text"], type=claim["type"], data=data, actor=actor)


def _require(store: Store, claim_id: str) -> dict:
    c = store.claims.get(claim_id)
    if c is None:
        raise NotFound(f"no claim {claim_id!r}")
    return c


def sources(claim: dict) -> list[dict]:
    """A claim's paper sources; tolerant of the shorter `{"paper": key, "quote": ...}` form."""
    out = []
    for s in (claim.get("data") or {}).get("sources") or []:
        if not isinstance(s, dict):
            continue
        key = s.get("unit_key") or s.get("paper")
        if key and s.get("kind", "paper") == "paper":
            out.append({"kind": "paper", "unit_key": key, "quote": s.get("quote", ""), "page": s.get("page", "")})
    return out


def merge_claims(store: Store, claim_ids: list[str], *, text: str, type: str | None = None,
                 validated: bool | None = None, actor: str | None = None, claim_id: str | None = None) -> str:
    """One claim made of several: all their sources (each once), `merged_from` their ids. The merged
    claims stay, marked `merged_into`. Returns the new claim's id."""
    if len(set(claim_ids)) < 2:
        raise StudyError("merging needs at least two claims")
    claims = [_require(store, c) for c in dict.fromkeys(claim_ids)]
    for c in claims:
        if c["data"].get("merged_into"):
            raise StudyError(f"claim {c['id']!r} is already merged into {c['data']['merged_into']!r}")
    type_ = type or ("quantitative" if any(c["type"] == "quantitative" for c in claims) else "qualitative")
    _check(text, type_)
    merged: list[dict] = []
    for c in claims:
        for s in sources(c):
            if s not in merged:
                merged.append(s)
    if validated is None:
        validated = any(c["data"].get("validated_quantitatively") for c in claims)
    new_id = claim_id or _next_id(store)
    if store.claims.get(new_id):
        raise StudyError(f"there is already a claim {new_id!r}")
    with store.transaction():
        store.claims.upsert(new_id, text=text.strip(), type=type_, actor=actor, data={
            "sources": merged, "validated_quantitatively": bool(validated), "merged_from": [c["id"] for c in claims],
            "extracted_by": actor})
        for c in claims:
            store.claims.upsert(c["id"], text=c["text"], type=c["type"], actor=actor,
                                data={**c["data"], "merged_into": new_id})
    return new_id


def paper_claims(store: Store, *, unit_key: str | None = None, include_merged: bool = False) -> list[dict]:
    """Claims with at least one paper source (optionally of one paper); merged-away ones only if asked."""
    out = []
    for c in store.claims.list():
        srcs = sources(c)
        if not srcs or (unit_key and all(s["unit_key"] != unit_key for s in srcs)):
            continue
        if c["data"].get("merged_into") and not include_merged:
            continue
        out.append({"id": c["id"], "text": c["text"], "type": c["type"], "sources": srcs,
                    "papers": sorted({s["unit_key"] for s in srcs}),
                    "validated_quantitatively": bool(c["data"].get("validated_quantitatively")),
                    "merged_from": c["data"].get("merged_from") or [], "merged_into": c["data"].get("merged_into")})
    return out
