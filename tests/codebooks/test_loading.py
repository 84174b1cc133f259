"""Codebook loading: valid files load; each mistake is reported with the file, line and reason."""

from __future__ import annotations

import textwrap

import pytest

from studyapp.domain.codebook_yaml import load_codebook, parse_codebook
from studyapp.errors import InvalidCodebook
from tests.conftest import TINY_CODEBOOK

HEAD = 'id: cb\ntitle: T\nversion: "1"\nkind: defect\n'


def _fails(text: str, tmp_path, name="cb.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidCodebook) as ei:
        load_codebook(p)
    return ei.value


def test_tiny_codebook_loads_with_hierarchy_and_types(tmp_path):
    p = tmp_path / "tiny.yaml"
    p.write_text(TINY_CODEBOOK)
    cb = load_codebook(p)
    cause = cb.require_field("cause")
    assert cause.parent_field == "stage" and cause.parent_strict
    assert [c.id for c in cause.all_codes()] == ["env", "api", "gpu", "train", "loss"]
    assert cb.require_field("impacts").is_multi
    assert len(cb.hash) == 64


@pytest.mark.parametrize("body, line, reason", [
    ("fields:\n  - id: a\n    type: nominal\n    codes:\n      - {id: x}\n      - {id: x}\n", 10, "duplicate code id 'x'"),
    ("fields:\n  - id: a\n    type: nominal\n    codes: [{id: x}]\n  - id: a\n    type: text\n", 9, "duplicate field id 'a'"),
    ("fields:\n  - id: a\n    type: nominal\n", 6, "needs at least one code"),
    ("fields:\n  - id: a\n    type: colour\n    codes: [{id: x}]\n", 7, "type 'colour' is not one of"),
    ("fields:\n  - id: a\n    type: nominal\n    codes: [{id: x}]\n  - id: b\n    type: nominal\n"
     "    parent_field: nope\n    codes: [{id: x}]\n", 11, "unknown parent_field 'nope'"),
    ("fields:\n  - id: a\n    type: nominal\n    codes: [{id: x}]\n  - id: b\n    type: nominal\n"
     "    parent_field: a\n    codes: [{id: y}]\n", 12, "top-level code 'y' is not a code of its parent_field 'a'"),
    ("fields:\n  - id: a\n    type: text\n    codes: [{id: x}]\n", 8, "a text field takes no codes"),
    ("fields:\n  - id: a\n    type: nominal\n    codes: [{id: x, colour: red}]\n", 8, "unknown key 'colour'"),
    ("fields:\n  - id: a\n    type: number\n    min: 5\n    max: 1\n", 8, "min 5.0 is greater than max 1.0"),
    ("fields:\n  - id: a\n    type: nominal\n    codes: [{id: 'bad id'}]\n", 8, "must start with a letter"),
    ("fields: []\n", 5, "'fields' is empty"),
    ("fields:\n  - id: a\n    type: nominal\n    required: maybe\n    codes: [{id: x}]\n", 8, "'required' must be true or false"),
])
def test_each_mistake_names_line_and_reason(tmp_path, body, line, reason):
    err = _fails(HEAD + body, tmp_path)
    assert err.path.endswith("cb.yaml")
    assert reason in err.message, err.message
    assert err.line == line, (err.line, err.message)
    assert str(err).startswith(f"{err.path}:{line}: ")


def test_broken_yaml_syntax_names_line(tmp_path):
    err = _fails(HEAD + "fields:\n  - id: a\n    type: [nominal\n", tmp_path)
    assert err.line is not None and err.line >= 7


def test_wrong_kind_and_missing_top_keys(tmp_path):
    assert "kind" in _fails('id: cb\ntitle: T\nversion: "1"\nkind: poem\nfields: []\n', tmp_path).message
    assert "title" in _fails('id: cb\nversion: "1"\nkind: any\nfields: []\n', tmp_path).message


def test_not_utf8_is_reported_with_line(tmp_path):
    p = tmp_path / "latin.yaml"
    p.write_bytes((HEAD + "description: caf\xe9\n").encode("latin-1"))
    with pytest.raises(InvalidCodebook) as ei:
        load_codebook(p)
    assert ei.value.line == 5 and "UTF-8" in ei.value.message


def test_missing_file(tmp_path):
    with pytest.raises(InvalidCodebook) as ei:
        load_codebook(tmp_path / "nope.yaml")
    assert "cannot read" in ei.value.message


def test_aliases_match_old_spellings_but_ids_and_labels_win():
    from studyapp.domain.values import normalise
    cb = parse_codebook(textwrap.dedent("""\
        id: cb
        title: T
        version: "1"
        kind: any
        fields:
          - id: impact
            type: multi
            codes:
              - {id: speed, label: Speed below expectations, aliases: [bad performance (lower speed)]}
              - {id: crash, label: Crash}
        """), "cb.yaml")
    f = cb.require_field("impact")
    assert normalise(f, "Bad  Performance (lower speed); CRASH") == ["crash", "speed"]


def test_lenient_parent_allows_codes_of_other_branches(tmp_path):
    """The published defect labels put some root causes under another stage: `parent_strict: false`."""
    from studyapp.errors import UnknownCode
    from studyapp.services.coding.coding import CodingRow, code_many
    from studyapp.services.study.study import init_study
    for strict in (True, False):
        text = TINY_CODEBOOK if strict else TINY_CODEBOOK.replace(
            "parent_field: stage", "parent_field: stage\n    parent_strict: false")
        p = tmp_path / f"tiny{strict}.yaml"
        p.write_text(text)
        store = init_study(tmp_path / f"s{strict}", codebooks=[p])
        store.coders.add("ann", "lead")
        [uid] = store.units.add_many([{"kind": "defect", "key": "d1", "title": "t"}])
        rows = [CodingRow(uid, "tiny", "stage", "ann", "train"), CodingRow(uid, "tiny", "cause", "ann", "api")]
        if strict:
            with pytest.raises(UnknownCode):
                code_many(store, rows)
        else:
            code_many(store, rows)
            assert store.annotations.values("tiny", "cause")[0][3] == "api"
        store.close()
