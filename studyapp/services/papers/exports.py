"""Exports of the review: included papers as BibTeX and CSV, every paper's screening outcome as CSV,
and the extraction table as CSV or XLSX. BibTeX is written by bibtexparser, XLSX by openpyxl; CSV and
XLSX cells are guarded against formula injection (a title starting with `=` stays text)."""

from __future__ import annotations

import io

import bibtexparser
from bibtexparser.model import Entry, Field

from studyapp.domain.spreadsheet_safe import DictWriter, excel_sheet
from studyapp.services.papers import extraction, screening
from studyapp.store import Store

FORMATS = ("bibtex", "csv", "screening-csv", "extraction-csv", "extraction-xlsx")
ENTRY_TYPES = {"article": "article", "jour": "article", "journal article": "article", "journalarticle": "article",
               "inproceedings": "inproceedings", "conf": "inproceedings", "conference paper": "inproceedings",
               "conferencepaper": "inproceedings", "proceedings paper": "inproceedings",
               "paper-conference": "inproceedings", "book": "book", "incollection": "incollection",
               "phdthesis": "phdthesis", "techreport": "techreport"}
COLUMNS = ("key", "title", "authors", "year", "venue", "doi", "url", "source", "abstract")


def _included(store: Store) -> list[dict]:
    ids = {u["id"] for u in extraction.included_papers(store)}
    return [u for u in store.units.list("paper") if u["id"] in ids]


def included_bibtex(store: Store) -> str:
    """The included papers as a BibTeX file (authors joined with `and`, keys as in the study)."""
    lib = bibtexparser.Library()
    for u in _included(store):
        a = u["attrs"]
        etype = ENTRY_TYPES.get(str(a.get("type", "")).casefold(), "misc")
        venue_field = {"article": "journal", "inproceedings": "booktitle"}.get(etype, "howpublished")
        fields = [("title", u["title"]), ("author", " and ".join(x.strip() for x in str(a.get("authors", "")).split(";")
                                                                   if x.strip())),
                  ("year", str(a.get("year") or "")), (venue_field, a.get("venue")), ("doi", a.get("doi")),
                  ("url", a.get("url")), ("abstract", u["text"]), ("keywords", a.get("keywords"))]
        lib.add(Entry(etype, u["key"], [Field(k, str(v)) for k, v in fields if v]))
    return bibtexparser.write_string(lib)


def _csv(rows: list[dict], columns: list[str]) -> str:
    buf = io.StringIO()
    w = DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def _paper_row(u: dict) -> dict:
    a = u["attrs"]
    return {"key": u["key"], "title": u["title"], "authors": a.get("authors", ""), "year": a.get("year", ""),
            "venue": a.get("venue", ""), "doi": a.get("doi", ""), "url": a.get("url", ""),
            "source": a.get("source", ""), "abstract": u.get("text") or ""}


def included_csv(store: Store) -> str:
    return _csv([_paper_row(u) for u in _included(store)], list(COLUMNS))


def screening_csv(store: Store) -> str:
    """Every primary paper with its verdict and reason at both stages (team-level outcomes only,
    never a reviewer's individual decision)."""
    ta, ft = screening.verdicts(store, "ta"), screening.verdicts(store, "ft")
    rows = []
    for u in screening.primary_papers(store):
        t, f = ta.get(u["id"]), ft.get(u["id"])
        rows.append({**_paper_row({**u, "text": ""}), "title_abstract": t.status if t else "",
                     "title_abstract_reason": (t.reason or "") if t else "", "full_text": f.status if f else "",
                     "full_text_reason": (f.reason or "") if f else ""})
    cols = [c for c in COLUMNS if c != "abstract"] + ["title_abstract", "title_abstract_reason", "full_text",
                                                       "full_text_reason"]
    return _csv(rows, cols)


def extraction_csv(store: Store, viewer: str | None) -> str:
    rows = extraction.extraction_table(store, viewer)
    cb = extraction.setup(store)
    return _csv(rows, ["key", "title", "year", "coder"] + [f.id for f in cb.fields])


def extraction_xlsx(store: Store, viewer: str | None) -> bytes:
    import pandas as pd

    cb = extraction.setup(store)
    rows = extraction.extraction_table(store, viewer)
    df = pd.DataFrame(rows, columns=["key", "title", "year", "coder"] + [f.id for f in cb.fields])
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        excel_sheet(df, xw, "extraction")
        excel_sheet(pd.DataFrame([{"field": f.id, "label": f.label, "type": f.type, "definition": f.definition}
                                  for f in cb.fields]), xw, "fields")
    return buf.getvalue()


#: Each export's file name and MIME type (known before the content is made, for download buttons).
FILES = {"bibtex": ("included.bib", "application/x-bibtex"), "csv": ("included.csv", "text/csv"),
         "screening-csv": ("screening.csv", "text/csv"), "extraction-csv": ("extraction.csv", "text/csv"),
         "extraction-xlsx": ("extraction.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


def export(store: Store, what: str, viewer: str | None = None) -> tuple[str | bytes, str, str]:
    """(content, file name, MIME type) of one export."""
    makers = {"bibtex": lambda: included_bibtex(store), "csv": lambda: included_csv(store),
              "screening-csv": lambda: screening_csv(store), "extraction-csv": lambda: extraction_csv(store, viewer),
              "extraction-xlsx": lambda: extraction_xlsx(store, viewer)}
    if what not in makers:
        from studyapp.errors import StudyError

        raise StudyError(f"unknown export {what!r}; use one of {', '.join(FORMATS)}")
    return (makers[what](), *FILES[what])
