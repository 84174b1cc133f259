"""`studyapp serve` warms the screening queue up in a background thread as it starts: the papers'
features are then kept in the study's cache, so the first queue a reviewer opens costs the model fit
only. A folder that is no study is left alone (the pages report it)."""

from __future__ import annotations

from studyapp.services.papers.queue import FEATURES_DIR, warm_up_in


def test_warm_up_keeps_the_papers_features_of_the_study(demo_copy):
    cache = demo_copy / FEATURES_DIR
    assert not cache.exists() or not any(cache.iterdir())
    warm_up_in(demo_copy)
    assert any(cache.iterdir())


def test_warm_up_of_a_folder_that_is_no_study_does_nothing(tmp_path):
    warm_up_in(tmp_path / "nothing-here")
    assert not (tmp_path / "nothing-here").exists()
