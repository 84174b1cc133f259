"""Bytes to text for every reader: one decode rule, so no format decodes differently.

The rule, in order:

1. A byte-order mark names the encoding (UTF-8, UTF-16 or UTF-32; Web of Science's "Windows UTF-16"
   export and Windows subtitle tools write one).
2. Bytes that are valid UTF-8 are UTF-8.
3. Anything else is an export of a Windows tool in its legacy code page, most often Windows-1252
   (Excel's "CSV", subtitle editors, older databases). charset-normalizer is asked which encoding
   it is: a multi-byte East-Asian encoding (GB18030, Big5, Shift-JIS, EUC-KR...) or a non-Latin
   single-byte one (Cyrillic, Greek...) it is sure of is used as found; otherwise Windows-1252 is
   used when every byte is defined in it. The encoding used is returned (`Decoded.encoding`,
   `Decoded.note`) so that the import report says it and the researcher can check the accents.
4. Text still undecodable, and text holding NUL characters (a binary file, or UTF-16 without its
   byte-order mark), is refused naming the file and the line of the first bad byte.

Files the team writes itself (codebooks, claims files, label mappings) are not guessed: `strict=True`
takes UTF-8 only, so a configuration never changes meaning by a wrong guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from studyapp.errors import InvalidInput

BOMS = ((b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"), (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
        (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"), (b"\xff\xfe", "utf-16", "UTF-16"), (b"\xfe\xff", "utf-16", "UTF-16"))
#: Encodings charset-normalizer may name that are trusted as found (not Latin look-alikes of cp1252).
MULTIBYTE = {"gb18030", "gb2312", "gbk", "big5", "big5hkscs", "cp932", "shift_jis", "shift_jis_2004", "euc_jp",
             "euc_jis_2004", "euc_kr", "cp949", "cp950", "hz", "iso2022_jp", "johab"}
NON_LATIN = {"cp1251", "koi8_r", "koi8_u", "cp866", "iso8859_5", "mac_cyrillic", "cp1253", "iso8859_7", "cp1255",
             "iso8859_8", "cp1256", "iso8859_6", "cp874", "tis_620", "cp1258"}
NAMES = {"cp1252": "Windows-1252", "utf-8-sig": "UTF-8", "utf-8": "UTF-8"}
MIN_EVIDENCE = 8  # non-ASCII bytes before a multi-byte guess is believed (two bytes say nothing)
MAX_DETECT = 256_000  # bytes charset-normalizer looks at; enough to decide, cheap on a 50 MB file


@dataclass(frozen=True)
class Decoded:
    """The text, the encoding it was read as (Python's name), and whether that was a guess."""

    text: str
    encoding: str
    guessed: bool = False

    @property
    def note(self) -> str:
        """'' for UTF-8 / BOM-marked text, else the sentence the import report shows."""
        if not self.guessed:
            return ""
        return (f"not UTF-8: read as {NAMES.get(self.encoding, self.encoding)} (detected); "
                "check accented letters, or save the file as UTF-8")


def _bad_line(raw: bytes, start: int) -> int:
    return raw[:start].count(b"\n") + 1


def _guess(raw: bytes) -> tuple[str, str] | None:
    """(encoding, text) for bytes that are not UTF-8, or None."""
    try:
        import charset_normalizer
    except ImportError:  # pragma: no cover - a declared dependency
        best = None
    else:
        best = charset_normalizer.from_bytes(raw[:MAX_DETECT]).best()
    found = best.encoding if best is not None else None
    evidence = len(raw[:MAX_DETECT].translate(None, bytes(range(128))))  # bytes outside ASCII
    trusted = (found in MULTIBYTE and evidence >= MIN_EVIDENCE) or (found in NON_LATIN and best.coherence >= 0.3)
    if found and trusted and best.chaos < 0.2:
        try:
            return found, raw.decode(found)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return "cp1252", raw.decode("cp1252")
    except UnicodeDecodeError:
        pass
    return None


def decode(raw: bytes, name: str, *, strict: bool = False) -> Decoded:
    """`raw` as text by the module's rule, or `InvalidInput(path=name, line=...)` saying why not."""
    for bom, codec, label in BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError as e:
                raise InvalidInput(f"not valid {label} text (byte {e.start})", path=name) from None
            return _checked(Decoded(text, codec), name)
    try:
        return _checked(Decoded(raw.decode("utf-8"), "utf-8"), name)
    except UnicodeDecodeError as e:
        line = _bad_line(raw, e.start)
        first_bad = e.start
    if not strict and b"\x00" not in raw:
        guess = _guess(raw)
        if guess is not None:
            return _checked(Decoded(guess[1], guess[0], guessed=True), name)
    if b"\x00" in raw:
        _checked(Decoded(raw.decode("utf-8", errors="replace"), "utf-8"), name)
    raise InvalidInput(f"not UTF-8 text (byte {first_bad}); save it as UTF-8", path=name, line=line)


def _checked(d: Decoded, name: str) -> Decoded:
    nul = d.text.find("\x00")
    if nul >= 0:
        raise InvalidInput("the file holds NUL bytes: it is binary, or UTF-16 without a byte-order mark",
                           path=name, line=d.text[:nul].count("\n") + 1)
    return d


def decode_text(raw: bytes, name: str, *, strict: bool = False) -> str:
    """The text of `raw` (see `decode`)."""
    return decode(raw, name, strict=strict).text


def read_bytes(path: str | Path) -> bytes:
    """A file's bytes, or `InvalidInput` naming it."""
    p = Path(path)
    if p.is_dir():
        raise InvalidInput("is a folder, not a file", path=str(p))
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InvalidInput("no such file", path=str(p)) from None
    except OSError as e:
        raise InvalidInput(f"cannot read the file: {e.strerror}", path=str(p)) from None


def read_file(path: str | Path, *, strict: bool = False) -> Decoded:
    """A file decoded by the rule."""
    return decode(read_bytes(path), str(path), strict=strict)


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR (old Mac, stray CRs in IEEE exports) to LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
