"""Transcript readers registered by file suffix: one contract, `read(path) -> list[Turn]`.

`.txt`/`.md` are speaker-turn text, `.docx` Word, `.vtt` WebVTT and `.srt` SubRip captions. Uploads
come as bytes with their file name and go through the same parsers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from studyapp.errors import InvalidInput
from studyapp.readers.text import decode_text
from studyapp.readers.transcripts.docx import parse_docx
from studyapp.readers.transcripts.text import Turn, split_turns
from studyapp.readers.transcripts.vtt import parse_captions


def _text(data: bytes, name: str) -> list[Turn]:
    return split_turns(decode_text(data, name))


def _vtt(data: bytes, name: str) -> list[Turn]:
    return parse_captions(decode_text(data, name), fmt="vtt", name=name)


def _srt(data: bytes, name: str) -> list[Turn]:
    return parse_captions(decode_text(data, name), fmt="srt", name=name)


def _docx(data: bytes, name: str) -> list[Turn]:
    return parse_docx(data, name=name)


PARSERS: dict[str, Callable[[bytes, str], list[Turn]]] = {
    "text": _text, "docx": _docx, "vtt": _vtt, "srt": _srt}
SUFFIXES = {".txt": "text", ".text": "text", ".md": "text", ".docx": "docx", ".vtt": "vtt", ".srt": "srt"}


def format_of(name: str, fmt: str | None = None) -> str:
    if fmt and fmt != "auto":
        if fmt not in PARSERS:
            raise InvalidInput(f"unknown transcript format {fmt!r} (use one of {', '.join(PARSERS)})", path=name)
        return fmt
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput(f"cannot tell the transcript format from {suffix or 'no suffix'!r}: use "
                           f"{', '.join(sorted(SUFFIXES))} or give the format", path=name)
    return SUFFIXES[suffix]


def parse_transcript(data: bytes, name: str, fmt: str | None = None) -> tuple[str, list[Turn]]:
    """(format, turns) of a transcript file's bytes; an empty transcript is an error."""
    kind = format_of(name, fmt)
    turns = PARSERS[kind](data, name)
    if not turns:
        raise InvalidInput("the transcript is empty", path=name)
    return kind, turns


def read_transcript_file(path: str | Path, fmt: str | None = None) -> tuple[str, list[Turn]]:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InvalidInput(f"cannot read the file: {e.strerror}", path=str(p)) from None
    return parse_transcript(data, str(p), fmt)
