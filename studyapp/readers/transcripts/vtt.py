"""WebVTT and SRT captions (webvtt-py) read as speaker turns, keeping each turn's start and end time.

A cue's speaker is its WebVTT voice (`<v Ann>...`, as Teams writes) or a `Name:` label at the start of
its text (as Zoom writes); consecutive cues of the same speaker join into one turn, their texts
joined by a space. Captions with no speaker at all are grouped into paragraphs: a new one starts
after a pause of `PAUSE_S` seconds, or once a paragraph is long and a sentence ends. A turn's
`line` is the line of its first cue's timing line in the file.
"""

from __future__ import annotations

import io
import re

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from studyapp.errors import InvalidInput
from studyapp.readers.transcripts.text import (
    LABEL_RE,
    MAX_LABEL_WORDS,
    Turn,
    normalise_newlines,
)

_NAMES = {"vtt": "WebVTT", "srt": "SRT"}
PAUSE_S = 2.0
PARAGRAPH_CHARS = 600
TIMING_RE = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)")
CUE_TIME_RE = re.compile(r"^(?:\d+:)?\d{2}:\d{2}[.,]\d{3}$")


def _speaker_of(caption) -> tuple[str | None, str]:
    text = re.sub(r"\s*\n\s*", " ", caption.text).strip()
    if caption.voice:
        return caption.voice.strip(), text
    m = LABEL_RE.match(text)
    if m and m.group("rest") and len(m.group("speaker").split()) <= MAX_LABEL_WORDS:
        return m.group("speaker").strip(), m.group("rest").strip()
    return None, text


def _timing_lines(text: str) -> list[int]:
    return [i for i, line in enumerate(text.split("\n"), start=1) if "-->" in line]


def _bad_timing(text: str) -> int | None:
    for i, line in enumerate(text.split("\n"), start=1):
        m = TIMING_RE.match(line)
        if m and not (CUE_TIME_RE.match(m.group(1)) and CUE_TIME_RE.match(m.group(2))):
            return i
    return None


def _bad_srt_block(text: str) -> int | None:
    """Line of the first SRT block whose timing line is missing or broken.

    webvtt-py skips such a block without a word, which would lose its text."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        start = i
        if lines[i].strip().isdigit():
            i += 1
        m = TIMING_RE.match(lines[i]) if i < len(lines) else None
        if not (m and CUE_TIME_RE.match(m.group(1)) and CUE_TIME_RE.match(m.group(2))):
            return min(i, len(lines) - 1) + 1 if i > start else start + 1
        while i < len(lines) and lines[i].strip():
            i += 1
    return None


def parse_captions(text: str, *, fmt: str, name: str) -> list[Turn]:
    """Turns from the text of a `.vtt` (`fmt="vtt"`) or `.srt` (`fmt="srt"`) file."""
    text = normalise_newlines(text)
    if fmt == "srt" and (bad := _bad_srt_block(text)) is not None:
        raise InvalidInput("not a valid SRT file: a cue needs a timing line like "
                           "'00:00:01,000 --> 00:00:02,000'", path=name, line=bad)
    try:
        captions = webvtt.from_buffer(io.StringIO(text), format=fmt, strict=(fmt == "vtt")).captions
    except (MalformedFileError, MalformedCaptionError) as e:
        raise InvalidInput(f"not a valid {_NAMES[fmt]} file: {e or 'malformed cue'}", path=name,
                           line=_bad_timing(text)) from None
    lines = _timing_lines(text)
    if len(lines) != len(captions):
        # A cue the library skipped would be text lost without a word.
        raise InvalidInput(f"not a valid {_NAMES[fmt]} file: a cue could not be read", path=name,
                           line=_bad_timing(text) or (lines[len(captions)] if len(lines) > len(captions) else None))
    turns: list[Turn] = []
    cur: dict | None = None
    any_speaker = False
    cues = []
    for n, cap in enumerate(captions):
        speaker, body = _speaker_of(cap)
        any_speaker = any_speaker or speaker is not None
        cues.append((speaker, body, cap, lines[n] if n < len(lines) else None))

    def flush() -> None:
        if cur and cur["text"].strip():
            turns.append(Turn(len(turns) + 1, cur["speaker"], cur["text"].strip(), cur["line"] or 1,
                              cur["start"], cur["end"]))

    for speaker, body, cap, line in cues:
        if not body:
            continue
        if cur is not None:
            if any_speaker:
                same = speaker is None or speaker == cur["speaker"]
            else:
                gap = cap.start_in_seconds - cur["end_s"]
                long_enough = len(cur["text"]) >= PARAGRAPH_CHARS and cur["text"].rstrip()[-1:] in ".?!"
                same = gap < PAUSE_S and not long_enough
            if same:
                cur["text"] += " " + body
                cur["end"], cur["end_s"] = _t(cap.end), cap.end_in_seconds
                continue
        flush()
        cur = {"speaker": speaker, "text": body, "line": line, "start": _t(cap.start), "end": _t(cap.end),
               "end_s": cap.end_in_seconds}
    flush()
    if not turns:
        raise InvalidInput("the captions hold no text", path=name)
    return turns


def _t(value: str) -> str:
    """webvtt-py's time as HH:MM:SS.mmm."""
    value = value.replace(",", ".")
    return value if value.count(":") == 2 else "00:" + value
