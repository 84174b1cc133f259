"""Plain-text interview transcripts split into speaker turns (the unit of coding and agreement).

A turn starts at a line that begins with a speaker label and a colon: `Interviewer:` alone on its
line (the text follows on the next lines) or `P3: text` inline. A label is short (at most five
words), starts with a capital letter and holds no brackets, so `[crosstalk 00:01:41]` or a sentence
with a colon later on is not mistaken for one. Lines before the first label form a turn with no
speaker; a text without any label is split into paragraphs. Line endings become `\n`, and each
turn's text is stripped, so span offsets count characters of exactly the stored text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from studyapp.errors import InvalidInput

LABEL_RE = re.compile(r"^\s*(?P<speaker>[A-Z][A-Za-z0-9_.'()\- ]{0,40}?)\s*:(?:[ \t]+(?P<rest>\S.*))?\s*$")
MAX_LABEL_WORDS = 5


@dataclass(frozen=True)
class Turn:
    seq: int
    speaker: str | None
    text: str
    line: int


def _label(line: str) -> tuple[str, str] | None:
    m = LABEL_RE.match(line)
    if not m:
        return None
    speaker = m.group("speaker").strip()
    if len(speaker.split()) > MAX_LABEL_WORDS or re.fullmatch(r"\d+", speaker):
        return None
    return speaker, (m.group("rest") or "")


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_turns(text: str) -> list[Turn]:
    """Speaker turns of a transcript (paragraphs when no line carries a speaker label)."""
    lines = normalise_newlines(text).split("\n")
    turns: list[Turn] = []
    speaker: str | None = None
    buf: list[str] = []
    start = 1
    any_label = any(_label(line) for line in lines)

    def flush() -> None:
        body = "\n".join(buf).strip()
        if body:
            turns.append(Turn(len(turns) + 1, speaker, re.sub(r"\n{3,}", "\n\n", body), start))

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
        lab = _label(line)
        if lab:
            flush()
            speaker, rest = lab
            buf, start = ([rest] if rest else []), i
        else:
            if not buf and not line.strip():
                continue
            buf.append(line.rstrip())
    flush()
    return turns


def read_text_file(path: str | Path) -> str:
    """Decode a text file as UTF-8 (BOM allowed) or UTF-16 with BOM; anything else is an error
    naming the file and the line of the first bad byte, rather than a silent mis-decoding."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise InvalidInput(f"cannot read the file: {e.strerror}", path=str(p)) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise InvalidInput(f"not UTF-8 text (byte {e.start}); save it as UTF-8", path=str(p), line=line) from None


def read_transcript(path: str | Path) -> list[Turn]:
    turns = split_turns(read_text_file(path))
    if not turns:
        raise InvalidInput("the transcript is empty", path=str(path))
    return turns
