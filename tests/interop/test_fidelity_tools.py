"""Projects in the layout MAXQDA, ATLAS.ti and NVivo write, with sets, go in and out of studyapp with
the same code GUIDs, sets, sources, selections, users and notes, and validate against the schema.

No MAXQDA or ATLAS.ti text project with a license that allows copying was found (tests/data/real/
SOURCES.md), so these are written to each tool's layout as seen in real exports whose repositories
declare no license (read, not copied): MAXQDA 24 (upper-case GUIDs, colours on every code, sources
in `Sources/`, document sets and code sets as `Set`s after `Notes`), ATLAS.ti 23 (a system user
"ATLAS.ti", a flat code list, quotation comments as the selection's `Description`, a quotation coded
with several codes by several users, code groups, document groups and memo groups as `Set`s). The
NVivo project with a set is the real NVivo 12.6 export with a `Set` added the way REFI places it.
Text positions are written in UTF-16 code units, as those tools count; the texts hold emoji, so a
wrong unit shows.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from studyapp.interop.refi_import import import_qdpx
from studyapp.services.publish.exports import export
from tests.interop.conftest import new_study, write_qdpx
from tests.interop.refi_view import qde_bytes, validates, view

REAL = Path(__file__).resolve().parents[1] / "data" / "real" / "refi"


def u16(text: str, quote: str) -> tuple[int, int]:
    """(start, end) of `quote` in `text` in UTF-16 code units."""
    at = text.index(quote)
    return len(text[:at].encode("utf-16-le")) // 2, len(text[:at + len(quote)].encode("utf-16-le")) // 2


def sel(guid: str, span: tuple[int, int], user: str, codings: list[tuple[str, str, str]], extra: str = "",
        name: str | None = None, description: str | None = None) -> str:
    body = f"<Description>{description}</Description>" if description else ""
    body += "".join(f'<Coding guid="{cg}" creatingUser="{cu}" creationDateTime="2025-03-02T10:00:00Z">'
                    f'<CodeRef targetGUID="{code}"/></Coding>' for cg, code, cu in codings)
    named = f' name="{name}"' if name is not None else ""
    return (f'<PlainTextSelection guid="{guid}"{named} startPosition="{span[0]}" endPosition="{span[1]}"'
            f' creatingUser="{user}" creationDateTime="2025-03-02T10:00:00Z">{body}{extra}</PlainTextSelection>')


def G(n: int, kind: int = 0) -> str:
    return f"{kind:08X}-0000-4000-8000-{n:012X}"


MAXQDA_TEXT = ("Interviewer: Why did you join the project?\r\nP1: Curiosity, mostly 😀. And my career.\r\n\r\n"
               "Interviewer: What stopped you?\r\nP1: No time 🙁, and the tools were bad.\r\n")
MAXQDA_TEXT2 = "Interviewer: Anything else?\r\nP2: The docs 📚 were great.\r\n"
ANA, BEN = "F3EA8DA1-BB99-411F-8ED4-011170237B6C", "0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D"
S1, S2 = "C5E4C960-5296-4FDE-8C63-DEABA4E17F92", "7391D47A-323D-4291-8202-ED599C250828"


def maxqda_qde() -> str:
    mot, cur, car, bar, tim, doc = (G(i, 1) for i in range(1, 7))
    t = MAXQDA_TEXT
    sels = [sel(G(1, 2), u16(t, "Curiosity, mostly 😀."), ANA, [(G(1, 3), cur, ANA)]),
            sel(G(2, 2), u16(t, "And my career."), ANA, [(G(2, 3), car, ANA)]),
            sel(G(3, 2), u16(t, "Curiosity"), BEN, [(G(3, 3), cur, BEN)]),
            sel(G(4, 2), u16(t, "No time 🙁, and the tools were bad."), BEN, [(G(4, 3), tim, BEN)],
                extra=f'<NoteRef targetGUID="{G(1, 4)}"/>')]
    sels2 = [sel(G(5, 2), u16(MAXQDA_TEXT2, "The docs 📚 were great."), ANA, [(G(5, 3), doc, ANA)])]
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xsi:schemaLocation="urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="urn:QDA-XML:project:1.0" origin="MAXQDA 24 (Release 24.7.0)" name="Onboarding interviews" modifiedDateTime="2025-07-14T18:42:34Z">
 <Users>
  <User guid="{ANA}" name="ana"/>
  <User guid="{BEN}" name="ben"/>
 </Users>
 <CodeBook>
  <Codes>
   <Code color="#ef8256" guid="{mot}" name="Motivation" isCodable="true">
    <Description>Why people joined.</Description>
    <Code color="#ef8256" guid="{cur}" name="Curiosity" isCodable="true"/>
    <Code color="#ef8256" guid="{car}" name="Career" isCodable="true"><NoteRef targetGUID="{G(2, 4)}"/></Code>
   </Code>
   <Code color="#4b96d2" guid="{bar}" name="Barriers" isCodable="true">
    <Code color="#4b96d2" guid="{tim}" name="Time" isCodable="true"/>
   </Code>
   <Code color="#72b043" guid="{doc}" name="Documentation" isCodable="true"/>
  </Codes>
 </CodeBook>
 <Sources>
  <TextSource modifyingUser="{ANA}" guid="{S1}" creatingUser="{ANA}" creationDateTime="2024-10-18T23:23:46Z" name="Interview 1" plainTextPath="internal://{S1}.txt" modifiedDateTime="2024-10-18T23:23:46Z">
   {''.join(sels)}
   <NoteRef targetGUID="{G(3, 4)}"/>
  </TextSource>
  <TextSource modifyingUser="{ANA}" guid="{S2}" creatingUser="{ANA}" creationDateTime="2024-10-18T23:18:48Z" name="Interview 2" plainTextPath="internal://{S2}.txt" modifiedDateTime="2024-10-18T23:18:48Z">
   {''.join(sels2)}
  </TextSource>
 </Sources>
 <Notes>
  <Note guid="{G(1, 4)}" name="Memo: time" creatingUser="{BEN}" creationDateTime="2025-03-02T11:00:00Z"><PlainTextContent>Time, again.</PlainTextContent></Note>
  <Note guid="{G(2, 4)}" name="Code memo: Career" creatingUser="{ANA}" creationDateTime="2025-03-02T11:00:00Z"><PlainTextContent>Careers or jobs?</PlainTextContent></Note>
  <Note guid="{G(3, 4)}" name="Document memo" creatingUser="{ANA}" creationDateTime="2025-03-02T11:00:00Z"><PlainTextContent>Recorded in the lab.</PlainTextContent></Note>
 </Notes>
 <Sets>
  <Set guid="{G(1, 5)}" name="Pilot interviews">
   <MemberSource targetGUID="{S1}"/>
   <MemberSource targetGUID="{S2}"/>
  </Set>
  <Set guid="{G(2, 5)}" name="Code set: reasons">
   <Description>Codes for RQ1</Description>
   <MemberCode targetGUID="{cur}"/>
   <MemberCode targetGUID="{tim}"/>
   <MemberCode targetGUID="{bar}"/>
  </Set>
 </Sets>
</Project>
"""


ATLAS_TEXT = ("Interviewer: How do you pick a model?\nP4: I look at the downloads first 🔥, then the model card.\n\n"
              "Interviewer: And licences?\nP4: Honestly, I never read them.\n")
ME, SYS, CO = "088B08AC-D5CD-4ADB-8B71-B4F3459C177F", "C32A2BD5-537F-4838-8B17-DF9EFBAFDF4B", \
    "5D1C9A0E-7B3F-4C2D-9E8A-1F6B0C4D2E3A"
S3 = "A2B94468-80A5-412F-92D6-E900D97B55A6"


def atlas_qde() -> str:
    pop, card, lic, trust = (G(i, 6) for i in range(1, 5))
    t = ATLAS_TEXT
    sels = [sel(G(1, 7), u16(t, "I look at the downloads first 🔥"), ME, [(G(1, 8), pop, ME), (G(2, 8), trust, CO)],
                name="I look at the downloads first 🔥", description="Popularity as a proxy for quality"),
            sel(G(2, 7), u16(t, "the model card"), CO, [(G(3, 8), card, CO)], name="the model card"),
            sel(G(3, 7), u16(t, "I never read them"), ME, [(G(4, 8), lic, ME)], name="I never read them",
                extra=f'<NoteRef targetGUID="{G(1, 9)}"/>')]
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd" origin="ATLAS.ti for Windows 23.2.3.27778" name="PTM selection" creatingUserGUID="{ME}" creationDateTime="2023-08-16T15:49:36Z" modifyingUserGUID="{ME}" modifiedDateTime="2023-08-16T15:50:33Z" xmlns="urn:QDA-XML:project:1.0">
  <Users>
    <User guid="{ME}" name="Enric" />
    <User guid="{SYS}" name="ATLAS.ti" />
    <User guid="{CO}" name="Dana" />
  </Users>
  <CodeBook>
    <Codes>
      <Code guid="{pop}" name="popularity" isCodable="true" color="#46AA00"><Description>Downloads, likes, stars</Description></Code>
      <Code guid="{card}" name="model card" isCodable="true" />
      <Code guid="{lic}" name="licences" isCodable="true" color="#FF7800" />
      <Code guid="{trust}" name="trust" isCodable="true" />
    </Codes>
  </CodeBook>
  <Sources>
    <TextSource guid="{S3}" name="P4.txt" plainTextPath="internal://{S3}.txt" creatingUser="{ME}" creationDateTime="2023-08-16T15:49:40Z">
      {''.join(sels)}
    </TextSource>
  </Sources>
  <Notes>
    <Note guid="{G(1, 9)}" name="licences memo" creatingUser="{ME}" creationDateTime="2023-08-16T15:50:00Z"><PlainTextContent>Nobody reads licences; ask about obligations.</PlainTextContent></Note>
    <Note guid="{G(2, 9)}" name="Research question memo" creatingUser="{ME}" creationDateTime="2023-08-16T15:50:10Z"><PlainTextContent>RQ2: how do engineers select models?</PlainTextContent></Note>
  </Notes>
  <Sets>
    <Set guid="{G(1, 10)}" name="signals"><Description>Code group</Description><MemberCode targetGUID="{pop}" /><MemberCode targetGUID="{card}" /></Set>
    <Set guid="{G(2, 10)}" name="wave 1"><MemberSource targetGUID="{S3}" /></Set>
    <Set guid="{G(3, 10)}" name="methodological memos"><MemberNote targetGUID="{G(1, 9)}" /><MemberNote targetGUID="{G(2, 9)}" /></Set>
    <Set guid="{G(4, 10)}" name="empty group" />
  </Sets>
</Project>
"""


def nvivo_with_a_set(tmp_path: Path) -> Path:
    """The real NVivo export with an NVivo set (2 nodes, 1 source) added after its Sources."""
    src = REAL / "nvivo-12.6-oltas0517.qdpx"
    st = ('<Sets><Set guid="0b1e6a3c-2d4f-4a5b-9c6d-7e8f9a0b1c2d" name="Attitude nodes and first video">'
          '<Description>NVivo set</Description><MemberCode targetGUID="e8811e5d-feb6-458a-b0dd-ae1dbfef84b8"/>'
          '<MemberCode targetGUID="2e048330-52ec-470d-a2dd-ae1dbff06f63"/>'
          '<MemberSource targetGUID="68bbdc14-c361-4432-b4dd-ae1dbfc12890"/></Set></Sets>')
    out = tmp_path / "nvivo-with-set.qdpx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "project.qde":
                data = data.replace(b"</Sources>", b"</Sources>" + st.encode(), 1)
            zout.writestr(info.filename, data)
    return out


@pytest.fixture
def projects(tmp_path):
    return {
        "MAXQDA": write_qdpx(tmp_path / "maxqda.qdpx", maxqda_qde(),
                             {f"Sources/{S1}.txt": b"\xef\xbb\xbf" + MAXQDA_TEXT.encode(),
                              f"Sources/{S2}.txt": b"\xef\xbb\xbf" + MAXQDA_TEXT2.encode()}),
        "ATLAS.ti": write_qdpx(tmp_path / "atlas.qdpx", atlas_qde(), {f"sources/{S3}.txt": ATLAS_TEXT}),
        "NVivo": nvivo_with_a_set(tmp_path),
    }


@pytest.mark.parametrize("tool", ["MAXQDA", "ATLAS.ti", "NVivo"])
def test_a_project_goes_back_to_its_tool_as_it_came(projects, tool, tmp_path):
    path = projects[tool]
    ok, log = validates(path)
    assert ok, log  # the hand-made projects are valid REFI-QDA too
    store = new_study(tmp_path / "study")
    r = import_qdpx(store, path, actor="lea")
    assert r.sets == len(view(path)["sets"]) and not any("crossed" in w for w in r.warnings), r.warnings
    out = tmp_path / "back.qdpx"
    export(store, out, actor="lea")
    ok, log = validates(out)
    assert ok, log
    before, after = view(path), view(out)
    assert after["codes"] == before["codes"]
    assert after["sets"] == before["sets"]
    assert after["sources"] == {k: (name, text) for k, (name, text) in before["sources"].items()}
    assert after["selections"] == before["selections"]
    assert after["notes"] == before["notes"]
    assert after["note_refs"] == before["note_refs"]
    assert before["users"].items() <= after["users"].items()
    # and once more through a fresh study: the same project again
    again = new_study(tmp_path / "again")
    import_qdpx(again, out, actor="lea")
    out2 = tmp_path / "again.qdpx"
    export(again, out2, actor="lea")
    assert view(out2) == after


def test_sets_become_code_groups_and_document_sets(projects, tmp_path):
    store = new_study(tmp_path / "study")
    import_qdpx(store, projects["ATLAS.ti"], actor="lea")
    [signals] = store.sets.code_groups("refi-ptm-selection")
    assert (signals["name"], signals["description"], signals["codes"]) == (
        "signals", "Code group", [("refi-ptm-selection", "codes", "popularity"),
                                  ("refi-ptm-selection", "codes", "model-card")])
    [wave] = store.sets.document_sets()
    assert wave["name"] == "wave 1" and wave["units"] == [store.units.by_key("transcript", "P4")["id"]]
    memos = {s["name"]: s for s in store.sets.list()}["methodological memos"]
    texts = {m["id"]: m["text"] for m in store.memos.list()}
    assert [texts[m.memo_id] for m in memos["members"]] == [
        "Nobody reads licences; ask about obligations.", "RQ2: how do engineers select models?"]
    assert {s["name"]: s["members"] for s in store.sets.list()}["empty group"] == []
    assert [h["action"] for h in store.history.recent(200, "set.")].count("set.add") == 4


def test_a_selection_two_coders_coded_is_two_spans_then_one_selection(projects, tmp_path):
    store = new_study(tmp_path / "study")
    import_qdpx(store, projects["ATLAS.ti"], actor="lea")
    quote = "I look at the downloads first 🔥"
    both = [s for s in store.transcripts.spans() if s["snippet"] == quote]
    assert sorted((s["coder"], tuple(map(tuple, s["codes"]))) for s in both) == [
        ("Dana", (("codes", "trust"),)), ("Enric", (("codes", "popularity"),))]
    assert {s["note"] for s in both} == {"Popularity as a proxy for quality"}
    out = tmp_path / "back.qdpx"
    export(store, out, actor="lea")
    [(guid, sel)] = [(g, s) for g, s in view(out)["selections"].items() if s[2] == quote]
    assert guid == G(1, 7).lower() and len(sel[4]) == 2


def test_positions_are_utf16_code_units_in_and_out(projects, tmp_path):
    store = new_study(tmp_path / "study")
    import_qdpx(store, projects["MAXQDA"], actor="lea")
    assert "Curiosity, mostly 😀." in {s["snippet"] for s in store.transcripts.spans()}
    out = tmp_path / "back.qdpx"
    export(store, out, actor="lea")
    xml = qde_bytes(out).decode()
    text = MAXQDA_TEXT.replace("\r\n", "\n")
    start, end = u16(text, "No time 🙁, and the tools were bad.")
    assert f'startPosition="{start}" endPosition="{end}"' in xml
    assert end - start == len("No time 🙁, and the tools were bad.") + 1  # the emoji counts two


def test_a_member_that_is_not_imported_is_reported(tmp_path):
    pdf = "30000000-0000-4000-8000-000000000001"
    qde = maxqda_qde().replace(
        " </Sources>", f' <PDFSource guid="{pdf}" name="Consent" path="internal://{pdf}.pdf"/>\n </Sources>').replace(
        f'<MemberSource targetGUID="{S2}"/>',
        f'<MemberSource targetGUID="{S2}"/><MemberSource targetGUID="{pdf}"/>'
        '<MemberSource targetGUID="99999999-0000-4000-8000-000000000009"/>')
    path = write_qdpx(tmp_path / "p.qdpx", qde, {f"Sources/{S1}.txt": MAXQDA_TEXT, f"Sources/{S2}.txt": MAXQDA_TEXT2})
    store = new_study(tmp_path / "study")
    r = import_qdpx(store, path, actor="lea")
    assert any("1 set member(s) are sources that are not imported" in w for w in r.warnings), r.warnings
    assert any("1 set member(s) name no code, source or note" in w for w in r.warnings), r.warnings
    [pilot] = store.sets.document_sets()
    assert len(pilot["units"]) == 2


def test_the_command_line_says_how_many_sets_it_kept(projects, tmp_path):
    from click.testing import CliRunner

    from studyapp.cli import main

    new_study(tmp_path / "study").close()
    r = CliRunner().invoke(main, ["import", "qdpx", str(tmp_path / "study"), str(projects["ATLAS.ti"])])
    assert r.exit_code == 0, r.output
    assert "2 memos, 4 set(s); mapped from another tool's project" in r.stdout


@pytest.mark.parametrize("text", ["", "plain", "😀", "a😀b", "😀😀\n𝔸é😀", "é\r\n🙁 x 📚"])
def test_utf16_positions_both_ways_agree_with_the_codec(text):
    from studyapp.interop.refi_model import Utf16

    u = Utf16(text)
    assert u.length == len(text.encode("utf-16-le")) // 2
    for i in range(len(text) + 1):
        units = len(text[:i].encode("utf-16-le")) // 2
        assert u.units(i) == units and u.index(units) == i
    for units in range(u.length + 1):  # a position inside a surrogate pair goes to the character after
        c = u.index(units)
        assert u.units(c) >= units and (c == 0 or u.units(c - 1) < units)
