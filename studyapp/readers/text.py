"""Bytes to text for every text reader: one rule, so no format decodes differently.

UTF-8 (with or without a BOM) or UTF-16 with a BOM are read; anything else, and text holding NUL
characters (a binary file, or UTF-16 without its BOM), is refused naming the file and the line of the
first bad byte, rather than stored as mojibake.
"""

from __future__ import annotations

from studyapp.errors import InvalidInput


def decode_text(raw: bytes, name: str) -> str:
    """The text of `raw`, or `InvalidInput(path=name, line=...)` saying why it is not text."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as e:
            raise InvalidInput(f"not valid UTF-16 text (byte {e.start})", path=name) from None
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            raise InvalidInput(f"not UTF-8 text (byte {e.start}); save it as UTF-8", path=name,
                               line=line) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise InvalidInput("the file holds NUL bytes: it is binary, or UTF-16 without a byte-order mark",
                           path=name, line=text[:nul].count("\n") + 1)
    return text
