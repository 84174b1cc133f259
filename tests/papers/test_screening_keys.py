"""Screening keys follow the criterion's id, not its position (issue 14: "3" excluded for E4)."""

from __future__ import annotations

import pytest

from studyapp.services.papers import screening
from studyapp.services.papers.screening_keys import (
    RESERVED,
    exclusion_keys,
    keys_legend,
)
from studyapp.services.papers.views import screen_view
from tests.pages import open_page, serve_to_pages


def test_a_criterion_gets_the_number_of_its_id():
    # title/abstract of the shipped SLR codebook: E3 and E5 are full-text only, so E4 is third
    assert exclusion_keys(["E1", "E2", "E4"]) == {"E1": "1", "E2": "2", "E4": "4"}
    assert exclusion_keys(["E1", "E2", "E3", "E4", "E5", "not-retrieved"])["not-retrieved"] == "N"


def test_keys_are_unique_and_never_reserved():
    ids = ["E1", "X1", "E10", "lang", "E12", "not-retrieved", "M2", "s"]
    keys = exclusion_keys(ids)
    given = [k for k in keys.values() if k]
    assert len(given) == len(set(given)) == len(ids)
    assert not set(given) & RESERVED
    assert keys["E1"] == "1" and keys["M2"] == "2" and keys["X1"] == "X"  # a second "1" gets a letter of its id


def test_the_legend_names_each_key_and_criterion():
    assert keys_legend(["E1", "E4"], "ta") == "Keys: I include, M maybe, S skip; exclude: 1 E1, 4 E4."
    assert keys_legend(["E1"], "ft") == "Keys: I include, S skip; exclude: 1 E1."


def test_the_screen_view_carries_the_keys_of_its_stage(imported):
    v = screen_view(imported, "bob", "ta")
    assert [c.id for c in v.exclude] == ["E1", "E2", "E4"]
    assert v.keys == {"E1": "1", "E2": "2", "E4": "4"}
    ft = screen_view(imported, "bob", "ft")
    assert ft.keys["E4"] == "4" and ft.keys["E5"] == "5"


@pytest.fixture
def page_study(imported, monkeypatch):
    return serve_to_pages(imported, monkeypatch)


def test_each_exclusion_button_has_its_ids_key_and_the_caption_says_so(page_study):
    at = open_page("papers", "bob")
    assert not at.exception
    assert at.button(key="papers.screen.exclude.E4").proto.shortcut == "4"
    assert at.button(key="papers.screen.exclude.E1").proto.shortcut == "1"
    assert any("4 E4" in c.value for c in at.caption)
    at.button(key="papers.screen.exclude.E4").click().run()
    assert {r for d, r in screening.my_decisions(page_study, "ta", "bob").values()} == {"E4"}
