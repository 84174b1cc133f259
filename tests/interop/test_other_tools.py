"""Projects in the shapes other tools write import: ATLAS.ti / MAXQDA / NVivo (text in a `Sources/`
file named by plainTextPath, UTF-8 with a BOM and CRLF line ends, nested codable codes, Notes
referenced with NoteRef from a selection, a code and the project), QualCoder (text inline as
PlainTextContent, categories that are not codable), and a bare project.qde beside its sources/."""

from __future__ import annotations

import pytest

from studyapp.interop.refi_import import import_qdpx, import_qdpx_data
from studyapp.services.agreement.fields import codebook_agreement
from studyapp.services.coding.codebooks import get_codebook
from tests.interop.conftest import new_study, write_qdpx

U1, U2 = "5c94bc9e-db8c-4f1d-9cd6-e900c7440860", "0F77948D-768A-4665-B7C3-FB9AAA3CDF08"
SRC = "a2b94468-80a5-412f-92d6-e900d97b55a6"
TEXT = ("Interviewer: Why did you join?\r\nP1: I was curious about models.\r\nAnd my career.\r\n\r\n"
        "Interviewer: What stopped you?\r\nP1: No time, bad tools.\r\n")


def pos(text: str, quote: str, until: str | None = None) -> tuple[int, int]:
    start = text.index(quote)
    return start, (text.index(until) + len(until)) if until else start + len(quote)


def sel(guid: str, span: tuple[int, int], code: str, user: str | None = None, on_coding: bool = True,
        notes: str = "") -> str:
    who = f' creatingUser="{user}"' if user and on_coding else ""
    owner = f' creatingUser="{user}"' if user and not on_coding else ""
    return (f'<PlainTextSelection guid="{guid}" name="sel" startPosition="{span[0]}" endPosition="{span[1]}"{owner}>'
            f'<Coding guid="c0de{guid[4:]}"{who}><CodeRef targetGUID="{code}"/></Coding>{notes}</PlainTextSelection>')


C_MOT, C_CUR, C_CAR = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002", \
    "00000000-0000-4000-8000-000000000003"
C_BAR, C_TIME = "00000000-0000-4000-8000-000000000004", "00000000-0000-4000-8000-000000000005"
N = [f"10000000-0000-4000-8000-00000000000{i}" for i in range(1, 5)]


def maxqda_project() -> str:
    s = [sel("20000000-0000-4000-8000-000000000001", pos(TEXT, "curious"), C_CUR, U1),
         sel("20000000-0000-4000-8000-000000000002", pos(TEXT, "curious about models"), C_CUR, U2),
         sel("20000000-0000-4000-8000-000000000003", pos(TEXT, "career.", "What stopped"), C_CAR, U1),
         sel("20000000-0000-4000-8000-000000000004", pos(TEXT, "No time"), C_TIME, U2, on_coding=False,
             notes=f'<NoteRef targetGUID="{N[0]}"/>')]
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Onboarding study" origin="MAXQDA 2022 (Release 22.7.0)"
         creatingUserGUID="{U1}" creationDateTime="2024-03-01T10:00:00Z">
  <Users><User guid="{U1}" name="Ana" id="AN"/><User guid="{{{U2}}}" name="Ben"/></Users>
  <CodeBook><Codes>
    <Code guid="{C_MOT}" name="Motivation" isCodable="true" color="#1f77b4">
      <Description>Why people started.</Description>
      <Code guid="{C_CUR}" name="Curiosity" isCodable="true" color="#F00"/>
      <Code guid="{C_CAR}" name="Career" isCodable="true"/>
    </Code>
    <Code guid="{C_BAR}" name="Barriers" isCodable="true">
      <Code guid="{C_TIME}" name="Time" isCodable="true"><NoteRef targetGUID="{N[1]}"/></Code>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="{SRC}" name="Interview 1.docx" plainTextPath="internal://{SRC}.txt"
                richTextPath="internal://{SRC}.docx" creatingUser="{U1}">
      {''.join(s)}
    </TextSource>
    <PDFSource guid="30000000-0000-4000-8000-000000000001" name="Consent form" path="internal://x.pdf"/>
  </Sources>
  <Notes>
    <Note guid="{N[0]}" name="time" creatingUser="{U2}"><PlainTextContent>Time, again.</PlainTextContent></Note>
    <Note guid="{N[1]}" name="code memo" creatingUser="{U1}"><PlainTextContent>Split by cause?</PlainTextContent></Note>
    <Note guid="{N[2]}" name="project"><PlainTextContent>Pilot coding, two coders.</PlainTextContent></Note>
    <Note guid="{N[3]}" name="loose"><PlainTextContent>Unreferenced note.</PlainTextContent></Note>
  </Notes>
  <NoteRef targetGUID="{N[2]}"/>
</Project>
"""


@pytest.fixture
def maxqda(tmp_path):
    return write_qdpx(tmp_path / "onboarding.qdpx", maxqda_project(),
                      {f"Sources/{SRC}.txt": b"\xef\xbb\xbf" + TEXT.encode("utf-8"), f"Sources/{SRC}.docx": b"PK"})


def test_an_atlas_maxqda_nvivo_project_imports(maxqda, tmp_path):
    store = new_study(tmp_path / "s")
    r = import_qdpx(store, maxqda, actor="lea")
    assert not r.lossless and r.transcripts == ["Interview 1"] and sorted(r.new_coders) == ["Ana", "Ben"]
    assert any("crossed segment boundaries" in w for w in r.warnings)
    assert any("PDFSource 'Consent form' skipped" in w for w in r.warnings)
    segs = store.units.list("segment")
    assert [(s["key"], s["title"], s["text"]) for s in segs] == [
        ("Interview 1:1", "Interviewer", "Why did you join?"),
        ("Interview 1:2", "P1", "I was curious about models.\nAnd my career."),
        ("Interview 1:3", "Interviewer", "What stopped you?"),
        ("Interview 1:4", "P1", "No time, bad tools.")]
    assert segs[0]["attrs"]["interviewer"] and not segs[1]["attrs"]["interviewer"]
    keys = {s["id"]: s["key"] for s in segs}
    got = sorted((keys[s["unit_id"]], s["coder"], s["snippet"], s["codes"][0][1])
                 for s in store.transcripts.spans())
    assert got == [("Interview 1:2", "Ana", "career.", "motivation.career"),
                   ("Interview 1:2", "Ana", "curious", "motivation.curiosity"),
                   ("Interview 1:2", "Ben", "curious about models", "motivation.curiosity"),
                   ("Interview 1:3", "Ana", "What stopped", "motivation.career"),
                   ("Interview 1:4", "Ben", "No time", "barriers.time")]
    cb = get_codebook(store, "refi-onboarding-study")
    [field] = cb.fields
    assert (field.id, field.type) == ("codes", "multi")
    assert [(c.id, c.label, c.color, d) for c, d, _ in field.walk()] == [
        ("motivation", "Motivation", "#1f77b4", 1), ("motivation.curiosity", "Curiosity", "#ff0000", 2),
        ("motivation.career", "Career", None, 2), ("barriers", "Barriers", None, 1), ("barriers.time", "Time", None, 2)]
    assert field.code("motivation").definition == "Why people started."
    memos = sorted((m["target_kind"], m["unit_key"], m["code"], m["coder"], m["text"]) for m in store.memos.list())
    assert memos == [("code", None, "codes:barriers.time", "Ana", "Split by cause?"),
                     ("study", None, None, None, "Pilot coding, two coders."),
                     ("study", None, None, None, "Unreferenced note."),
                     ("unit", "Interview 1:4", None, "Ben", "Time, again.")]
    # agreement can now be computed on what two coders did in another tool
    [whole, level1] = codebook_agreement(store, cb.id, n_boot=50)
    assert whole.summary.n_coders == 2 and level1.depth == 1


QUALCODER = """<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="urn:QDA-XML:project:1.0 Project-mrt2019.xsd" name="qc" origin="QualCoder 3.5">
<Users><User guid="aaaaaaaa-0000-4000-8000-000000000001" id="colin"/></Users>
<CodeBook><Codes>
 <Code guid="bbbbbbbb-0000-4000-8000-000000000001" name="Feelings" isCodable="false">
  <Code guid="bbbbbbbb-0000-4000-8000-000000000002" name="Joy" isCodable="true" color="#00ff7f"/>
 </Code>
 <Code guid="bbbbbbbb-0000-4000-8000-000000000003" name="Tools" isCodable="false">
  <Code guid="bbbbbbbb-0000-4000-8000-000000000004" name="Hub" isCodable="true"/>
 </Code>
</Codes></CodeBook>
<Sources>
 <TextSource guid="cccccccc-0000-4000-8000-000000000001" name="notes">
  <PlainTextContent>I love the hub.

It is slow though.</PlainTextContent>
  <PlainTextSelection guid="dddddddd-0000-4000-8000-000000000001" startPosition="2" endPosition="6"
     creatingUser="aaaaaaaa-0000-4000-8000-000000000001">
   <Coding guid="dddddddd-0000-4000-8000-000000000002" creatingUser="aaaaaaaa-0000-4000-8000-000000000001">
    <CodeRef targetGUID="bbbbbbbb-0000-4000-8000-000000000002"/></Coding>
  </PlainTextSelection>
  <PlainTextSelection guid="dddddddd-0000-4000-8000-000000000003" startPosition="11" endPosition="14">
   <Coding guid="dddddddd-0000-4000-8000-000000000004">
    <CodeRef targetGUID="bbbbbbbb-0000-4000-8000-000000000004"/></Coding>
  </PlainTextSelection>
 </TextSource>
</Sources>
</Project>
"""


def test_a_qualcoder_project_with_inline_text_and_categories_imports(tmp_path):
    store = new_study(tmp_path / "s")
    store.coders.add("Colin")
    r = import_qdpx_data(store, "qc.qde", QUALCODER.encode("utf-8"), actor="lea", default_coder="ghost")
    assert r.new_coders == ["ghost"] and "Colin" in r.coders  # matched by name, ignoring case
    assert any("name no user" in w for w in r.warnings)
    cb = get_codebook(store, "refi-qc")
    assert [(f.id, f.label, [c.id for c in f.all_codes()]) for f in cb.fields] == [
        ("feelings", "Feelings", ["joy"]), ("tools", "Tools", ["hub"])]
    got = sorted((s["coder"], s["snippet"], tuple(s["codes"][0])) for s in store.transcripts.spans())
    assert got == [("Colin", "love", ("feelings", "joy")), ("ghost", "hub", ("tools", "hub"))]
    assert [s["text"] for s in store.units.list("segment")] == ["I love the hub.", "It is slow though."]


def test_a_bare_project_qde_reads_its_sources_folder(tmp_path):
    folder = tmp_path / "unpacked"
    (folder / "sources").mkdir(parents=True)
    (folder / "sources" / f"{SRC}.txt").write_bytes(TEXT.encode("utf-8"))
    (folder / "project.qde").write_text(maxqda_project(), encoding="utf-8")
    store = new_study(tmp_path / "s")
    r = import_qdpx(store, folder / "project.qde", actor="lea")
    assert r.transcripts == ["Interview 1"] and r.spans == 5
