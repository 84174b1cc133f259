"""REFI-QDA fidelity against the standard itself: every exported project validates against the
REFI-QDA 1.0 Project schema (`Project-mrt2019.xsd`, REFI's MIT-licensed file, origin in
tests/data/real/SOURCES.md); a codebook-only project (ATLAS.ti writes one for a project with codes
and no documents) imports its codes; a memo whose code is a bare code id survives the round trip."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from studyapp.interop.refi_import import import_qdpx
from studyapp.services.coding.codebooks import get_codebook
from studyapp.services.publish.exports import export
from tests.interop.conftest import CB, new_study, write_qdpx

XSD = Path(__file__).resolve().parents[1] / "data" / "real" / "refi" / "Project-mrt2019.xsd"


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(XSD)))


def qde_of(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read("project.qde"))


def test_exported_project_validates_against_the_refi_schema(coded, tmp_path, schema):
    out = tmp_path / "study.qdpx"
    export(coded, out, actor="lea")
    doc = qde_of(out)
    assert schema.validate(doc), schema.error_log
    # and the imported-then-exported project does too
    again = new_study(tmp_path / "again")
    import_qdpx(again, out, actor="lea")
    out2 = tmp_path / "again.qdpx"
    export(again, out2, actor="lea")
    assert schema.validate(qde_of(out2)), schema.error_log


def test_schema_catches_a_broken_project(schema):
    bad = etree.fromstring(b'<Project xmlns="urn:QDA-XML:project:1.0"><Sources/></Project>')  # no name
    assert not schema.validate(bad)


CODEBOOK_ONLY = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" origin="ATLAS.ti for Windows 23.2.3" name="codes-only"
         creatingUserGUID="088B08AC-D5CD-4ADB-8B71-B4F3459C177F" creationDateTime="2023-08-16T15:49:36Z">
  <Users><User guid="088B08AC-D5CD-4ADB-8B71-B4F3459C177F" name="Ana"/></Users>
  <CodeBook><Codes>
    <Code guid="A182CD3A-D83C-4D8C-BC80-26D9103EC6D6" name="Commits" isCodable="true">
      <Code guid="2D2466F0-D77F-4F8C-BDF9-628966B6B74D" name="Refactoring" isCodable="true"/>
      <Code guid="086AC733-7B1C-4749-A138-D7182F63A5C9" name="Bug fix" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
</Project>"""


def test_a_codebook_only_project_imports_its_codes(tmp_path, schema):
    assert schema.validate(etree.fromstring(CODEBOOK_ONLY.encode()))
    study = new_study(tmp_path / "s")
    r = import_qdpx(study, write_qdpx(tmp_path / "codes.qdpx", CODEBOOK_ONLY), actor="lea")
    assert r.transcripts == [] and any("codebook-only" in w for w in r.warnings)
    [(cid, _, _)] = r.codebooks
    labels = {c.label for f in get_codebook(study, cid).fields for c in _walk(f.codes)}
    assert {"Commits", "Refactoring", "Bug fix"} <= labels


def _walk(codes):
    for c in codes:
        yield c
        yield from _walk(c.children)


def test_a_memo_on_a_bare_code_id_survives_the_round_trip(coded, tmp_path):
    coded.memos.add(text="Search again.", coder="lea", target_kind="code", codebook=CB, code="model-search")
    out = tmp_path / "study.qdpx"
    r = export(coded, out, actor="lea")
    assert r.notes == 5
    again = new_study(tmp_path / "again")
    import_qdpx(again, out, actor="lea")
    texts = {m["text"] for m in again.memos.list() if m["target_kind"] == "code"}
    assert "Search again." in texts
