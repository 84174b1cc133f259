"""Export -> import keeps the study: every code (tree, colour, definition), span (offsets, snippet,
codes, note, round), coder, segment value and memo; agreement on the imported study equals the
original's, also when the project went through a tool that drops studyapp.json."""

from __future__ import annotations

import zipfile

import pytest

from studyapp.errors import InvalidInput, PermissionDenied
from studyapp.interop.refi_export import _describe
from studyapp.interop.refi_import import import_qdc, import_qdpx
from studyapp.services.agreement.fields import codebook_agreement
from studyapp.services.coding.codebooks import get_codebook
from studyapp.services.interviews.spans import code_color
from studyapp.services.publish.exports import export, formats
from tests.interop.conftest import CB, fingerprint, new_study


def spans(store):
    keys = {u["id"]: u["key"] for u in store.units.list("segment", with_text=False)}
    return sorted((keys[s["unit_id"]], s["coder"], s["round"], s["codebook"], s["start"], s["end"], s["snippet"],
                   tuple(map(tuple, s["codes"])), s["note"]) for s in store.transcripts.spans())


def values(store):
    keys = {u["id"]: u["key"] for u in store.units.list("segment", with_text=False)}
    return sorted((keys[a[0]],) + tuple(a[1:]) for a in store.transcripts.segment_annotations(CB))


def memos(store):
    return sorted((m["target_kind"], m["unit_kind"], m["unit_key"], m["codebook"], m["code"], m["coder"], m["text"])
                  for m in store.memos.list())


def units(store, kind):
    return [(u["key"], u["title"], u["text"], u["seq"], u["attrs"]) for u in store.units.list(kind)]


def headlines(store, codebook):
    return {(a.name, a.rounds): {k: v for k, v in a.headline().items() if k not in ("codebook", "field")}
            for a in codebook_agreement(store, codebook, n_boot=200)}


@pytest.fixture
def exported(coded, tmp_path):
    out = tmp_path / "study.qdpx"
    r = export(coded, out, actor="lea")
    assert (r.users, r.sources) == (3, 3) and r.codings > 0 and r.notes == 4, r
    return out


def test_qdpx_and_qdc_are_registered_exporters():
    assert {".zip", ".qdpx", ".qdc"} <= set(formats())


def test_round_trip_keeps_every_code_span_coder_value_and_memo(coded, exported, tmp_path):
    new = new_study(tmp_path / "copy")
    r = import_qdpx(new, exported, actor="lea")
    assert r.lossless and not r.warnings, r
    assert sorted(r.new_coders) == ["bob", "chen"] and new.coders.get("bob")["role"] == "coder"
    assert get_codebook(new, CB) == get_codebook(coded, CB)  # every code: ids, labels, tree, colours, definitions
    assert new.codebooks.latest(CB)["yaml"] == coded.codebooks.latest(CB)["yaml"]
    assert {r["id"] for r in new.rounds.list()} == {"main", "pilot"}
    assert units(new, "transcript") == units(coded, "transcript")
    assert units(new, "segment") == units(coded, "segment")
    assert spans(new) == spans(coded) and len(spans(new)) == 9
    assert values(new) == values(coded)
    assert memos(new) == memos(coded) and len(memos(new)) == 4


def test_agreement_on_the_imported_study_equals_the_original(coded, exported, tmp_path):
    new = new_study(tmp_path / "copy")
    import_qdpx(new, exported, actor="lea")
    before = headlines(coded, CB)
    assert before and headlines(new, CB) == before


def _without_meta(src, out):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            if info.filename != "studyapp.json":
                zout.writestr(info.filename, zin.read(info))
    return out


def _tree(book, colour, definition):
    def walk(f, codes):
        return [(c.label, definition(c), colour(book, f, c).lower(), walk(f, c.children)) for c in codes]
    return [(f.label, f.definition, walk(f, f.codes)) for f in book.fields if f.is_coded]


def test_through_another_tool_codes_spans_and_agreement_survive(coded, exported, tmp_path):
    """Another tool keeps project.qde and sources/ but not studyapp.json: the code tree (labels,
    descriptions, colours), the segments, the spans and the agreement per field and tree level
    come back all the same; ids become slugs of the labels, and codes a coder gave a segment beyond
    their spans come back as a span over the whole segment."""
    bare = _without_meta(exported, tmp_path / "bare.qdpx")
    new = new_study(tmp_path / "copy")
    r = import_qdpx(new, bare, actor="lea")
    assert not r.lossless and r.codebooks == [("refi-ptm-reuse-interviews", 1, True)]
    cb, orig = get_codebook(new, "refi-ptm-reuse-interviews"), get_codebook(coded, CB)
    assert _tree(cb, lambda b, f, c: c.color, lambda c: c.definition) == _tree(
        orig, lambda b, f, c: code_color(b, f.id, c.id), _describe)
    assert [u[:4] for u in units(new, "segment")] == [u[:4] for u in units(coded, "segment")]

    def labelled(store, book):
        return {(s[0], s[1], s[4], s[5], s[6], tuple(sorted(book.require_field(f).code(c).label for f, c in s[7])))
                for s in spans(store)}
    texts = {u[0]: u[2] for u in units(coded, "segment")}
    extra = labelled(new, cb) - labelled(coded, orig)
    assert labelled(coded, orig) <= labelled(new, cb)
    assert extra and all(x[2:5] == (0, len(texts[x[0]]), texts[x[0]]) for x in extra)

    def alphas(store, book):
        label = {f.id: f.label for f in book.fields}
        return {(label[a.field.id], a.depth): a.headline()["krippendorff_alpha"]
                for a in codebook_agreement(store, book.id, rounds=["main"], n_boot=50)}
    before = alphas(coded, orig)
    assert len(before) >= 2 and alphas(new, cb) == pytest.approx(before)


def test_an_edited_project_is_read_like_any_tools(coded, exported, tmp_path):
    edited = tmp_path / "edited.qdpx"
    with zipfile.ZipFile(exported) as zin, zipfile.ZipFile(edited, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "project.qde":
                data = data.replace(b'name="PTM reuse interviews"', b'name="PTM reuse interviews (edited)"', 1)
            zout.writestr(info.filename, data)
    new = new_study(tmp_path / "copy")
    r = import_qdpx(new, edited, actor="lea")
    assert not r.lossless and "does not match project.qde" in r.warnings[0]


def test_importing_twice_is_refused_and_changes_nothing(coded, exported, tmp_path):
    new = new_study(tmp_path / "copy")
    import_qdpx(new, exported, actor="lea")
    before = fingerprint(new.folder)
    with pytest.raises(InvalidInput, match="already in the study"):
        import_qdpx(new, exported, actor="lea")
    assert fingerprint(new.folder) == before


def test_only_a_lead_imports(coded, exported, tmp_path):
    new = new_study(tmp_path / "copy")
    new.coders.add("bob")
    before = fingerprint(new.folder)
    for actor in ("bob", None, "nobody"):
        with pytest.raises(PermissionDenied):
            import_qdpx(new, exported, actor=actor)
    assert fingerprint(new.folder) == before


def test_a_codebook_is_a_new_version_only_when_it_differs(coded, exported, tmp_path):
    qdc = tmp_path / "book.qdc"
    export(coded, qdc)
    new = new_study(tmp_path / "copy")
    [(cid, v1, new1)] = import_qdc(new, qdc, actor="lea", codebook="refi-ptm-reuse-interviews").codebooks
    [(_, v2, new2)] = import_qdc(new, qdc, actor="lea", codebook=cid).codebooks
    assert new1 and not new2 and v1 == v2
    renamed = tmp_path / "renamed.qdc"
    renamed.write_bytes(qdc.read_bytes().replace(b'name="Latency"', b'name="Latency (p95)"', 1))
    [(_, v3, new3)] = import_qdc(new, renamed, actor="lea", codebook=cid).codebooks
    assert new3 and v3 != v1 and "Latency (p95)" in new.codebooks.latest(cid)["yaml"]
    # a project whose code tree differs from the study's codebook of that id adds a version too
    r = import_qdpx(new, _without_meta(exported, tmp_path / "bare.qdpx"), actor="lea")
    assert r.codebooks[0][0] == cid and r.codebooks[0][2] and len(new.codebooks.versions(cid)) == 3


def test_a_codebook_id_of_another_kind_is_refused(coded, exported, tmp_path, tiny_codebook):
    bare = _without_meta(exported, tmp_path / "bare.qdpx")
    new = new_study(tmp_path / "copy", tiny_codebook)
    before = fingerprint(new.folder)
    with pytest.raises(InvalidInput, match="defect codebook"):
        import_qdpx(new, bare, actor="lea", codebook="tiny")
    assert fingerprint(new.folder) == before


def test_qdc_export_and_import(coded, tmp_path):
    out = tmp_path / "codes.qdc"
    r = export(coded, out)
    assert r.codes == 5 + sum(len(f.all_codes()) for f in get_codebook(coded, CB).fields)
    new = new_study(tmp_path / "copy")
    [(cid, _, is_new)] = import_qdc(new, out, actor="lea").codebooks
    book = get_codebook(new, cid)
    assert is_new and book.kind == "interview"
    assert [f.label for f in book.fields] == [f.label for f in get_codebook(coded, CB).fields if f.is_coded]


def test_export_and_import_from_the_command_line(coded, tmp_path):
    from click.testing import CliRunner

    from studyapp.cli import main

    out = tmp_path / "cli.qdpx"
    r = CliRunner().invoke(main, ["export", str(coded.folder), str(out)])
    assert r.exit_code == 0 and out.exists(), r.output
    new_study(tmp_path / "copy").close()
    r = CliRunner().invoke(main, ["import", "qdpx", str(tmp_path / "copy"), str(out)])
    assert r.exit_code == 0, r.output
    assert "imported 3 transcript(s)" in r.stdout and "lossless" in r.stdout and "new: bob, chen" in r.stdout
    r = CliRunner().invoke(main, ["export", str(coded.folder), str(tmp_path / "codes.qdc")])
    assert r.exit_code == 0 and (tmp_path / "codes.qdc").read_bytes().startswith(b"<?xml")
