"""Word (.docx) transcripts (python-docx) read as speaker turns.

The body is read in document order. Each paragraph is a line of text, so `Interviewer:` / `P3: text`
paragraphs and the `Name  00:01:02` heading layout split into turns exactly as plain text does
(`transcript_text.split_turns`); a soft line break inside a paragraph stays a `\n`. A table whose
rows are (speaker, text) or (speaker, time, text) or (time, speaker, text), as transcription services
export, gives one turn per row. A turn's `line` is the number of the paragraph (or table row,
counted with the paragraphs) where it starts.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from studyapp.errors import InvalidInput
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

    try:
        doc = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise InvalidInput(f"not a Word .docx file ({type(e).__name__})", path=name) from None
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
    return [Turn(t.seq, t.speaker, re.sub(r"[ \t]*\v[ \t]*", "\n", t.text).strip(), t.line, t.start, t.end)
            for t in turns]


def read_docx(path: str | Path) -> list[Turn]:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InvalidInput(f"cannot read the file: {e.strerror}", path=str(p)) from None
    return parse_docx(data, name=str(p))
