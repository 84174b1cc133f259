"""Importing search results (BibTeX, RIS, CSV exports) into a study as paper units.

Every file is read completely before anything is written (its format detected from its content,
see `studyapp.readers`), and one call is one transaction: a file that cannot be read at all raises
`InvalidInput` naming the file and line, and the study is left unchanged. A record the reader could
not read, or one without a title, is rejected and reported with its record number, line and reason;
the rest are stored, each with its source database and search string, and records that duplicate a
paper already in the study (or earlier in the same files) are stored too but linked to it (see
`dedup`). With `strict`, any rejection refuses the whole call; a file that yields no record at all
is always refused. `preview_uploads` runs the same import and rolls it back, so a page can show
the exact report (read / imported / merged as duplicate / rejected) before the lead confirms.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from studyapp.domain.roles import lead_only
from studyapp.errors import InvalidInput, NotFound, StudyError
from studyapp.files import check_input_size
from studyapp.readers import read_papers, read_papers_bytes
from studyapp.readers.papers.records import PaperRecord, ReadResult, clean, clean_doi
from studyapp.services.papers.dedup import DEFAULT_THRESHOLD, matcher_for
from studyapp.store import Store

KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_:.\-+]{0,80}$")
INITIALS_RE = re.compile(r"^(?:[A-Z]\.?-?)+$")


@dataclass
class FileReport:
    """What happened to one file: read = imported + duplicates + rejected."""

    file: str
    format: str
    profile: str
    source: str
    read: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: list[dict] = field(default_factory=list)
    duplicate_of: list[dict] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    import_id: int | None = None
    notes: list[str] = field(default_factory=list)
    encoding: str | None = None

    def as_dict(self) -> dict:
        return {"file": self.file, "format": self.format, "profile": self.profile, "source": self.source,
                "read": self.read, "imported": self.imported, "duplicates": self.duplicates,
                "rejected": len(self.rejected), "rejections": self.rejected, "duplicate_of": self.duplicate_of,
                "import_id": self.import_id, "notes": "; ".join(self.notes), "encoding": self.encoding or ""}


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in text if not unicodedata.combining(c)).lower())


def surname(author: str) -> str:
    """'Jiang, Wenxin', 'Jiang W.' and 'W. Jiang' all give 'Jiang'."""
    if "," in author:
        return author.split(",")[0].strip()
    parts = author.split()
    if not parts:
        return ""
    return parts[0] if len(parts) > 1 and INITIALS_RE.match(parts[-1]) else parts[-1]


STOP = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "towards", "toward", "what", "how", "do", "we"}


def make_key(rec: PaperRecord, taken: set[str], *, citation_key: bool = False) -> str:
    """The record's citation key when asked (BibTeX) and free, else author + year + first title word
    (`jiang2023empirical`), with a letter appended when that is taken."""
    if citation_key and rec.source_key and KEY_RE.match(rec.source_key) and rec.source_key not in taken:
        taken.add(rec.source_key)
        return rec.source_key
    last = surname(rec.authors[0]) if rec.authors else "anon"
    word = next((w for w in re.findall(r"[\w-]+", rec.title.lower()) if w not in STOP), "paper")
    base = f"{_slug(last) or 'anon'}{rec.year or 'nd'}{_slug(word)[:20]}"
    key, n = base, 1
    while key in taken:
        key = f"{base}{chr(ord('a') + n - 1) if n <= 26 else n}"
        n += 1
    taken.add(key)
    return key


def _source(result: ReadResult, rec: PaperRecord, name: str, source: str | None) -> str:
    return source or result.profile or rec.database or Path(name).stem


def _attrs(rec: PaperRecord, source: str, search: str | None, name: str) -> dict:
    attrs = {"authors": "; ".join(rec.authors), "year": rec.year, "venue": rec.venue, "doi": rec.doi,
             "url": rec.url, "keywords": "; ".join(rec.keywords), "type": rec.type, "source": source,
             "search": search, "file": Path(name).name, "record": rec.record, "source_key": rec.source_key,
             "extra": rec.extra}
    return {k: v for k, v in attrs.items() if v not in (None, "", {}, [])}


def _refuse_if(rep: FileReport, name: str, strict: bool) -> None:
    first = rep.rejected[0] if rep.rejected else None
    detail = (f" (first: record {first['record']}" + (f", line {first['line']}" if first.get("line") else "")
              + f": {first['reason']})") if first else ""
    if rep.imported + rep.duplicates == 0:
        raise InvalidInput(f"no record could be imported: {rep.read} read, {len(rep.rejected)} rejected{detail}",
                           path=name, line=first.get("line") if first else None)
    if strict and rep.rejected:
        raise InvalidInput(f"{len(rep.rejected)} of {rep.read} records rejected and --strict given: nothing "
                           f"imported{detail}", path=name, line=first.get("line"), record=first["record"])


def import_results(store: Store, results: list[tuple[str, ReadResult]], *, source: str | None = None,
                   search_string: str | None = None, actor: str | None = None, dedup: bool = True,
                   threshold: float = DEFAULT_THRESHOLD, extra_attrs: dict | None = None,
                   keep_keys: bool = False, strict: bool = False) -> list[FileReport]:
    """Store already-read files in one transaction; returns one report per file. BibTeX citation
    keys are kept (when free); `keep_keys` keeps other formats' record ids as keys too. A file that
    yields no record, or (with `strict`) any rejected record, refuses the whole call."""
    reports: list[FileReport] = []
    repo = store.papers
    with store.transaction():
        taken = set(store.units.ids_by_key("paper"))
        matcher = matcher_for(store, threshold) if dedup else None
        seq = store.units.count("paper")
        for name, result in results:
            counts = Counter(_source(result, r, name, source) for r in result.records)
            file_source = source or result.profile or (counts.most_common(1)[0][0] if counts else Path(name).stem)
            rep = FileReport(Path(name).name, result.format, result.profile, file_source, read=result.n_read,
                             notes=list(result.notes), encoding=result.encoding)
            rep.rejected.extend(p.as_dict() for p in result.problems)
            rep.import_id = store.imports.start(kind="papers", file=Path(name).name, source=file_source,
                                                search_string=search_string, actor=actor)
            for rec in result.records:
                if not rec.title:
                    rep.rejected.append({"record": rec.record, "line": rec.line, "reason": "no title"})
                    continue
                seq += 1
                key = make_key(rec, taken, citation_key=keep_keys or result.format == "bibtex")
                attrs = {**_attrs(rec, _source(result, rec, name, source), search_string, name),
                         **(extra_attrs or {})}
                [uid] = store.units.add_many([{"kind": "paper", "key": key, "title": rec.title, "text": rec.abstract,
                                               "seq": seq, "attrs": attrs}], import_id=rep.import_id, actor=actor)
                rep.keys.append(key)
                hit = matcher.find(rec.title, rec.year, rec.doi, uid) if matcher else None
                if hit:
                    repo.link(uid, hit.primary_id, method=hit.method, score=hit.score, actor=actor)
                    rep.duplicates += 1
                    rep.duplicate_of.append({"record": rec.record, "key": key, "method": hit.method,
                                             "primary": store.units.require(hit.primary_id)["key"]})
                else:
                    rep.imported += 1
                    if matcher:
                        matcher.add(uid, rec.title, rec.year, rec.doi)
            rep.rejected.sort(key=lambda x: (x.get("record") or 0))
            _refuse_if(rep, name, strict)
            store.imports.finish(rep.import_id, n_read=rep.read, n_imported=rep.imported,
                                 n_duplicates=rep.duplicates, n_rejected=len(rep.rejected),
                                 report=rep.as_dict(), actor=actor)
            reports.append(rep)
    return reports


def import_papers(store: Store, files: list[str | Path], *, source: str | None = None,
                  search_string: str | None = None, actor: str | None = None, dedup: bool = True,
                  threshold: float = DEFAULT_THRESHOLD, keep_keys: bool = False,
                  strict: bool = False) -> list[FileReport]:
    """Read every file (format detected from its content), then import them all in one
    transaction. Only a lead imports search results (`actor`, see `domain.roles.lead_only`);
    reviewers may snowball."""
    lead_only(store, actor, "import papers")
    results = [(str(f), read_papers(check_input_size(f))) for f in files]
    return import_results(store, results, source=source, search_string=search_string, actor=actor,
                          dedup=dedup, threshold=threshold, keep_keys=keep_keys, strict=strict)


def import_uploads(store: Store, uploads: list[tuple[str, bytes]], *, source: str | None = None,
                   search_string: str | None = None, actor: str | None = None,
                   strict: bool = False) -> list[FileReport]:
    """The Papers page's upload: (file name, bytes) pairs, same rules as `import_papers`."""
    lead_only(store, actor, "import papers")
    results = [(name, read_papers_bytes(data, name)) for name, data in uploads]
    return import_results(store, results, source=source, search_string=search_string, actor=actor, strict=strict)


class _Preview(Exception):
    def __init__(self, reports):
        super().__init__("preview")
        self.reports = reports


def preview_uploads(store: Store, uploads: list[tuple[str, bytes]], *, source: str | None = None,
                    search_string: str | None = None, actor: str | None = None,
                    strict: bool = False) -> list[dict]:
    """The report `import_uploads` would give (one dict per file: read, imported, duplicates,
    rejected with record/line/reason, notes), computed by running the import and rolling it back:
    the study is left unchanged. A file that would be refused raises its `InvalidInput`."""
    lead_only(store, actor, "import papers")
    results = [(name, read_papers_bytes(data, name)) for name, data in uploads]
    try:
        with store.transaction():
            raise _Preview(import_results(store, results, source=source, search_string=search_string,
                                          actor=actor, strict=strict))
    except _Preview as p:
        return [r.as_dict() for r in p.reports]


def import_history(store: Store) -> list[dict]:
    return [i for i in store.imports.list() if i["kind"] == "papers"]


# -- snowballing ----------------------------------------------------------------------------------

DIRECTIONS = ("backward", "forward")


def start_snowball_round(store: Store, direction: str, *, note: str | None = None, actor: str | None = None) -> int:
    """A new snowballing round (backward: references of the seed papers; forward: papers citing them)."""
    if direction not in (*DIRECTIONS, "both"):
        raise StudyError(f"a snowballing direction is backward, forward or both, not {direction!r}")
    return store.papers.add_round(direction, note=note, actor=actor)


def _snowball(store: Store, round_id: int, from_key: str, direction: str, results: list[tuple[str, ReadResult]],
              actor: str | None) -> list[FileReport]:
    repo = store.papers
    rnd = repo.require_round(round_id)
    if direction not in DIRECTIONS or rnd["direction"] not in (direction, "both"):
        raise StudyError(f"round {round_id} is a {rnd['direction']} round; records are backward or forward")
    seed = store.units.by_key("paper", from_key)
    if seed is None:
        raise NotFound(f"no paper with key {from_key!r} to snowball from")
    source = f"{direction.capitalize()} snowballing"
    with store.transaction():
        reports = import_results(store, results, source=source, actor=actor, search_string=f"{direction} from {from_key}",
                                 extra_attrs={"snowball_round": round_id, "snowball_from": from_key})
        ids = store.units.ids_by_key("paper")
        for rep in reports:
            for key in rep.keys:
                repo.add_link(ids[key], seed["id"], round_id=round_id, direction=direction, actor=actor)
    return reports


def snowball_files(store: Store, round_id: int, from_key: str, direction: str, files: list[str | Path], *,
                   actor: str | None = None) -> list[FileReport]:
    """Add the records of reference or citation lists (any paper format) found from paper `from_key`.
    They are de-duplicated against the study like any import, and each keeps the paper it came from."""
    return _snowball(store, round_id, from_key, direction, [(str(f), read_papers(f)) for f in files], actor)


def snowball_uploads(store: Store, from_key: str, direction: str, uploads: list[tuple[str, bytes]], *,
                     actor: str | None = None) -> list[FileReport]:
    """The Papers page's snowballing: (file name, bytes) lists read first, then a new round and its
    records in one transaction, so a broken file leaves neither an empty round nor half its records."""
    if not uploads:
        raise StudyError("give at least one reference or citation list")
    results = [(name, read_papers_bytes(data, name)) for name, data in uploads]
    with store.transaction():
        round_id = start_snowball_round(store, direction, actor=actor)
        return _snowball(store, round_id, from_key, direction, results, actor)


def snowball_record(store: Store, round_id: int, from_key: str, direction: str, *, title: str,
                    year: int | None = None, authors: list[str] | None = None, doi: str = "", venue: str = "",
                    abstract: str = "", actor: str | None = None) -> FileReport:
    """Add one record found by snowballing, typed in by a reviewer."""
    rec = PaperRecord(record=1, line=None, title=clean(title), abstract=clean(abstract), authors=authors or [],
                      year=year, venue=clean(venue), doi=clean_doi(doi))
    if not rec.title:
        raise StudyError("a snowballed record needs a title")
    return _snowball(store, round_id, from_key, direction, [("typed-in", ReadResult([rec], "manual"))], actor)[0]
