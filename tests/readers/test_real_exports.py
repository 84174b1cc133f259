"""Every file of the real-export corpus (tests/data/real/, origins and licenses in SOURCES.md) is
read through the registry (format detected from the content) and its record count checked against
the format's own library (tests/readers/independent.py); each paper and defect file is also imported
into a real study. The test writes the table (files per source, records, pass) to the terminal and
to the pytest cache folder as real-exports.md."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from studyapp.errors import InvalidInput
from studyapp.readers import read_path
from studyapp.services.study.study import init_study
from tests.readers import independent as ind

REAL = Path(__file__).resolve().parents[1] / "data" / "real"
#: Counts the format's library cannot give (it refuses the file): counted by hand, with the reason.
BY_HAND = {"pubmed/MedlinePlainImporterTestMultipleEntries.txt": (8, "nbib refuses the whole file: 8 records "
                                                                      "(blank-line separated), 6 with untagged lines")}
RIS_AS_TXT = {"wos/web_of_science.txt", "pubmed/pubmed_endnote.txt"}  # RIS saved as .txt


def kind_and_counter(rel: str) -> tuple[str, str]:
    folder, name = rel.split("/", 1)
    n = name.lower()
    if folder in ("youtube", "netflix", "webvtt"):
        return "transcripts", "vtt"
    if folder == "srt":
        return "transcripts", "srt_count"
    if folder == "qualcoder":
        return "transcripts", "docx" if n.endswith(".docx") else "text_paragraphs"
    if folder in ("gh", "github"):
        return "defects", "github"
    if rel in RIS_AS_TXT:
        return "papers", "ris"
    if n.endswith((".bib", ".biblatex")):
        return "papers", "bibtex"
    if n.endswith((".csv", ".tsv")):
        return "papers", "table"
    if n.endswith(".nbib") or folder == "pubmed" and n.endswith(".txt"):
        return "papers", "medline"
    if folder == "wos":
        return "papers", "ris" if n.endswith(".ris") and "wos" not in n else "wos"
    return "papers", "ris"


FILES = sorted(str(p.relative_to(REAL)) for p in REAL.glob("*/*")
               if p.parent.name not in ("LICENSES", "refi") and p.suffix not in (".md",))
RESULTS: dict[str, tuple[str, int, int, bool]] = {}


def expected_count(rel: str) -> int:
    if rel in BY_HAND:
        return BY_HAND[rel][0]
    _, counter = kind_and_counter(rel)
    if rel == "wos/example_wos.ris":
        return ind.ris(REAL / rel)  # rispy's WokParser
    return getattr(ind, counter)(REAL / rel)


@pytest.mark.parametrize("rel", FILES)
def test_real_export_reads_every_record(rel):
    kind, _ = kind_and_counter(rel)
    expected = expected_count(rel)
    out = read_path(kind, REAL / rel)
    got = out.n_read
    RESULTS[rel] = (kind, expected, got, got == expected)
    assert got == expected, f"{rel}: read {got}, the format's library counts {expected}; problems {out.problems[:3]}"
    if kind == "transcripts":
        assert out.records and all(t.text for t in out.records)


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    store = init_study(tmp_path_factory.mktemp("real") / "study", title="real exports")
    store.coders.add("lea", "lead")
    yield store
    store.close()


@pytest.mark.parametrize("rel", [f for f in FILES if kind_and_counter(f)[0] == "papers"])
def test_real_paper_export_imports(study, rel):
    from studyapp.services.papers.imports import import_papers

    titled = [r for r in read_path("papers", REAL / rel).records if r.title]
    if not titled:  # a file with no importable record is refused whole, and says why
        with pytest.raises(InvalidInput, match="no record could be imported"):
            import_papers(study, [REAL / rel], actor="lea", dedup=False)
        return
    [rep] = import_papers(study, [REAL / rel], actor="lea", dedup=False)
    assert rep.read == expected_count(rel) and rep.imported + rep.duplicates == len(titled)
    assert rep.imported + rep.duplicates + len(rep.rejected) == rep.read
    assert all(x["reason"] and (x["record"] or x["line"]) for x in rep.rejected)


def test_corpus_table(request):
    """Files per source, records, pass: printed and written (run with the other corpus tests)."""
    if not RESULTS:
        pytest.skip("run together with test_real_export_reads_every_record")
    per: dict[str, list] = defaultdict(lambda: [0, 0, 0])
    for rel, (_, expected, got, ok) in RESULTS.items():
        row = per[rel.split("/", 1)[0]]
        row[0] += 1
        row[1] += got
        row[2] += ok
    lines = ["| source folder | files | records | pass |", "|---|---|---|---|"]
    lines += [f"| {k} | {v[0]} | {v[1]} | {v[2]}/{v[0]} |" for k, v in sorted(per.items())]
    lines.append(f"| all ({len(per)} sources) | {sum(v[0] for v in per.values())} | "
                 f"{sum(v[1] for v in per.values())} | {sum(v[2] for v in per.values())}/{len(RESULTS)} |")
    text = "\n".join(lines)
    print("\n" + text)
    cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    if cache is not None:
        (Path(cache.mkdir("real-exports")) / "real-exports.md").write_text(text + "\n", encoding="utf-8")
    assert len(RESULTS) >= 60 and len(per) >= 15
