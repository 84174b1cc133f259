"""Where segments lie in a REFI-QDA source's text, and a selection cut into per-segment spans.

Why: studyapp codes and measures agreement per segment, while a QDA tool's coder highlights any
stretch of a document. A source from another tool is split the way `import transcripts` splits a
plain-text transcript: a turn per speaker label (`P3: text`, or `Interviewer:` alone on its line),
else a paragraph per blank-line-separated block, else a line per line. Unlike the transcript reader,
every segment here is an exact slice `text[start:end]` of the source (trimmed of white space at its
ends, nothing rewritten inside), so a selection's positions map to segment offsets by subtraction.

A selection that crosses segment boundaries becomes one piece per segment it covers; what falls
between segments (a speaker label, blank lines) is not part of any segment and is dropped, and a
piece that is only white space is dropped too. Callers count the cut selections and report them.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from studyapp.readers.transcripts.text import LABEL_RE, MAX_LABEL_WORDS, SURE_LABEL


@dataclass(frozen=True)
class Piece:
    """A segment's place in the source text: [start, end), its speaker label and 1-based line."""
    start: int
    end: int
    speaker: str | None = None
    line: int = 1


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def _label(line: str) -> tuple[str, int | None] | None:
    """(speaker, offset of the text after the label in the line, or None when alone on its line)."""
    m = LABEL_RE.match(line)
    if not m:
        return None
    speaker = m.group("speaker").strip()
    if not speaker or len(speaker.split()) > MAX_LABEL_WORDS or speaker.isdigit():
        return None
    return speaker, (m.start("rest") if m.group("rest") else None)


def _accepted(lines: list[tuple[int, str]]) -> set[str]:
    """Labels that name speakers: used twice, alone on their line, holding a digit, or a known role
    (the transcript reader's rule), so a one-off `Then the examples: ...` stays text."""
    seen: dict[str, int] = {}
    sure: set[str] = set()
    for _, line in lines:
        lab = _label(line)
        if lab:
            seen[lab[0]] = seen.get(lab[0], 0) + 1
            if lab[1] is None or re.search(r"\d", lab[0]) or SURE_LABEL.match(lab[0]):
                sure.add(lab[0])
    return sure | {s for s, n in seen.items() if n >= 2}


def _turns(text: str, lines: list[tuple[int, str]], accepted: set[str]) -> list[Piece]:
    pieces: list[Piece] = []
    speaker, start, line_no = None, 0, 1

    def close(end: int) -> None:
        s, e = _trim(text, start, end)
        if e > s:
            pieces.append(Piece(s, e, speaker, line_no))

    for i, (pos, line) in enumerate(lines, start=1):
        lab = _label(line)
        if lab and lab[0] in accepted:
            close(pos)
            speaker, line_no = lab[0], i
            start = pos + lab[1] if lab[1] is not None else pos + len(line) + 1
    close(len(text))
    return pieces


def _blocks(text: str, lines: list[tuple[int, str]]) -> list[Piece]:
    pieces: list[Piece] = []
    start = None
    for i, (pos, line) in enumerate(lines + [(len(text) + 1, "")], start=1):
        if line.strip() and start is None:
            start, first = pos, i
        elif not line.strip() and start is not None:
            s, e = _trim(text, start, min(pos, len(text)))
            pieces.append(Piece(s, e, None, first))
            start = None
    if len(pieces) == 1 and "\n" in text[pieces[0].start:pieces[0].end]:
        pieces = [Piece(*_trim(text, pos, pos + len(line)), None, i)
                  for i, (pos, line) in enumerate(lines, start=1) if line.strip()]
    return pieces


def split_source(text: str) -> list[Piece]:
    """The segments of a source's text (see the module docstring), in reading order."""
    lines = _lines(text)
    accepted = _accepted(lines)
    return _turns(text, lines, accepted) if accepted else _blocks(text, lines)


class Cutter:
    """Cuts selections of one source into per-segment pieces (segments sorted, not overlapping)."""

    def __init__(self, pieces: list[Piece]):
        self.pieces = pieces
        self.starts = [p.start for p in pieces]

    def cut(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """(segment index, start, end) in segment offsets for each segment [start, end) overlaps."""
        out = []
        i = max(bisect.bisect_right(self.starts, start) - 1, 0)
        while i < len(self.pieces) and self.pieces[i].start < end:
            p = self.pieces[i]
            s, e = max(start, p.start), min(end, p.end)
            if e > s:
                out.append((i, s - p.start, e - p.start))
            i += 1
        return out
