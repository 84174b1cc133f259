"""The data files of a replication package, and what may leave the study about participants.

Privacy rules (`Privacy`), applied unless the lead asks for identifying data (`include_identifying`):
- coders are researchers and keep their names; participants appear only by their id;
- participant attributes that identify a person are dropped: direct identifiers (a name, e-mail,
  phone, address, handle or web page; any attribute named with one of `DIRECT_WORDS`) and indirect
  ones that single out a person in a small study (`INDIRECT_KEYS`: company, employer, affiliation,
  city...). Descriptive attributes (role, experience, company type, team size...) are kept;
- the values of direct identifiers (and each word of a name) are replaced by the participant's id
  wherever they appear in any text of the package (`Privacy.scrub`, applied to every text file as
  it is added), a safety net for names typed into free text;
- transcript and turn text is published only for transcripts pseudonymised at import (names
  replaced before they were stored); speaker labels never, only the turn's role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from studyapp.domain.codebook import Field
from studyapp.domain.values import decode
from studyapp.services.coding.codebooks import codebook_version
from studyapp.services.interviews.imports import REDACTED, pseudonymiser
from studyapp.store import Store

DIRECT_WORDS = frozenset({"name", "names", "email", "mail", "phone", "telephone", "mobile", "address", "linkedin",
                          "github", "twitter", "handle", "username", "login", "homepage", "website", "url", "orcid"})
DIRECT_KEYS = frozenset({"firstname", "lastname", "fullname", "surname", "givenname", "familyname", "emailaddress",
                         "phonenumber", "contact"})
INDIRECT_KEYS = frozenset({"company", "employer", "organisation", "organization", "org", "affiliation",
                           "institution", "university", "school", "department", "team", "project", "client",
                           "city", "town", "location", "country", "ip", "dob", "birthday", "birthdate",
                           "dateofbirth", "age"})
PUBLIC_TEXT_KINDS = ("paper", "defect")
MAX_LEVEL_COLUMNS = 6


def _words(key: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", key.casefold()) if w]


def is_direct(key: str) -> bool:
    words = _words(key)
    return bool(set(words) & DIRECT_WORDS) or "".join(words) in DIRECT_KEYS


def is_identifying(key: str) -> bool:
    """Whether a participant attribute identifies a person (see the module docstring)."""
    return is_direct(key) or "".join(_words(key)) in INDIRECT_KEYS


@dataclass
class Privacy:
    """What the package keeps about participants, and the scrubber for every text it writes."""

    include_identifying: bool
    participants: dict[str, dict]
    dropped: list[str] = field(default_factory=list)
    redactions: int = 0

    def __post_init__(self) -> None:
        keys = {k for attrs in self.participants.values() for k in attrs}
        self.dropped = [] if self.include_identifying else sorted(k for k in keys if is_identifying(k))
        names: dict[str, str] = {}
        for pid, attrs in self.participants.items():
            for k, v in attrs.items():
                if self.include_identifying or not is_direct(k) or not isinstance(v, str):
                    continue
                tokens = [v.strip()] + (v.split() if "name" in _words(k) or "".join(_words(k)) in DIRECT_KEYS else [])
                for t in (t.strip(" ,;()<>\"'") for t in tokens):
                    if len(t) >= 3 and t.casefold() != pid.casefold():
                        names[t.casefold()] = pid if names.get(t.casefold(), pid) == pid else REDACTED
        self._apply = pseudonymiser([(n, r) for n, r in names.items()], REDACTED) if names else None

    def scrub(self, text: str) -> str:
        """`text` with every known participant name, e-mail... replaced by the participant id."""
        if self._apply is None:
            return text
        out, n = self._apply(text)
        self.redactions += n
        return out

    def participant_rows(self) -> pd.DataFrame:
        keys = list(dict.fromkeys(k for attrs in self.participants.values() for k in attrs if k not in self.dropped))
        rows = [{"participant": pid, **{k: attrs.get(k) for k in keys}} for pid, attrs in self.participants.items()]
        return pd.DataFrame(rows, columns=["participant", *keys])


def privacy(store: Store, include_identifying: bool) -> Privacy:
    return Privacy(include_identifying, store.transcripts.participants())


class _Books:
    """Parsed codebooks by (id, stored version), and the newest one (the one agreement reads)."""

    def __init__(self, store: Store):
        self.store, self._cache = store, {}

    def field(self, codebook: str, field_id: str, version: int | None = None) -> Field | None:
        key = (codebook, version)
        if key not in self._cache:
            self._cache[key] = codebook_version(self.store, codebook, version)[0]
        return self._cache[key].field(field_id)


def _plain(f: Field | None, value: str | None) -> Any:
    if value is None:
        return None
    v = decode(f.type if f else "text", value)
    return ";".join(sorted(v)) if isinstance(v, list) else v


def _at_depth(f: Field, code: str, depth: int) -> str:
    path = f.path(code)
    return path[min(depth, len(path)) - 1] if path else code


def _levels(f: Field | None, value: str | None, n: int) -> list[str | None]:
    """The value read at tree levels 1..n (None past the field's own depth - 1)."""
    if f is None or value is None or not f.codes or f.depth() < 2:
        return [None] * n
    codes = decode(f.type, value)
    out = []
    for d in range(1, n + 1):
        if d >= f.depth():
            out.append(None)
        elif isinstance(codes, list):
            out.append(";".join(sorted({_at_depth(f, c, d) for c in codes})))
        else:
            out.append(_at_depth(f, codes, d))
    return out


def level_columns(store: Store) -> list[str]:
    """`value_level1`... for the deepest code tree in use (a tree of depth d has levels 1..d-1)."""
    books = _Books(store)
    deepest = max((f.depth() for cb, fid in store.annotations.fields_in_use()
                   if (f := books.field(cb, fid)) is not None and f.codes), default=1)
    return [f"value_level{d}" for d in range(1, min(deepest, MAX_LEVEL_COLUMNS + 1))]


def codings_frame(store: Store) -> pd.DataFrame:
    """Every coder value, long: unit, coder, field, value, round, then what recomputation needs."""
    books, levels = _Books(store), level_columns(store)
    rows = []
    for r in store.annotations.export_rows():
        f = books.field(r["codebook"], r["field"])
        rows.append([r["unit"], r["coder"], r["field"], _plain(f, r["value"]), r["round"], r["codebook"],
                     r["codebook_version"], r["unit_kind"], r["value_num"], *_levels(f, r["value"], len(levels))])
    cols = ["unit", "coder", "field", "value", "round", "codebook", "codebook_version", "unit_kind", "value_num",
            *levels]
    df = pd.DataFrame(rows, columns=cols)
    df["value_num"] = pd.to_numeric(df["value_num"])
    return df


def adjudicated_frame(store: Store) -> pd.DataFrame:
    """Every adjudicated (final) value with the lead's rationale."""
    books = _Books(store)
    rows = [[r["unit"], r["field"], _plain(books.field(r["codebook"], r["field"]), r["value"]),
             r["rationale"] or "", r["lead"], r["round"], r["codebook"], r["codebook_version"],
             r["unit_kind"], r["at"]] for r in store.finals.export_rows()]
    return pd.DataFrame(rows, columns=["unit", "field", "value", "rationale", "lead", "round", "codebook",
                                       "codebook_version", "unit_kind", "at"])


def pseudonymised_transcripts(store: Store) -> set[int]:
    """Ids of the transcripts whose import replaced names before storing them."""
    done = {i["id"] for i in store.imports.list() if i["kind"] == "transcripts" and (i["report"] or {})
            and ((i["report"].get("pseudonymiser")) or (i["report"].get("pseudonymised") or 0) > 0)}
    return {u["id"] for u in store.units.list("transcript", with_text=False) if u["import_id"] in done}


def units_frame(store: Store, priv: Privacy) -> pd.DataFrame:
    """Every unit: kind, key, parent, order, participant, role, title and text (text of interviews
    only when it may be published, see the module docstring)."""
    open_ids = set(pseudonymised_transcripts(store))
    kinds = {u["id"]: (u["kind"], u["key"]) for u in store.units.list(with_text=False)}
    rows = []
    for u in store.units.list():
        a, kind = u["attrs"] or {}, u["kind"]
        interview = kind in ("transcript", "segment")
        tid = u["parent_id"] if kind == "segment" else u["id"]
        publish = kind in PUBLIC_TEXT_KINDS or (interview and (priv.include_identifying or tid in open_ids))
        role = ("interviewer" if a.get("interviewer") else "participant") if kind == "segment" else None
        people = a.get("participant") or ";".join(a.get("participants") or []) or None
        title = None if kind == "segment" and not priv.include_identifying else u["title"]
        rows.append([kind, u["key"], kinds.get(u["parent_id"], (None, None))[1], u["seq"], people, role,
                     title, (u["text"] or "") if publish else "",
                     "no" if publish or not (u["text"] or "") else "yes"])
    return pd.DataFrame(rows, columns=["unit_kind", "unit", "parent", "seq", "participant", "role", "title", "text",
                                       "text_withheld"])


def claim_files(store: Store, claims: Iterable[dict], dataset: Path | None) -> list[Path]:
    """Files in the study folder that claims name by relative path (snapshot CSVs...), except the
    dataset and the study database: what `studyapp validate --claims` needs beside claims.yaml."""
    folder = Path(store.folder).resolve()
    skip = {Store.db_path(folder).resolve()} | ({dataset.resolve()} if dataset else set())

    def strings(v):
        if isinstance(v, str):
            yield v
        elif isinstance(v, dict):
            for x in v.values():
                yield from strings(x)
        elif isinstance(v, list):
            for x in v:
                yield from strings(x)

    out: dict[Path, None] = {}
    for c in claims:
        for s in strings(c.get("data") or {}):
            if not s or len(s) > 300 or "\n" in s or Path(s).is_absolute():
                continue
            p = (folder / s).resolve()
            if p.is_file() and p.is_relative_to(folder) and p not in skip and not p.name.startswith(".") \
                    and p.stat().st_size <= 50 * 2 ** 20:
                out[p.relative_to(folder)] = None
    return list(out)
