"""The codebook writer (`Codebook.to_yaml`, `with_codes`): what the tool writes reads back the same,
and the one storing path keeps versions honest."""

from dataclasses import replace
from pathlib import Path

import pytest

from studyapp.domain.codebook import Code, next_version
from studyapp.domain.codebook_yaml import load_codebook, parse_codebook
from studyapp.errors import InvalidInput
from studyapp.paths import CODEBOOKS_DIR
from studyapp.services.coding.codebooks import codebook_version, store_codebook
from studyapp.services.study.study import init_study

SHIPPED = sorted(Path(CODEBOOKS_DIR).glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_codebook_reads_back_from_its_written_yaml(path):
    cb = load_codebook(path)
    again = parse_codebook(cb.to_yaml(), "written")
    assert replace(again, hash=cb.hash) == cb
    assert cb.written().hash == again.hash  # the hash is of the text that is stored


def test_with_codes_adds_top_level_and_nested_codes_as_a_new_version():
    cb = load_codebook(CODEBOOKS_DIR / "dl-reengineering-defects.yaml")
    field = next(f for f in cb.fields if any(c.children for c in f.codes) and not f.parent_field)
    parent = next(c for c in field.codes if c.children)
    new = cb.with_codes(field.id, [(Code("brand-new", "Brand new"), None),
                                   (Code(f"{parent.id}.kid", "A kid"), parent.id)], header="added in a test")
    assert new.version == next_version(cb.version) == cb.version + "+1"
    f = new.require_field(field.id)
    assert f.code("brand-new").label == "Brand new" and f.path(f"{parent.id}.kid") == (parent.id, f"{parent.id}.kid")
    assert new.text.startswith("# added in a test\n")
    assert replace(parse_codebook(new.text), hash=new.hash, path=None) == replace(new, path=None)
    assert next_version("2+1") == "2+2"


def test_with_codes_refuses_a_taken_id_or_an_unknown_parent():
    cb = load_codebook(CODEBOOKS_DIR / "dl-reengineering-defects.yaml")
    field = cb.fields[0]
    taken = field.all_codes()[0].id
    with pytest.raises(InvalidInput, match="already has a code"):
        cb.with_codes(field.id, [(Code(taken, "again"), None)])
    with pytest.raises(InvalidInput, match="has no code 'nowhere'"):
        cb.with_codes(field.id, [(Code("x-new", "x"), "nowhere")])
    child = next(f for f in cb.fields if f.parent_field)
    with pytest.raises(InvalidInput, match="takes top-level codes of"):
        cb.with_codes(child.id, [(Code("loose", "Loose"), None)])


def test_store_codebook_is_the_one_path_and_the_same_text_is_the_same_version(tmp_path):
    store = init_study(tmp_path / "s", title="t")
    try:
        cb = load_codebook(CODEBOOKS_DIR / "dl-reengineering-defects.yaml")
        vid, new = store_codebook(store, cb, source="test")
        assert new and store_codebook(store, cb, source="again") == (vid, False)
        more = cb.with_codes(cb.fields[0].id, [(Code("zz-new", "ZZ"), None)])
        vid2, new2 = store_codebook(store, more, source="test")
        assert new2 and vid2 != vid
        assert codebook_version(store, cb.id)[0].require_field(cb.fields[0].id).code("zz-new") is not None
        with pytest.raises(ValueError):
            store_codebook(store, replace(cb, text="", hash=""), source="nothing to store")
    finally:
        store.close()
