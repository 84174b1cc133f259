"""The one registry of readers: (kind, detected format) -> reader, with the format detected from
the content.

Every reader follows `readers.contract` (bytes + name -> read -> clean -> `Outcome`). `READERS` is
the plain, ordered list of them. `detect(kind, data, name)` asks each reader of that kind how sure
it is from the start of the content (`Reader.sniff`) and takes the surest; the file's suffix only
breaks ties, and a suffix that disagrees with the content is reported as a note, never fatal (a
RIS file saved as `.txt`, Web of Science plain text saved as `.ris`). `read(kind, data, name)` is
detect + read; `read_path` reads a file first. A format can be forced with `fmt`.

Detection: a signature in the content (score 2: `TY  -`, `@article{`, `PMID-`, `FN`/`VR`, `WEBVTT`,
an SRT timing line, a Word zip, JSON) wins whatever the suffix says. Without one, the suffix picks
the reader (which then says what is wrong with the file); a file with neither a known suffix nor a
signature is refused ("cannot tell the format"), except a suffix-less file that plausibly is a
table or plain text (score 1).

Modules below this package import `readers.contract`, `readers.text`, `readers.sheets` and their own
siblings, never this module, so the registry has no import cycle.
"""

from __future__ import annotations

from pathlib import Path

from studyapp.errors import InvalidInput
from studyapp.readers.contract import Outcome, Problem, Reader
from studyapp.readers.defects.github import GithubJsonReader
from studyapp.readers.defects.table import DefectTableReader
from studyapp.readers.papers.bibtex import BibtexReader
from studyapp.readers.papers.csv import CsvReader
from studyapp.readers.papers.medline import MedlineReader
from studyapp.readers.papers.ris import RisReader
from studyapp.readers.papers.wos import WosReader
from studyapp.readers.text import decode, read_bytes
from studyapp.readers.transcripts.docx import DocxReader
from studyapp.readers.transcripts.text import TextTranscriptReader
from studyapp.readers.transcripts.vtt import SrtReader, VttReader

__all__ = ["READERS", "Outcome", "Problem", "Reader", "detect", "read", "read_path", "read_papers",
           "read_papers_bytes", "suffixes", "parse_transcript", "read_transcript_file", "transcript_format"]

#: Every reader, in the order ties are broken (the more specific format first).
READERS: tuple[Reader, ...] = (
    BibtexReader(), WosReader(), MedlineReader(), RisReader(), CsvReader(),
    VttReader(), SrtReader(), DocxReader(), TextTranscriptReader(),
    GithubJsonReader(), DefectTableReader(),
)
HEAD_BYTES = 64 * 1024


def readers_of(kind: str) -> list[Reader]:
    return [r for r in READERS if r.kind == kind]


def suffixes(kind: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for r in readers_of(kind) for s in r.suffixes))


def _by_format(kind: str, fmt: str, name: str) -> Reader:
    for r in readers_of(kind):
        if r.format == fmt:
            return r
    raise InvalidInput(f"unknown {kind} format {fmt!r} (use one of {', '.join(r.format for r in readers_of(kind))})",
                       path=name)


def detect(kind: str, data: bytes, name: str) -> tuple[Reader, list[str]]:
    """The reader for `data` and the notes to report (a suffix that disagrees with the content)."""
    candidates = readers_of(kind)
    if not candidates:
        raise InvalidInput(f"no reader for {kind!r}", path=name)
    suffix = Path(name).suffix.lower()
    head = ""
    if not data.startswith(b"PK\x03\x04"):
        try:
            head = decode(data[:HEAD_BYTES], name).text
        except InvalidInput:
            head = data[:HEAD_BYTES].decode("utf-8", errors="replace")
    scored = [(r.sniff(head, data), suffix in r.suffixes, -i, r) for i, r in enumerate(candidates)]
    score, _, _, reader = max(scored, key=lambda x: x[:3])
    expected = next((r for _, by_suffix, _, r in scored if by_suffix), None)
    notes = []
    if score == 2:
        if expected is not None and expected is not reader:
            notes.append(f"the file is named {suffix} but holds {reader.label}: read as {reader.label}")
        return reader, notes
    if expected is not None:
        return expected, notes
    if score == 1 and not suffix:
        return reader, notes
    if not data.strip():
        raise InvalidInput("the file is empty", path=name)
    raise InvalidInput(f"cannot tell the format of this file from its content or its suffix "
                       f"{suffix or '(none)'!r} (readable: {', '.join(suffixes(kind))})", path=name)


def read(kind: str, data: bytes, name: str, fmt: str | None = None, **options) -> Outcome:
    """Detect the format (or take `fmt`) and read; the Outcome's notes include the detection's."""
    if fmt and fmt != "auto":
        reader, notes = _by_format(kind, fmt, name), []
    else:
        reader, notes = detect(kind, data, name)
    out = reader.read(data, name, **options)
    out.notes[:0] = notes
    return out


def read_path(kind: str, path: str | Path, fmt: str | None = None, **options) -> Outcome:
    return read(kind, read_bytes(path), str(path), fmt, **options)


# -- the feature-named entry points the services use -------------------------------------------------

def read_papers_bytes(data: bytes, name: str) -> Outcome:
    """An uploaded search-results file (any paper format, detected from the content)."""
    return read("papers", data, name)


def read_papers(path: str | Path) -> Outcome:
    return read_path("papers", path)


def transcript_format(name: str, data: bytes, fmt: str | None = None) -> str:
    if fmt and fmt != "auto":
        return _by_format("transcripts", fmt, name).format
    return detect("transcripts", data, name)[0].format


def parse_transcript(data: bytes, name: str, fmt: str | None = None) -> tuple[str, list]:
    """(format, turns) of a transcript file's bytes; an empty transcript is an error."""
    out = read("transcripts", data, name, fmt)
    if not out.records:
        raise InvalidInput("the transcript is empty", path=name)
    return out.format, out.records


def read_transcript_file(path: str | Path, fmt: str | None = None) -> tuple[str, list]:
    return parse_transcript(read_bytes(path), str(path), fmt)
