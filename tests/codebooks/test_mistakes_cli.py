"""Every kind of codebook mistake through the real commands: `studyapp codebook validate` prints
`FILE:LINE: reason` and exits 1; `studyapp codebook add` refuses the file with the same message,
exit status 2, and leaves the study exactly as it was (every row of every table)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from studyapp.cli import main
from studyapp.store import archive

HEAD = 'id: cb\ntitle: T\nversion: "1"\nkind: defect\n'  # lines 1-4; `fields:` is line 5

# name -> (file text, line, reason fragment)
MISTAKES = {
    "duplicate field id": (HEAD + "fields:\n  - id: a\n    type: text\n  - id: a\n    type: text\n", 8,
                           "duplicate field id 'a' (first defined at line 6)"),
    "duplicate code id in a child": (HEAD + "fields:\n  - id: a\n    type: nominal\n    codes:\n      - id: x\n"
                                     "        children:\n          - {id: y}\n          - {id: x}\n", 12,
                                     "duplicate code id 'x' (first defined at line 9)"),
    "unknown parent": (HEAD + "fields:\n  - id: a\n    type: nominal\n    codes: [{id: x}]\n  - id: b\n"
                       "    type: nominal\n    parent_field: stage\n    codes: [{id: x}]\n", 11,
                       "unknown parent_field 'stage'"),
    "empty entry in fields": (HEAD + "fields:\n  - id: a\n    type: text\n  -\n", 8,
                              "a field must be a mapping (key: value), got nothing (an empty entry)"),
    "empty id": (HEAD + "fields:\n  - id: ''\n    type: text\n", 6, "'id' is empty"),
    "empty type": (HEAD + "fields:\n  - id: a\n    type:\n", 6, "field 'a' has no 'type'"),
    "unknown field type": (HEAD + "fields:\n  - id: a\n    type: colour\n", 7, "type 'colour' is not one of"),
    "text where a list belongs": (HEAD + "fields:\n  - id: a\n    type: nominal\n    codes: env, train\n", 8,
                                  "codes must be a list, got text ('env, train')"),
    "a list where text belongs": (HEAD + "fields:\n  - id: a\n    label: [A, B]\n    type: text\n", 7,
                                  "'label' must be text, got a list"),
    "text where a number belongs": (HEAD + "fields:\n  - id: a\n    type: number\n    max: lots\n", 8,
                                    "'max' must be a number, got 'lots'"),
    "a code that is only text": (HEAD + "fields:\n  - id: a\n    type: nominal\n    codes:\n      - env\n", 9,
                                 "a code must be a mapping (key: value), got text ('env')"),
    "a code with no id": (HEAD + "fields:\n  - id: a\n    type: nominal\n    codes:\n      - label: Env\n", 9,
                          "code has no 'id'"),
    "a field with no id": (HEAD + "fields:\n  - label: Stage\n    type: text\n", 6, "field has no 'id'"),
    "bad YAML syntax": (HEAD + "fields:\n  - id: a\n    type: [nominal, text\n  - id: b\n", 8, "not valid YAML"),
    "bad indentation": (HEAD + "fields:\n  - id: a\n   type: nominal\n", 7, "not valid YAML"),
    "tabs": (HEAD + "fields:\n  - id: a\n\ttype: text\n", 7, "a tab character: indent with spaces"),
    "version as a number": ('id: cb\ntitle: T\nversion: 1.10\nkind: defect\nfields:\n  - id: a\n    type: text\n', 3,
                            "'version' must be text, not a number (YAML reads 1.10 as 1.1): quote it"),
    "version as a list": ('id: cb\ntitle: T\nversion: [1]\nkind: defect\nfields:\n  - id: a\n    type: text\n', 3,
                          "'version' must be text, got a list"),
    "duplicate key": (HEAD + "fields:\n  - id: a\n    type: text\n    type: nominal\n", 8, "duplicate key 'type'"),
    "unknown key (a typo)": (HEAD + "fields:\n  - id: a\n    type: nominal\n    codes: [{id: x, colour: red}]\n", 8,
                             "unknown key 'colour'"),
    "no fields": (HEAD, 1, "codebook has no 'fields'"),
    "empty file": ("", 1, "the file is empty"),
    "not a mapping": ("- id: cb\n", 1, "a codebook must be a mapping"),
}


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def rows(study):
    def snapshot():
        return archive.all_rows(study.conn)
    return snapshot


@pytest.mark.parametrize("name", list(MISTAKES))
def test_validate_and_add_name_file_line_and_reason(study, rows, tmp_path, name):
    text, line, reason = MISTAKES[name]
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    r = cli("codebook", "validate", path)
    assert r.exit_code == 1, r.output
    assert r.stdout == ""
    assert r.stderr.startswith(f"{path}:{line}: "), r.stderr
    assert reason in r.stderr, r.stderr
    before = rows()
    r = cli("codebook", "add", study.folder, path, "--by", "lea")
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith(f"error: {path}:{line}: "), r.stderr
    assert reason in r.stderr and "Traceback" not in r.output
    assert rows() == before, f"{name}: codebook add changed the study"


def test_not_utf8_names_the_line(study, rows, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes((HEAD + "description: caf\xe9\nfields:\n  - id: a\n    type: text\n").encode("latin-1"))
    r = cli("codebook", "validate", path)
    assert r.exit_code == 1 and r.stderr.startswith(f"{path}:5: not UTF-8 text")
    before = rows()
    assert cli("codebook", "add", study.folder, path).exit_code == 2 and rows() == before


def test_several_files_each_reported_and_good_ones_pass(study, rows, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(HEAD + "fields:\n  - id: a\n    type: nominal\n    codes: [{id: x}, {id: y}]\n", encoding="utf-8")
    bad = []
    for i, name in enumerate(("tabs", "version as a number", "a code with no id")):
        p = tmp_path / f"bad{i}.yaml"
        p.write_text(MISTAKES[name][0], encoding="utf-8")
        bad.append((p, MISTAKES[name][1]))
    r = cli("codebook", "validate", good, *[p for p, _ in bad])
    assert r.exit_code == 1
    assert r.stdout.strip() == f"{good}: ok (cb v1, 1 fields, 2 codes)"
    assert [line.split(": ", 1)[0] for line in r.stderr.splitlines()] == [f"{p}:{n}" for p, n in bad]
    assert cli("codebook", "validate", good).exit_code == 0
    before = rows()
    r = cli("codebook", "add", study.folder, good, "--by", "lea")
    assert r.exit_code == 0 and "cb v1: added to the study" in r.output
    assert rows() != before
