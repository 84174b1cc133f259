"""Bad REFI-QDA input is refused by `studyapp import qdpx` with the file and the element/line named,
and leaves the study byte-for-byte unchanged (as tests/bad_input/test_corpus.py checks imports)."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile

import pytest
from click.testing import CliRunner

from studyapp.cli import main
from studyapp.errors import InvalidInput
from studyapp.interop import refi_import
from studyapp.store.transcripts import Transcripts
from tests.interop.conftest import fingerprint, new_study, write_qdpx

PLACE = re.compile(r"(:\d+\b|line \d+)")
G = "00000000-0000-4000-8000-0000000000"  # + two digits
GOOD_SOURCE = (f'<TextSource guid="{G}10" name="t"><PlainTextContent>P1: hello there</PlainTextContent>'
               f'<PlainTextSelection guid="{G}11" startPosition="4" endPosition="9">'
               f'<Coding guid="{G}12"><CodeRef targetGUID="{G}01"/></Coding></PlainTextSelection></TextSource>')


def project(sources: str = GOOD_SOURCE, head: str = "", codes: str | None = None) -> str:
    codes = codes if codes is not None else f'<Code guid="{G}01" name="Greeting" isCodable="true"/>'
    return (f'<?xml version="1.0" encoding="utf-8"?>\n{head}<Project xmlns="urn:QDA-XML:project:1.0" name="p">\n'
            f"<CodeBook><Codes>{codes}</Codes></CodeBook>\n<Sources>\n{sources}\n</Sources>\n</Project>\n")


BOMB = ('<!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n')

# name -> (qde text or None for a raw file, extra members, fragment the message must hold, place needed)
CASES = {
    "malformed.qdpx": (project().replace("</Sources>", "</Source>"), {}, "well-formed", True),
    "unknown_code.qdpx": (project(GOOD_SOURCE.replace(f'targetGUID="{G}01"', f'targetGUID="{G}99"')), {},
                          "<CodeRef>", True),
    "out_of_range.qdpx": (project(GOOD_SOURCE.replace('endPosition="9"', 'endPosition="90"')), {}, "outside", True),
    "backwards.qdpx": (project(GOOD_SOURCE.replace('startPosition="4"', 'startPosition="12"')), {}, "is after", True),
    "not_a_number.qdpx": (project(GOOD_SOURCE.replace('startPosition="4"', 'startPosition="four"')), {},
                          "whole number", True),
    "bad_guid.qdpx": (project(codes='<Code guid="not-a-guid" name="x" isCodable="true"/>'), {}, "not a GUID", True),
    "twice.qdpx": (project(GOOD_SOURCE.replace(f'<Coding guid="{G}12"', f'<Coding guid="{G}10"')), {},
                   "used twice", True),
    "missing_source.qdpx": (project(f'<TextSource guid="{G}10" name="t" plainTextPath="internal://gone.txt"/>'), {},
                            "no such file", True),
    "outside_path.qdpx": (project(f'<TextSource guid="{G}10" name="t" plainTextPath="file:///etc/passwd"/>'), {},
                          "outside the project", True),
    "latin1_source.qdpx": (project(f'<TextSource guid="{G}10" name="t" plainTextPath="internal://a.txt"/>'),
                           {"sources/a.txt": "P1: ol\xe9\nP2: more".encode("latin-1")}, "UTF-8", True),
    "entities.qdpx": (project(head=BOMB).replace('name="p"', 'name="&d;"'), {}, "DOCTYPE", True),
    "wrong_root.qdpx": ('<?xml version="1.0"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', {},
                        "root element", True),
    "no_text.qdpx": (project(f'<TextSource guid="{G}10" name="t"/>'), {}, "has no text", True),
    "no_project.qdpx": (None, {"sources/a.txt": b"hello"}, "no project.qde", False),
    "not_a_zip.qdpx": (None, {}, "not a zip", False),
}


@pytest.fixture
def study_dir(tmp_path):
    new_study(tmp_path / "study").close()
    return tmp_path / "study"


def make(tmp_path, name: str):
    qde, members, _, _ = CASES[name]
    path = tmp_path / name
    if name == "not_a_zip.qdpx":
        path.write_text("project.qde, honestly", encoding="utf-8")
    elif qde is None:
        with zipfile.ZipFile(path, "w") as zf:
            for member, data in members.items():
                zf.writestr(member, data)
    else:
        write_qdpx(path, qde, members)
    return path


def refused(study_dir, args, name, fragment="", place=True) -> str:
    before = fingerprint(study_dir)
    r = CliRunner().invoke(main, ["import", "qdpx", str(study_dir), *args])
    assert r.exit_code == 2, f"{name} was accepted:\n{r.output}"
    msg = r.stderr
    assert name in msg and "Traceback" not in msg, msg
    if place:
        assert PLACE.search(msg.split(name, 1)[1]), f"no line in: {msg}"
    assert fragment.lower() in msg.lower(), msg
    assert fingerprint(study_dir) == before, f"{name} changed the study"
    return msg


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_project_is_refused_with_place_and_changes_nothing(study_dir, tmp_path, name):
    _, _, fragment, place = CASES[name]
    refused(study_dir, [str(make(tmp_path, name))], name, fragment, place)


def test_the_message_names_the_element_and_the_line(study_dir, tmp_path):
    msg = refused(study_dir, [str(make(tmp_path, "unknown_code.qdpx"))], "unknown_code.qdpx")
    assert re.search(r"unknown_code\.qdpx \(project\.qde\):5: <CodeRef>: \S+99 refers to no code", msg), msg


def test_a_malformed_bare_qde_is_refused(study_dir, tmp_path):
    bare = tmp_path / "broken.qde"
    bare.write_text(project().replace("<Sources>", "<Sources"), encoding="utf-8")
    refused(study_dir, [str(bare)], "broken.qde", "well-formed")


def test_a_coder_cannot_import(study_dir, tmp_path):
    good = write_qdpx(tmp_path / "good.qdpx", project())
    CliRunner().invoke(main, ["coder", "add", str(study_dir), "bob"])
    before = fingerprint(study_dir)
    r = CliRunner().invoke(main, ["import", "qdpx", str(study_dir), str(good), "--by", "bob"])
    assert r.exit_code == 2 and "only a lead" in r.stderr and fingerprint(study_dir) == before


def test_a_failure_while_writing_rolls_everything_back(study_dir, tmp_path, monkeypatch):
    """Past the checks, a failure on the last write (the spans) leaves no transcript, coder or codebook."""
    good = write_qdpx(tmp_path / "good.qdpx", project())
    before = fingerprint(study_dir)

    def broken(self, **kw):
        raise InvalidInput("disk full (simulated)")
    monkeypatch.setattr(Transcripts, "add_span", broken)
    from studyapp.store import Store
    with Store.open(study_dir) as store:
        with pytest.raises(InvalidInput, match="simulated"):
            refi_import.import_qdpx(store, good, actor="lea")
    assert fingerprint(study_dir) == before


def test_a_good_project_through_the_real_cli(study_dir, tmp_path):
    good = write_qdpx(tmp_path / "good.qdpx", project())
    out = subprocess.run([sys.executable, "-m", "studyapp", "import", "qdpx", str(study_dir), str(good)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "imported 1 transcript(s), 1 segments, 1 spans" in out.stdout
    assert "coding(s) name no user; they are given to coder 'lea'" in out.stderr
