"""Real projects go in and out of studyapp unchanged: a project NVivo 12.6 for Windows exported
(`tests/data/real/refi/nvivo-12.6-oltas0517.qdpx`, 2 sources of YouTube comments, 2 users, 152 codes
in a plain tree, 303 coded selections; origin and license in tests/data/real/SOURCES.md) and an
ATLAS.ti 23.4 codebook with a code group. "Unchanged" is judged by `refi_view`, which reads the
archives with lxml alone: the same code tree under the same GUIDs (no root code added), the same
users, sources and selections (GUID, creating user, the text selected, each coding's GUID, code and
user), and sets; and the export validates against the REFI-QDA schema as the original does."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from studyapp.interop.refi_import import import_qdc, import_qdpx
from studyapp.services.publish.exports import export
from tests.interop.conftest import new_study
from tests.interop.refi_view import q, qde_bytes, source_text, validates, view

REAL = Path(__file__).resolve().parents[1] / "data" / "real" / "refi"
NVIVO = REAL / "nvivo-12.6-oltas0517.qdpx"
ATLAS_QDC = REAL / "atlasti-23.4-code-group.qdc"


@pytest.fixture(scope="module")
def nvivo_trip(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nvivo")
    store = new_study(tmp / "study")
    r = import_qdpx(store, NVIVO, actor="lea")
    out = tmp / "back.qdpx"
    e = export(store, out, actor="lea")
    yield store, r, e, out
    store.close()


def test_nvivo_positions_count_utf16_code_units():
    """Why positions are read as UTF-16 code units: NVivo's coders selected whole comments (a line
    each), and read in UTF-16 units 274 of the 303 selections start at a line start and end at a
    line end; read as code points only 14 do (the rest are shifted by one per emoji before them)."""
    root = etree.fromstring(qde_bytes(NVIVO))

    def at_line_ends(text: str, s: int, e: int) -> bool:
        return (s == 0 or text[s - 1] == "\n") and text[e:e + 1] in ("\r", "\n", "")

    aligned, total = {"utf16": 0, "code points": 0}, 0
    with zipfile.ZipFile(NVIVO) as zf:
        for src in root.iter(q("TextSource")):
            text = source_text(zf, src.get("plainTextPath"))
            units = text.encode("utf-16-le")
            for sel in src.iter(q("PlainTextSelection")):
                s, e = int(sel.get("startPosition")), int(sel.get("endPosition"))
                total += 1
                cs, ce = len(units[:2 * s].decode("utf-16-le")), len(units[:2 * e].decode("utf-16-le"))
                aligned["utf16"] += at_line_ends(text, cs, ce)
                aligned["code points"] += at_line_ends(text, s, e)
    assert total == 303 and aligned == {"utf16": 274, "code points": 14}


def test_nvivo_project_imports_whole(nvivo_trip):
    store, r, _, _ = nvivo_trip
    assert not r.lossless and r.transcripts == ["videos_selection", "videos_10_selected"]
    assert r.coders == ["Gergo", "floriansipos"] and r.spans == 303 and r.memos == 0
    assert not any("crossed segment" in w for w in r.warnings), r.warnings  # read as code points, 4 did
    # every span quotes what NVivo's selection selected (read independently, in UTF-16 units)
    v = view(NVIVO)
    quotes = sorted(sel[2].strip() for sel in v["selections"].values())
    assert sorted(s["snippet"].strip() for s in store.transcripts.spans()) == quotes


def test_nvivo_project_goes_back_with_the_same_guids_tree_and_selections(nvivo_trip):
    _, _, e, out = nvivo_trip
    assert validates(NVIVO)[0]
    ok, log = validates(out)
    assert ok, log
    before, after = view(NVIVO), view(out)
    assert len(before["codes"]) == 12 and after["codes"] == before["codes"]  # no root code "Codes" added
    assert e.codes == 152 and e.selections == 303 and e.codings == 303
    assert {k: v[0] for k, v in after["sources"].items()} == {k: v[0] for k, v in before["sources"].items()}
    assert all(after["sources"][k][1] == t for k, (_, t) in before["sources"].items())  # text, with LF
    assert after["selections"] == before["selections"]
    assert before["users"].items() <= after["users"].items()  # plus the lead who imported it
    assert after["sets"] == before["sets"] == {}


def test_nvivo_project_again_is_the_same_again(nvivo_trip, tmp_path):
    """Out of studyapp and into a fresh study, then out again: the same project."""
    _, _, _, out = nvivo_trip
    again = new_study(tmp_path / "again")
    assert import_qdpx(again, out, actor="lea").lossless
    out2 = tmp_path / "again.qdpx"
    export(again, out2, actor="lea")
    assert view(out2) == view(out)


def test_atlas_ti_code_group_goes_in_and_out(tmp_path):
    """ATLAS.ti 23.4 writes code groups as Sets in its .qdc (members as `guid=`, not `targetGUID=`)."""
    store = new_study(tmp_path / "s")
    r = import_qdc(store, ATLAS_QDC, actor="lea")
    [(cid, _, _)] = r.codebooks
    [group] = store.sets.code_groups(cid)
    assert (group["guid"], group["name"], group["description"]) == (
        "eca18d76-2b8b-4f26-bc1d-19eca19fb3f0", "code group 1", "kategorie 1")
    assert group["codes"] == [(cid, "codes", "code1")] and r.sets == 1
    (tmp_path / "back").mkdir()
    out = tmp_path / "back" / ATLAS_QDC.name  # the same name: the codebook made of it is the same
    e = export(store, out)
    root = etree.fromstring(out.read_bytes())
    ns = {"c": "urn:QDA-XML:codebook:1.0"}
    [code] = root.findall("c:Codes/c:Code", ns)
    assert (code.get("guid"), code.get("name"), code.get("color"), code.findtext("c:Description", namespaces=ns)) == (
        "1ff58b12-6f6f-4b0c-8be5-bbdc91f55294", "code1", "#46aa00", "description")
    [st] = root.findall("c:Sets/c:Set", ns)
    assert (st.get("guid"), st.get("name"), st.findtext("c:Description", namespaces=ns)) == (
        "eca18d76-2b8b-4f26-bc1d-19eca19fb3f0", "code group 1", "kategorie 1")
    assert [m.get("targetGUID") for m in st.findall("c:MemberCode", ns)] == [code.get("guid")] and e.sets == 1
    # importing the codebook again changes nothing
    again = import_qdc(store, out, actor="lea", codebook=cid)
    assert not again.codebooks[0][2] and len(store.sets.list()) == 1 and store.sets.members(group["id"]) == \
        store.sets.code_groups(cid)[0]["members"]


def _renamed(src: Path, out: Path, names: list[str]) -> Path:
    """`src` with its project.qde stored under each of `names` (ATLAS.ti 26 names it after the project)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "project.qde":
                for name in names:
                    zout.writestr(name, data)
            else:
                zout.writestr(info, data)
    return out


def test_a_project_file_named_after_the_project_imports_as_project_qde_does(nvivo_trip, tmp_path):
    _, original, _, _ = nvivo_trip
    renamed = _renamed(NVIVO, tmp_path / "atlas-style.qdpx", ["OLTAS 0517.qde"])
    r = import_qdpx(new_study(tmp_path / "study"), renamed, actor="lea")
    assert (r.transcripts, r.segments, r.spans, r.coders) == (original.transcripts, original.segments, original.spans,
                                                              original.coders)
    assert r.spans == 303


def test_several_project_files_and_no_project_qde_are_refused_by_name(tmp_path):
    from studyapp.errors import InvalidInput

    two = _renamed(NVIVO, tmp_path / "two.qdpx", ["a.qde", "b.qde"])
    with pytest.raises(InvalidInput, match="several project files and no project.qde: a.qde, b.qde"):
        import_qdpx(new_study(tmp_path / "study"), two, actor="lea")
