"""Plain-text interview transcripts split into speaker turns (the unit of coding and agreement).

A turn starts at a line that begins with a speaker label and a colon: `Interviewer:` alone on its
line (the text follows on the next lines) or `P3: text` inline. A label is short (at most five
words), starts with a capital letter and holds no brackets, so `[crosstalk 00:01:41]` or a sentence
with a colon later on is not mistaken for one. Transcription-service layouts with a time are read
too, and the time kept: `[00:01:02] P3: text`, `P3 (00:01:02): text`, and a heading line
`P3  00:01:02` (Otter, Zoom) with the text below. Lines before the first label form a turn with no
speaker; a text without any label is split into paragraphs. A label used once, inline, with no digit
(`Then the examples: ...`) is taken for text, not a speaker; when sure labels exist (`Interviewer`,
`P3`, a label alone on its line), another label needs at least `MIN_OTHER_USES` uses and a tenth of
all label uses, so "Covid:" or "Pfizer:" twice in an answer, or a reference list, makes no speaker.
QualCoder's `[id1] text` labels are read too. `Interviewer:text` with no space is a label when
`Interviewer:` opens turns elsewhere. Line endings become `\n`, and each turn's text is stripped,
so span offsets count characters of exactly the stored text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from studyapp.errors import InvalidInput
from studyapp.readers.contract import Outcome, Reader
from studyapp.readers.text import decode_text, read_bytes

TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
LABEL_RE = re.compile(r"^\s*(?P<speaker>[A-Z][A-Za-z0-9_.'()\- ]{0,40}?)\s*:(?:[ \t]+(?P<rest>\S.*))?\s*$")
# "Interviewer:text" with no space: a label only when the same label opens turns elsewhere.
TIGHT_LABEL_RE = re.compile(r"^\s*(?P<speaker>[A-Z][A-Za-z0-9_.'()\- ]{0,40}?):(?P<rest>\S.*?)\s*$")
# "[00:01:02] P3: text" and "P3 (00:01:02): text"
TIMED_LABEL_RE = re.compile(
    rf"^\s*(?:[\[(](?P<t1>{TIME})[\])]\s*(?P<s1>[^\W\d][\w.' \-]{{0,40}}?)"
    rf"|(?P<s2>[^\W\d][\w.' \-]{{0,40}}?)\s*[\[(](?P<t2>{TIME})[\])])\s*:(?:[ \t]+(?P<rest>\S.*))?\s*$")
# "P3  00:01:02" or "P3 00:01" alone on a line, the text on the next lines.
HEADING_RE = re.compile(rf"^\s*(?P<speaker>[^\W\d][\w.' \-]{{0,40}}?)\s+[\[(]?(?P<time>{TIME})[\])]?\s*$")
# "[id1] text" (QualCoder's speaker ids)
BRACKET_LABEL_RE = re.compile(r"^\s*\[(?P<speaker>[A-Za-z][\w.\-]{0,20})\]\s+(?P<rest>\S.*?)\s*$")
MAX_LABEL_WORDS = 5
MIN_OTHER_USES = 3
SURE_LABEL = re.compile(r"^(interviewer|interviewee|moderator|researcher|participant|respondent|speaker|host|q|a)\b",
                        re.IGNORECASE)


@dataclass(frozen=True)
class Turn:
    """One speaker turn: `line` is where it starts in the source (a paragraph number for DOCX);
    `start`/`end` are times as `HH:MM:SS.mmm` when the source has them."""
    seq: int
    speaker: str | None
    text: str
    line: int
    start: str | None = None
    end: str | None = None


def canonical_time(text: str) -> str:
    """'1:02' -> '00:01:02.000', '01:02:03,5' -> '01:02:03.500' (the form WebVTT uses)."""
    text = text.replace(",", ".")
    main, _, frac = text.partition(".")
    parts = [int(p) for p in main.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    h, m, s = parts
    return f"{h:02d}:{m:02d}:{s:02d}.{(frac + '000')[:3]}"


def _ok_speaker(speaker: str) -> bool:
    return bool(speaker) and len(speaker.split()) <= MAX_LABEL_WORDS and not re.fullmatch(r"\d+", speaker)


def _label(line: str, headings: bool = False) -> tuple[str, str, str | None] | None:
    """(speaker, rest of the line, time or None) when `line` opens a turn. Heading lines
    (`P3  00:01:02`) count only when `headings`: the text uses that layout throughout."""
    m = LABEL_RE.match(line)
    if m:
        speaker = m.group("speaker").strip()
        return (speaker, m.group("rest") or "", None) if _ok_speaker(speaker) else None
    m = BRACKET_LABEL_RE.match(line)
    if m and re.search(r"\d", m.group("speaker")):
        return m.group("speaker"), m.group("rest"), None
    m = TIMED_LABEL_RE.match(line)
    if m:
        speaker = (m.group("s1") or m.group("s2")).strip()
        if _ok_speaker(speaker):
            return speaker, m.group("rest") or "", canonical_time(m.group("t1") or m.group("t2"))
    m = HEADING_RE.match(line) if headings else None
    if m and _ok_speaker(m.group("speaker").strip()):
        return m.group("speaker").strip(), "", canonical_time(m.group("time"))
    return None


def _accepted_labels(lines: list[str]) -> set[str]:
    """Labels that really name speakers: used at least twice, or alone on their line, or holding a
    digit (`P3`, `Speaker 1`), or an interviewer's name. A one-off `Then the examples: ...` in a
    participant's answer is text."""
    seen: dict[str, int] = {}
    sure: set[str] = set()
    for line in lines:
        lab = _label(line)
        if lab:
            seen[lab[0]] = seen.get(lab[0], 0) + 1
            if not lab[1] or re.search(r"\d", lab[0]) or SURE_LABEL.match(lab[0]):
                sure.add(lab[0])
    if not sure:
        return {s for s, n in seen.items() if n >= 2}
    total = sum(seen.values())
    return sure | {s for s, n in seen.items() if n >= MIN_OTHER_USES and n >= 0.1 * total}


def _heading_lines(lines: list[str]) -> set[int]:
    """1-based numbers of the lines that open a turn in the heading layout: a heading followed by
    text (a heading with no text under it is text itself); none unless at least two."""
    found = set()
    nxt_text: str | None = None
    following: list[str | None] = [None] * len(lines)  # the next non-blank line after each line
    for i in range(len(lines) - 1, -1, -1):
        following[i] = nxt_text
        if lines[i].strip():
            nxt_text = lines[i]
    for i, line in enumerate(lines, start=1):
        if _label(line, True):
            nxt = following[i - 1]
            if nxt is not None and not _label(nxt, True):
                found.add(i)
    return found if len(found) >= 2 else set()


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_turns(text: str) -> list[Turn]:
    """Speaker turns of a transcript (paragraphs when no line carries a speaker label)."""
    lines = normalise_newlines(text).split("\n")
    turns: list[Turn] = []
    speaker: str | None = None
    time: str | None = None
    buf: list[str] = []
    start = 1
    accepted = _accepted_labels(lines)
    any_label = bool(accepted)
    heads = set() if any_label else _heading_lines(lines)
    any_label = any_label or bool(heads)

    def flush() -> None:
        body = "\n".join(buf).strip()
        if body:
            turns.append(Turn(len(turns) + 1, speaker, re.sub(r"\n{3,}", "\n\n", body), start, time))

    if not any_label:
        para: list[str] = []
        for i, line in enumerate(lines + [""], start=1):
            if line.strip():
                if not para:
                    start = i
                para.append(line.rstrip())
            elif para:
                buf, para = para, []
                flush()
        return turns
    for i, line in enumerate(lines, start=1):
        lab = _label(line, i in heads) if heads else _label(line)
        if lab and not heads and lab[0] not in accepted:
            lab = None
        if not lab and not heads:
            m = TIGHT_LABEL_RE.match(line)
            if m and m.group("speaker").strip() in accepted:
                lab = (m.group("speaker").strip(), m.group("rest"), None)
        if lab:
            flush()
            speaker, rest, time = lab
            buf, start = ([rest] if rest else []), i
        else:
            if not buf and not line.strip():
                continue
            buf.append(line.rstrip())
    flush()
    return turns


def read_text_file(path: str | Path) -> str:
    """A text file decoded by the one decode rule (`readers.text`)."""
    return decode_text(read_bytes(path), str(path))


def read_transcript(path: str | Path) -> list[Turn]:
    turns = split_turns(read_text_file(path))
    if not turns:
        raise InvalidInput("the transcript is empty", path=str(path))
    return turns


class TextTranscriptReader(Reader):
    kind, format, label, suffixes = "transcripts", "text", "plain-text transcript", (".txt", ".text", ".md")

    def sniff(self, head: str, data: bytes) -> int:
        return 1 if head.strip() and not data.startswith(b"PK\x03\x04") else 0

    def parse(self, text: str, name: str, **options) -> Outcome:
        turns = split_turns(text)
        return Outcome(turns, "text", read=len(turns))
