"""Record counts of the real-export corpus by each format's own library, independent of studyapp's
readers: rispy for RIS, bibtexparser for BibTeX, wosfile for Web of Science, nbib for MEDLINE,
the csv module (lenient) for CSV/TSV, webvtt-py for WebVTT, srt for SubRip, python-docx for Word,
json for GitHub issues. A count is what the file holds, so a reader that drops or invents records
differs from it."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import charset_normalizer


def _text(path: Path) -> str:
    raw = path.read_bytes()
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if raw.startswith(bom):
            return raw.decode(enc)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return str(charset_normalizer.from_bytes(raw).best())


def ris(path: Path) -> int:
    import rispy

    text = _text(path)
    if re.search(r"^FN ", text, re.M) and not re.search(r"^TY  - ", text, re.M):
        return len(rispy.loads(text, implementation=rispy.WokParser))
    # rispy reads numbered (Ovid) and preambled (JSTOR) files once each record's lines start with a tag.
    text = re.sub(r"^\d+\.\s*\n(?=TY  -)", "", text, flags=re.M)
    return len(rispy.loads(text.replace("\r", "")))


def bibtex(path: Path) -> int:
    import bibtexparser
    from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock

    lib = bibtexparser.parse_string(_text(path))
    dup = [b for b in lib.failed_blocks if isinstance(b, (DuplicateFieldKeyBlock, DuplicateBlockKeyBlock))]
    return len(lib.entries) + len(dup)


def wos(path: Path) -> int:
    import warnings

    import wosfile

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # wosfile warns about tags it does not know
        return sum(1 for _ in wosfile.records_from(str(path)))


def medline(path: Path) -> int:
    import nbib

    return len(nbib.read(_text(path).replace("\r\n", "\n") + "\n"))  # nbib drops a last record with no newline


def table(path: Path) -> int:
    text = _text(path)
    first = text.split("\n", 1)[0]
    delim = "\t" if first.count("\t") > max(first.count(","), first.count(";")) else \
        (";" if first.count(";") > first.count(",") else ",")
    rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delim) if any(c.strip() for c in r)]
    return len(rows) - 1


def vtt(path: Path) -> int:
    import webvtt

    return len(webvtt.from_buffer(io.StringIO(_text(path).replace("\r\n", "\n")), format="vtt").captions)


def srt_count(path: Path) -> int:
    import srt

    return len([s for s in srt.parse(_text(path)) if s.content.strip()])


def docx(path: Path) -> int:
    from docx import Document

    return len([p for p in Document(str(path)).paragraphs if p.text.strip()])


def github(path: Path) -> int:
    decoder, text, i, n = json.JSONDecoder(), _text(path), 0, 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return n
        doc, i = decoder.raw_decode(text, i)
        if isinstance(doc, dict) and "data" in doc:  # GraphQL: data.repository.issues.nodes or data.search.nodes
            parts = [v.get("issues", v) for v in doc["data"].values() if isinstance(v, dict)]
            doc = next(p["nodes"] for p in parts if isinstance(p, dict) and "nodes" in p)
        n += len(doc) if isinstance(doc, list) else 1


def text_paragraphs(path: Path) -> int:
    return len([p for p in re.split(r"\n\s*\n", _text(path).replace("\r\n", "\n")) if p.strip()])
