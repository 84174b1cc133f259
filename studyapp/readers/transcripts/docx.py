"""Word (.docx) transcripts (python-docx) read as speaker turns.

The body is read in document order. Each paragraph is a line of text, so `Interviewer:` / `P3: text`
paragraphs and the `Name  00:01:02` heading layout split into turns exactly as plain text does
(`transcript_text.split_turns`); a soft line break inside a paragraph stays a `\n`. A table whose
rows are (speaker, text) or (speaker, time, text) or (time, speaker, text), as transcription services
export, gives one turn per row. A document with no speaker label at all is split into its
paragraphs, one turn each (a Word paragraph is the writer's own unit). A turn's `line` is the number
of the paragraph (or table row, counted with the paragraphs) where it starts. The file is untrusted:
python-docx parses with lxml, which here resolves no entities, so an entity bomb is refused, not
expanded; a DOCTYPE in the main document part is refused outright.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from studyapp.errors import InvalidInput
from studyapp.readers.contract import Outcome, Reader
from studyapp.readers.text import read_bytes
from studyapp.readers.transcripts.text import TIME, Turn, canonical_time, split_turns

TIME_CELL = re.compile(rf"^\s*[\[(]?({TIME})[\])]?\s*$")


def _row_turn(cells: list[str]) -> tuple[str | None, str | None, str] | None:
    cells = [c.strip() for c in cells]
    if len(cells) == 2 and cells[0] and len(cells[0].split()) <= 5:
        return cells[0].rstrip(":"), None, cells[1]
    if len(cells) == 3:
        for ti, si in ((1, 0), (0, 1)):
            m = TIME_CELL.match(cells[ti])
            if m and cells[si]:
                return cells[si].rstrip(":"), canonical_time(m.group(1)), cells[2]
    return None


def _blocks(doc) -> list[tuple[str, object]]:
    """('p', text) for paragraphs and ('row', (speaker, time, text)) for transcript table rows."""
    out: list[tuple[str, object]] = []
    for block in doc.iter_inner_content():
        if hasattr(block, "rows"):
            for row in block.rows:
                cells = [c.text for c in row.cells]
                turn = _row_turn(cells)
                if turn is None:
                    out.append(("p", " | ".join(c.strip() for c in cells if c.strip())))
                else:
                    out.append(("row", turn))
        else:
            out.append(("p", block.text))
    return out


def parse_docx(data: bytes, *, name: str) -> list[Turn]:
    """Turns of a .docx file given as bytes."""
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    _refuse_doctype(data, name)
    try:
        doc = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise InvalidInput(f"not a Word .docx file ({type(e).__name__})", path=name) from None
    except Exception as e:  # lxml's XMLSyntaxError and others for a damaged part
        raise InvalidInput(f"not a readable Word .docx file ({type(e).__name__})", path=name) from None
    blocks = _blocks(doc)
    rows = [b for b in blocks if b[0] == "row"]
    if rows and len(rows) >= len([b for b in blocks if b[0] == "p" and str(b[1]).strip()]):
        turns = []
        for n, (kind, value) in enumerate(blocks, start=1):
            if kind == "row" and value[2].strip():
                speaker, time, text = value
                turns.append(Turn(len(turns) + 1, speaker or None, text.strip().replace("\r", "\n"), n, time))
        return turns
    lines = [str(v) if k == "p" else f"{v[0]}: {v[2]}" for k, v in blocks]
    # A soft break becomes \v while splitting, so that line n is paragraph n, then \n again.
    turns = split_turns("\n".join(line.replace("\n", "\v") for line in lines))
    if not any(t.speaker for t in turns):
        return [Turn(n, None, text.strip(), i) for n, (i, text) in
                enumerate(((i, t) for i, t in enumerate(lines, start=1) if t.strip()), start=1)]
    return [Turn(t.seq, t.speaker, re.sub(r"[ \t]*\v[ \t]*", "\n", t.text).strip(), t.line, t.start, t.end)
            for t in turns]


def _refuse_doctype(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            with zf.open("word/document.xml") as fh:
                head = fh.read(4096)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return  # python-docx reports what is wrong
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise InvalidInput("the Word document declares a DOCTYPE / entities: refused (an entity bomb?)", path=name)


class DocxReader(Reader):
    kind, format, label, suffixes, binary = "transcripts", "docx", "Word document", (".docx",), True

    def sniff(self, head: str, data: bytes) -> int:
        return 2 if data.startswith(b"PK\x03\x04") and b"word/" in data[:4096] else 0

    def parse_bytes(self, data: bytes, name: str, **options) -> Outcome:
        turns = parse_docx(data, name=name)
        return Outcome(turns, "docx", read=len(turns))


def read_docx(path: str | Path) -> list[Turn]:
    return parse_docx(read_bytes(path), name=str(path))
