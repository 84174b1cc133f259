"""Importing interview transcripts and participants into a study.

A transcript becomes a unit of kind `transcript` (key = file name without suffix) and its speaker
turns become units of kind `segment` (`<transcript key>:<seq>`, parent = the transcript) with attrs
speaker, line, start, end, participant and interviewer. Everything given in one call is parsed and
checked first and written in one transaction: one bad file writes nothing, and the error names the
file and line. Optional pseudonymisation replaces listed names (whole words, any case) in the text,
the speaker labels and the file name before anything is stored.

Who is the interviewer: labels given with `interviewers`, else labels such as `Interviewer`,
`Moderator`, `Researcher`, else (two or more speakers, none named so) the speaker who asks clearly
more questions, reported as a guess. Who is the participant of a turn: `speakers` (label -> id), else
a label that is a known participant id, else `participant`, else the participant whose `transcript`
attribute names this transcript (see `import_participants`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from studyapp.domain.roles import lead_only
from studyapp.errors import InvalidInput, StudyError
from studyapp.readers.text import decode_text
from studyapp.readers import read as read_file
from studyapp.readers import suffixes
from studyapp.readers.transcripts.participants import (
    parse_participants,
    read_participants,
    read_pseudonyms,
)
from studyapp.readers.transcripts.text import Turn
from studyapp.store import Store

INTERVIEWER_RE = re.compile(r"^(interviewer|moderator|researcher|facilitator|host|q)\b", re.IGNORECASE)
QUESTION_RE = re.compile(r"[?？]")
REDACTED = "[participant]"


@dataclass(frozen=True)
class TranscriptReport:
    key: str
    file: str
    format: str
    segments: int
    speakers: dict
    interviewers: list
    participants: list
    replacements: int = 0
    warnings: list = field(default_factory=list)
    read: int = 0


@dataclass(frozen=True)
class ParticipantsReport:
    file: str
    id_column: str
    new: int
    updated: int
    unchanged: int
    columns: list
    dropped_columns: int
    linked: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def pseudonymiser(names: Sequence[tuple[str, str | None]], default: str | None):
    """A function text -> (text, n replaced) replacing each name (longest first, whole words)."""
    table = {}
    for name, repl in names:
        table.setdefault(name.casefold(), repl or default or REDACTED)
    if not table:
        return lambda text: (text, 0)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in sorted(table, key=len, reverse=True))
                         + r")(?!\w)", re.IGNORECASE)

    def apply(text: str) -> tuple[str, int]:
        return pattern.subn(lambda m: table[m.group(0).casefold()], text)
    return apply


def _interviewers(turns: list[Turn], given: Sequence[str] | None) -> tuple[set[str], str | None]:
    labels = {t.speaker for t in turns if t.speaker}
    if given:
        wanted = {g.casefold() for g in given}
        return {s for s in labels if s.casefold() in wanted}, None
    named = {s for s in labels if INTERVIEWER_RE.match(s)}
    if named or len(labels) < 2:
        return named, None
    share = {}
    for s in labels:
        mine = [t for t in turns if t.speaker == s]
        share[s] = sum(bool(QUESTION_RE.search(t.text)) for t in mine) / len(mine)
    ranked = sorted(share, key=share.get, reverse=True)
    top, second = share[ranked[0]], share[ranked[1]]
    if top >= 0.3 and top - second >= 0.15:
        return {ranked[0]}, (f"guessed that {ranked[0]!r} is the interviewer ({top:.0%} of their turns ask a "
                             f"question, {second:.0%} of the next speaker's); pass the interviewer to override")
    return set(), "no interviewer label found; pass the interviewer's label so turns are attributed right"


def _linked_participant(store: Store, key: str, file: str) -> str | None:
    names = {key.casefold(), Path(file).name.casefold(), Path(file).stem.casefold()}
    people = store.transcripts.participants()
    for pid, attrs in people.items():
        linked = {x.strip().casefold() for x in re.split(r"[;|]", str(attrs.get("transcript", ""))) if x.strip()}
        if linked & names:
            return pid
    return next((pid for pid in people if pid.casefold() in names), None)


def _plan(store: Store, name: str, data: bytes, *, fmt, participant, speakers, interviewers, pseudo, key) -> dict:
    out = read_file("transcripts", data, name, fmt)
    kind, turns = out.format, out.records
    if not turns:
        raise InvalidInput("the transcript is empty", path=name)
    key = key or Path(name).stem
    key, n_key = pseudo(key)
    file, _ = pseudo(Path(name).name)
    replaced = 0
    clean = []
    for t in turns:
        text, n1 = pseudo(t.text)
        speaker, n2 = pseudo(t.speaker) if t.speaker else (None, 0)
        replaced += n1 + n2
        clean.append(Turn(t.seq, speaker, text, t.line, t.start, t.end))
    who, note = _interviewers(clean, interviewers)
    known = set(store.transcripts.participants())
    default = participant or _linked_participant(store, key, name)
    mapping = {}
    for s in dict.fromkeys(t.speaker for t in clean if t.speaker):
        if s in who:
            mapping[s] = None
        elif speakers and s in speakers:
            mapping[s] = speakers[s]
        elif s in known:
            mapping[s] = s
        else:
            mapping[s] = default
    warnings = list(out.notes) + ([note] if note else [])
    if any(t.speaker is None for t in clean) and any(t.speaker for t in clean):
        warnings.append("text before the first speaker label is kept as a turn with no speaker")
    if not any(t.speaker for t in clean):
        warnings.append("no speaker labels found: the text is split into paragraphs")
    return {"name": name, "file": file, "format": kind, "key": key, "turns": clean, "who": who, "mapping": mapping,
            "default": default, "read": out.n_read,
            "replaced": replaced + n_key, "warnings": warnings}


def _write(store: Store, plans: list[dict], actor: str | None) -> list[TranscriptReport]:
    repo = store.transcripts
    reports = []
    keys = [p["key"] for p in plans]
    dup = next((k for k in keys if keys.count(k) > 1), None)
    if dup:
        raise InvalidInput(f"two files give the transcript key {dup!r}", path=plans[keys.index(dup)]["name"])
    with store.transaction():
        for p in plans:
            if store.units.by_key("transcript", p["key"]):
                raise InvalidInput(f"a transcript with key {p['key']!r} is already in the study", path=p["name"])
            turns, mapping = p["turns"], p["mapping"]
            people = sorted({v for v in mapping.values() if v} | ({p["default"]} if p["default"] and any(
                t.speaker is None for t in turns) else set()))
            imp = store.imports.start(kind="transcripts", file=p["file"], source=p["format"], actor=actor)
            body = "\n\n".join(f"{t.speaker}:\n{t.text}" if t.speaker else t.text for t in turns)
            attrs = {"participant": people[0] if len(people) == 1 else None, "participants": people,
                     "speakers": mapping, "interviewers": sorted(p["who"]),
                     "format": p["format"], "file": p["file"], "start": turns[0].start, "end": turns[-1].end}
            [tid] = store.units.add_many([{"kind": "transcript", "key": p["key"], "title": p["key"], "text": body,
                                           "seq": repo.next_transcript_seq(), "attrs": attrs}],
                                         import_id=imp, actor=actor)
            store.units.add_many([{"kind": "segment", "key": f"{p['key']}:{t.seq}", "parent_id": tid, "seq": t.seq,
                                   "title": t.speaker, "text": t.text,
                                   "attrs": {"speaker": t.speaker, "line": t.line, "start": t.start, "end": t.end,
                                             "participant": mapping[t.speaker] if t.speaker else p["default"],
                                             "interviewer": t.speaker in p["who"]}}
                                  for t in turns], import_id=imp, actor=actor)
            counts: dict = {}
            for t in turns:
                counts[t.speaker or ""] = counts.get(t.speaker or "", 0) + 1
            report = TranscriptReport(p["key"], p["file"], p["format"], len(turns), counts, sorted(p["who"]), people,
                                      p["replaced"], p["warnings"], p["read"])
            store.imports.finish(imp, n_read=p["read"], n_imported=len(turns), actor=actor,
                                 report={"speakers": counts, "interviewers": report.interviewers,
                                         "participants": people, "pseudonymised": p["replaced"],
                                         "pseudonymiser": p["pseudonymiser"], "warnings": p["warnings"]})
            reports.append(report)
    return reports


def import_transcript_data(store: Store, files: Sequence[tuple[str, bytes]], *, participant: str | None = None,
                           speakers: dict[str, str] | None = None, interviewers: Sequence[str] | None = None,
                           pseudonyms: Sequence[tuple[str, str | None]] = (), fmt: str | None = None,
                           key: str | None = None, actor: str | None = None) -> list[TranscriptReport]:
    """Import transcripts given as (file name, bytes): uploads and files share this path. Only a lead
    imports (see `domain.roles.lead_only`)."""
    lead_only(store, actor, "import transcripts")
    if not files:
        raise InvalidInput("no transcript files given")
    if key and len(files) > 1:
        raise InvalidInput("a key can only be given for a single transcript")
    pseudo = pseudonymiser(pseudonyms, participant)
    plans = [_plan(store, name, data, fmt=fmt, participant=participant, speakers=speakers or {},
                   interviewers=interviewers, pseudo=pseudo, key=key) for name, data in files]
    for p in plans:
        p["pseudonymiser"] = bool(pseudonyms)
    return _write(store, plans, actor)


def import_transcripts(store: Store, paths: Sequence[str | Path], *, pseudonyms_file: str | Path | None = None,
                       **options) -> list[TranscriptReport]:
    """Import transcript files (.txt, .docx, .vtt, .srt); see `import_transcript_data` for the options."""
    files = []
    for p in paths:
        try:
            files.append((str(p), Path(p).read_bytes()))
        except OSError as e:
            raise InvalidInput(f"cannot read the file: {e.strerror}", path=str(p)) from None
    names = [(n, r) for n, r, _ in read_pseudonyms(pseudonyms_file)] if pseudonyms_file else []
    return import_transcript_data(store, files, pseudonyms=list(options.pop("pseudonyms", ())) + names, **options)


def link_participant(store: Store, transcript_id: int, participant: str, *, actor: str | None = None) -> int:
    """Make `participant` the participant of a transcript's non-interviewer turns that have none or
    had the transcript's previous participant; returns how many units changed."""
    t = store.units.require(transcript_id)
    if t["kind"] != "transcript":
        raise StudyError(f"unit {transcript_id} is a {t['kind']}, not a transcript")
    old = t["attrs"].get("participant")
    changes = []
    attrs = dict(t["attrs"], participant=participant)
    attrs["participants"] = sorted((set(attrs.get("participants") or []) - {old}) | {participant})
    attrs["speakers"] = {s: (participant if v in (None, old) and s not in attrs.get("interviewers", []) else v)
                         for s, v in (attrs.get("speakers") or {}).items()}
    changes.append((transcript_id, attrs))
    for s in store.units.list("segment", parent_id=transcript_id, with_text=False):
        a = s["attrs"]
        if not a.get("interviewer") and a.get("participant") in (None, old):
            changes.append((s["id"], dict(a, participant=participant)))
    return store.transcripts.set_attrs(changes, actor=actor)


def import_participants(store: Store, path: str | Path, *, id_column: str | None = None,
                        id_prefix: str | None = None, actor: str | None = None) -> ParticipantsReport:
    """Add or update participants from a CSV; a `transcript` column links each to transcripts (by
    key or file name, several separated by `;`) already in the study. One transaction."""
    table = read_participants(path, id_column=id_column, id_prefix=id_prefix)
    return _store_participants(store, table, str(path), actor)


def import_participants_data(store: Store, name: str, data: bytes, *, id_column: str | None = None,
                             id_prefix: str | None = None, actor: str | None = None) -> ParticipantsReport:
    """`import_participants` for an uploaded file given as (name, bytes)."""
    table = parse_participants(decode_text(data, name), name=name, id_column=id_column, id_prefix=id_prefix)
    return _store_participants(store, table, name, actor)


def _store_participants(store: Store, table, path: str, actor: str | None) -> ParticipantsReport:
    lead_only(store, actor, "import participants")
    linked, warnings = [], []
    with store.transaction():
        imp = store.imports.start(kind="participants", file=Path(path).name, actor=actor)
        counts = store.transcripts.upsert_participants(((p.id, p.attrs) for p in table.participants),
                                                             import_id=imp, actor=actor)
        keys = store.units.ids_by_key("transcript")
        folded = {k.casefold(): (k, i) for k, i in keys.items()}
        for p in table.participants:
            tcol = next((v for k, v in p.attrs.items() if k.casefold() == "transcript"), "")
            for name in (x.strip() for x in re.split(r"[;|]", tcol) if x.strip()):
                hit = folded.get(name.casefold()) or folded.get(Path(name).stem.casefold())
                if hit is None:
                    warnings.append(f"line {p.line}: no transcript {name!r} in the study yet (it links on import)")
                    continue
                link_participant(store, hit[1], p.id, actor=actor)
                linked.append((p.id, hit[0]))
        store.imports.finish(imp, n_read=len(table.participants), n_imported=counts["new"] + counts["updated"],
                             n_duplicates=counts["unchanged"], actor=actor,
                             report={"linked": linked, "warnings": warnings})
    return ParticipantsReport(str(path), table.id_column, counts["new"], counts["updated"], counts["unchanged"],
                              table.columns, table.dropped_columns, linked, warnings)


def import_demo_transcripts(store: Store, source: str | Path) -> list[TranscriptReport]:
    """The demo study's interviews: `participants.csv` (a `transcript` column links each participant)
    then every transcript under `transcripts/` (.txt, .docx, .vtt, .srt), in file-name order."""
    source = Path(source)
    if (source / "participants.csv").exists():
        import_participants(store, source / "participants.csv", actor="demo")
    files = sorted(p for p in (source / "transcripts").glob("*") if p.suffix.lower() in suffixes("transcripts"))
    return import_transcripts(store, files, actor="demo") if files else []


def participant_attributes_of(store: Store, transcript: dict) -> dict:
    """What the coding view says about a transcript's interviewee(s): participant id(s) and attributes."""
    people = transcript["attrs"].get("participants") or ([transcript["attrs"]["participant"]]
                                                         if transcript["attrs"].get("participant") else [])
    known = store.transcripts.participants()
    out: dict = {"participant": ", ".join(people)} if people else {}
    if len(people) == 1:
        out.update({k: v for k, v in (known.get(people[0]) or {}).items() if k.casefold() != "transcript"})
    return out
