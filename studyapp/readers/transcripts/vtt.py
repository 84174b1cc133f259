"""WebVTT (webvtt-py) and SubRip (srt) captions read as speaker turns, keeping each turn's start and
end time.

What real caption files hold is accepted: Netflix's NOTE blocks and blank-looking lines, YouTube's
cue settings, inline `<c>` and word-time tags and its rolling captions (each cue repeats the line
before; the repeat is dropped), SRT without cue numbers, and any encoding the one decode rule reads
(Windows-1252 subtitles). A cue's speaker is its WebVTT voice (`<v Ann>...`, as Teams writes) or a
`Name:` label at the start of its text (as Zoom writes) - but a label counts only when at least half
of the cues carry one, so a colon inside subtitles ("Covid: ...", "Note: ...") makes no speaker.
Consecutive cues of the same speaker join into one turn. Captions with no speaker are grouped into
paragraphs: a new one starts after a pause of `PAUSE_S` seconds, or once a paragraph is long and a
sentence ends. A turn's `line` is the line of its first cue's timing line. Everything is linear in
the file's size.
"""

from __future__ import annotations

import io
import re

from studyapp.errors import InvalidInput
from studyapp.readers.contract import Outcome, Reader
from studyapp.readers.text import normalise_newlines
from studyapp.readers.transcripts.text import LABEL_RE, MAX_LABEL_WORDS, Turn

_NAMES = {"vtt": "WebVTT", "srt": "SRT"}
PAUSE_S = 2.0
PARAGRAPH_CHARS = 600
LABEL_SHARE = 0.5
TIMING_RE = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)")
CUE_TIME_RE = re.compile(r"^(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}$")
TAG_RE = re.compile(r"<[^>]*>")


def _timing_lines(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines, start=1) if "-->" in line and TIMING_RE.match(line)]


def _bad_timing(lines: list[str]) -> int | None:
    for i, line in enumerate(lines, start=1):
        if "-->" not in line:
            continue
        m = TIMING_RE.match(line)
        if not m or not (CUE_TIME_RE.match(m.group(1)) and CUE_TIME_RE.match(m.group(2))):
            return i
    return None


def _seconds(t: str) -> float:
    parts = t.replace(",", ".").split(":")
    return sum(float(p) * 60 ** i for i, p in enumerate(reversed(parts)))


def _clock(t: str) -> str:
    t = t.replace(",", ".")
    return t if t.count(":") == 2 else "00:" + t


def _vtt_cues(text: str, name: str, lines: list[str]) -> list[tuple[float, float, str, str, str | None]]:
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    try:
        captions = webvtt.from_buffer(io.StringIO(text), format="vtt", strict=False).captions
    except (MalformedFileError, MalformedCaptionError) as e:
        raise InvalidInput(f"not a valid WebVTT file: {e or 'malformed cue'}", path=name,
                           line=_bad_timing(lines)) from None
    return [(c.start_in_seconds, c.end_in_seconds, _clock(c.start), _clock(c.end),
             c.voice.strip() if c.voice else None, c.text) for c in captions]


def _srt_cues(text: str, name: str, lines: list[str]):
    import srt

    try:
        subs = list(srt.parse(text))
    except srt.SRTParseError as e:
        line = text.count("\n", 0, e.actual_start) + 1
        raise InvalidInput("not a valid SRT file: a cue needs a timing line like '00:00:01,000 --> 00:00:02,000'",
                           path=name, line=_bad_timing(lines) or line) from None
    out = []
    for s in subs:
        start, end = s.start.total_seconds(), s.end.total_seconds()
        out.append((start, end, _fmt(start), _fmt(end), None, s.content))
    return out


def _fmt(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _dedupe_rolling(bodies: list[list[str]]) -> list[str]:
    """YouTube's rolling captions repeat the previous cue's last line first: drop such repeats."""
    out, last = [], None
    for lines in bodies:
        kept = [x for i, x in enumerate(lines) if not (i == 0 and last is not None and x == last)]
        if lines:
            last = lines[-1]
        out.append(" ".join(kept))
    return out


def parse_captions(text: str, *, fmt: str, name: str) -> Outcome:
    """An Outcome whose records are the turns of a `.vtt` (`fmt="vtt"`) or `.srt` (`fmt="srt"`) text;
    `read` counts the cues."""
    text = normalise_newlines(text).lstrip("\ufeff")
    lines = text.split("\n")
    bad = _bad_timing(lines)
    if bad is not None:
        raise InvalidInput(f"not a valid {_NAMES[fmt]} file: a cue needs a timing line like "
                           f"'00:00:01{'.' if fmt == 'vtt' else ','}000 --> 00:00:02{'.' if fmt == 'vtt' else ','}000'",
                           path=name, line=bad)
    cues = _vtt_cues(text, name, lines) if fmt == "vtt" else _srt_cues(text, name, lines)
    timing = _timing_lines(lines)
    if len(timing) != len(cues):
        # A cue the library skipped would be text lost without a word.
        raise InvalidInput(f"not a valid {_NAMES[fmt]} file: a cue could not be read", path=name,
                           line=timing[len(cues)] if len(timing) > len(cues) else None)
    bodies = _dedupe_rolling([[re.sub(r"\s+", " ", TAG_RE.sub("", x)).strip()
                               for x in body.split("\n") if TAG_RE.sub("", x).strip()] for *_, body in cues])
    labelled = []
    for (_, _, _, _, voice, _), body in zip(cues, bodies):
        m = LABEL_RE.match(body) if not voice else None
        ok = m and m.group("rest") and len(m.group("speaker").split()) <= MAX_LABEL_WORDS
        labelled.append((m.group("speaker").strip(), m.group("rest").strip()) if ok else None)
    use_labels = sum(1 for x in labelled if x) >= LABEL_SHARE * max(1, len(cues))
    any_speaker = use_labels or any(c[4] for c in cues)
    turns: list[Turn] = []
    cur: dict | None = None

    def flush() -> None:
        if cur and cur["text"]:
            turns.append(Turn(len(turns) + 1, cur["speaker"], " ".join(cur["text"]).strip(), cur["line"] or 1,
                              cur["start"], cur["end"]))

    for (start_s, end_s, start, end, voice, _), body, lab, line in zip(cues, bodies, labelled, timing):
        speaker = voice or (lab[0] if use_labels and lab else None)
        if use_labels and lab:
            body = lab[1]
        if not body:
            continue
        if cur is not None:
            if any_speaker:
                same = speaker is None or speaker == cur["speaker"]
            else:
                long_enough = cur["chars"] >= PARAGRAPH_CHARS and cur["text"][-1].rstrip()[-1:] in ".?!"
                same = start_s - cur["end_s"] < PAUSE_S and not long_enough
            if same:
                cur["text"].append(body)
                cur["chars"] += len(body) + 1
                cur["end"], cur["end_s"] = end, end_s
                continue
        flush()
        cur = {"speaker": speaker, "text": [body], "chars": len(body), "line": line, "start": start, "end": end,
               "end_s": end_s}
    flush()
    if not turns:
        raise InvalidInput("the captions hold no text", path=name)
    return Outcome(turns, fmt, read=len(cues))


class VttReader(Reader):
    kind, format, label, suffixes = "transcripts", "vtt", "WebVTT captions", (".vtt",)

    def sniff(self, head: str, data: bytes) -> int:
        return 2 if head.lstrip("\ufeff \n").startswith("WEBVTT") else 0

    def parse(self, text: str, name: str, **options) -> Outcome:
        return parse_captions(text, fmt="vtt", name=name)


class SrtReader(Reader):
    kind, format, label, suffixes = "transcripts", "srt", "SubRip (SRT) captions", (".srt",)

    def sniff(self, head: str, data: bytes) -> int:
        if head.lstrip("\ufeff \n").startswith("WEBVTT"):
            return 0
        m = re.search(r"^\s*\d{1,2}:\d{2}:\d{2},\d{1,3}\s+-->\s+\d", head[:4000], re.MULTILINE)
        return 2 if m else 0

    def parse(self, text: str, name: str, **options) -> Outcome:
        return parse_captions(text, fmt="srt", name=name)
