"""A study exported, imported into a fresh study and exported again is the same project: codes and
their GUIDs, sets, sources, selections, coders and memos (judged by `refi_view`, which reads the
archives with lxml alone), also when the project went through a tool that keeps only project.qde
and its sources. A codebook made from a plain code tree goes out without a root code; one whose
fields came from categories keeps them as categories. GUIDs another project gives the same things
later do not replace the ones the study has."""

from __future__ import annotations

import zipfile

import pytest

from studyapp.interop.refi_import import import_qdpx
from studyapp.interop.refi_model import make_guid
from studyapp.services.publish.exports import export
from studyapp.store.sets import Member
from tests.interop.conftest import CB, new_study, write_qdpx
from tests.interop.refi_view import validates, view
from tests.interop.test_other_tools import QUALCODER, SRC, TEXT, maxqda_project


@pytest.fixture
def with_sets(coded):
    """The coded interview study with a code group (two codes and a whole field), a document set
    and a set of memos, made in studyapp."""
    t3, t4 = (coded.units.by_key("transcript", k)["id"] for k in ("interview-03", "interview-04"))
    memo = {m["text"]: m["id"] for m in coded.memos.list()}
    coded.sets.add("Model choice", description="RQ1 codes", actor="lea",
                   members=[Member.of_code(CB, "attributes", "popularity"), Member.of_code(CB, "attributes", "latency"),
                            Member.of_code(CB, "challenges")])
    coded.sets.add("Pilot wave", members=[Member.of_transcript(t3), Member.of_transcript(t4)], actor="lea")
    coded.sets.add("Method memos", members=[Member.of_memo(memo["Saturation reached after interview 5."]),
                                            Member.of_memo(memo["Audio was poor after minute 12."])], actor="lea")
    return coded


def _without_meta(src, out):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            if info.filename != "studyapp.json":
                zout.writestr(info.filename, zin.read(info))
    return out


def test_out_in_out_is_the_same_project(with_sets, tmp_path):
    first = tmp_path / "first.qdpx"
    r = export(with_sets, first, actor="lea")
    assert r.sets == 3 and validates(first)[0]
    a = view(first)
    assert len(a["sets"]) == 3 and len(a["selections"]) > 9 and len(a["notes"]) == 4
    fresh = new_study(tmp_path / "fresh")
    imported = import_qdpx(fresh, first, actor="lea")
    assert imported.lossless and imported.sets == 3 and not imported.warnings
    second = tmp_path / "second.qdpx"
    export(fresh, second, actor="lea")
    ok, log = validates(second)
    assert ok, log
    assert view(second) == a
    # the study's sets themselves came across
    assert [(s["guid"], s["name"], s["description"], len(s["members"])) for s in fresh.sets.list()] == \
        [(s["guid"], s["name"], s["description"], len(s["members"])) for s in with_sets.sets.list()]


def test_through_a_tool_that_drops_studyapp_json_the_project_is_the_same(with_sets, tmp_path):
    first = tmp_path / "first.qdpx"
    export(with_sets, first, actor="lea")
    bare = _without_meta(first, tmp_path / "bare.qdpx")
    other = new_study(tmp_path / "other")
    r = import_qdpx(other, bare, actor="lea")
    assert not r.lossless and r.sets == 3
    second = tmp_path / "second.qdpx"
    export(other, second, actor="lea")
    assert view(second) == view(first)


def test_a_plain_code_tree_goes_out_without_a_root_code(tmp_path):
    """MAXQDA's codes are a plain tree (codable codes with sub-codes): they become field `codes`, and
    go out at the top of the tree again, under their own GUIDs."""
    src = write_qdpx(tmp_path / "m.qdpx", maxqda_project(), {f"Sources/{SRC}.txt": TEXT})
    store = new_study(tmp_path / "s")
    import_qdpx(store, src, actor="lea")
    out = tmp_path / "out.qdpx"
    export(store, out, actor="lea")
    tops = [(c[0], c[1], c[2]) for c in view(out)["codes"]]
    assert tops == [("00000000-0000-4000-8000-000000000001", "Motivation", "true"),
                    ("00000000-0000-4000-8000-000000000004", "Barriers", "true")]
    assert [c[0] for c in view(out)["codes"]] == [c[0] for c in view(src)["codes"]]


def test_fields_from_categories_stay_categories(tmp_path):
    """QualCoder's top-level codes are categories (not codable): they are fields here, and go out as
    categories again, under their GUIDs."""
    store = new_study(tmp_path / "s")
    store.coders.add("Colin")
    path = write_qdpx(tmp_path / "qc.qdpx", QUALCODER)
    import_qdpx(store, path, actor="lea")
    out = tmp_path / "out.qdpx"
    export(store, out, actor="lea")
    assert view(out)["codes"] == view(path)["codes"]
    assert [(c[1], c[2]) for c in view(out)["codes"]] == [("Feelings", "false"), ("Tools", "false")]


def test_a_native_codebook_keeps_its_derived_guids(with_sets, tmp_path):
    out = tmp_path / "a.qdpx"
    export(with_sets, out, actor="lea")
    codes = {c[0] for top in view(out)["codes"] for c in _walk(top)}
    assert make_guid("code", CB, "attributes", "latency") in codes
    assert make_guid("field", CB, "attributes") in codes


def _walk(code):
    yield code
    for ch in code[5]:
        yield from _walk(ch)


def test_the_first_guid_of_a_thing_stays(tmp_path):
    """A second project that names the study's codes and coders under other GUIDs (another tool's
    export of the same codebook) keeps the study's GUIDs, and says so."""
    store = new_study(tmp_path / "s")
    qde = maxqda_project()
    import_qdpx(store, write_qdpx(tmp_path / "1.qdpx", qde, {f"Sources/{SRC}.txt": TEXT}), actor="lea",
                codebook="shared")
    src2 = "b2b94468-80a5-412f-92d6-e900d97b55a6"
    other = qde.replace("00000000-0000-4000-8000-00000000000", "00000000-0000-4000-8000-0000000000a").replace(
        SRC, src2).replace('name="Interview 1.docx"', 'name="Interview 2.docx"')
    r = import_qdpx(store, write_qdpx(tmp_path / "2.qdpx", other, {f"Sources/{src2}.txt": TEXT}), actor="lea",
                    codebook="shared")
    assert any("already had another GUID; the study's are kept" in w for w in r.warnings), r.warnings
    out = tmp_path / "out.qdpx"
    export(store, out, actor="lea")
    assert [c[0] for c in view(out)["codes"]] == ["00000000-0000-4000-8000-000000000001",
                                                  "00000000-0000-4000-8000-000000000004"]
    ok, log = validates(out)
    assert ok, log


def test_guids_of_a_deleted_span_go_with_it(tmp_path):
    """A span's GUID row goes when the span goes, so a later span that reuses its id is not taken
    for the selection it came from."""
    src = write_qdpx(tmp_path / "m.qdpx", maxqda_project(), {f"Sources/{SRC}.txt": TEXT})
    store = new_study(tmp_path / "s")
    import_qdpx(store, src, actor="lea")
    before = set(store.guids.of_kind("span"))
    assert len(before) == 4  # of 5 spans: the second piece of a selection cut at a segment boundary has none
    gone = min(before)
    store.transcripts.delete_span(gone[0], actor="lea")
    assert set(store.guids.of_kind("span")) == before - {gone}


def test_sets_in_the_store_are_audited_and_checked(tmp_path):
    store = new_study(tmp_path / "s")
    sid = store.sets.add("Group", members=[Member.of_code("cb", "f", "a")], actor="lea")
    assert store.sets.add_members(sid, [Member.of_code("cb", "f", "a"), Member.of_code("cb", "f", "b")],
                                  actor="lea") == 1
    assert store.sets.remove_members(sid, [Member.of_code("cb", "f", "a")], actor="lea") == 1
    store.sets.edit(sid, name="Renamed", actor="lea")
    assert store.sets.get(sid)["name"] == "Renamed" and store.sets.members(sid) == [Member.of_code("cb", "f", "b")]
    g = store.sets.get(sid)["guid"]
    from studyapp.errors import StudyError
    with pytest.raises(StudyError, match="already in the study"):
        store.sets.add("Again", guid=g.upper())
    with pytest.raises(StudyError, match="not a set member"):
        store.sets.add_members(sid, [Member("code", codebook="cb")])
    with pytest.raises(StudyError, match="needs a name"):
        store.sets.add("  ")
    same, added = store.sets.ensure(g, "Other name", members=[Member.of_code("cb", "f", "c")])
    assert same == sid and added == 1 and store.sets.get(sid)["name"] == "Renamed"
    store.sets.delete(sid, actor="lea")
    assert store.sets.list() == []
    actions = [h["action"] for h in reversed(store.history.recent(50, "set."))]
    assert actions == ["set.add", "set.members", "set.members", "set.unmembers", "set.edit", "set.members",
                       "set.delete"]
