"""The papers' TF-IDF features kept in the study folder: the saved matrix is the computed one, it is
used only for exactly the papers it was made from, a damaged file is recomputed, the queue is the
same with or without it, and it never leaves the study in an archive."""

from __future__ import annotations

import numpy as np
import pytest

from studyapp.services.papers import queue as Q
from studyapp.services.papers import screening as S
from studyapp.services.papers.screening_model import features
from studyapp.services.study.archive import study_files


def _computed(store):
    texts = store.units.texts("paper")
    order = sorted(texts)
    return order, features([f"{texts[i][0]}\n{texts[i][1]}" for i in order])


def _files(store):
    return sorted((store.folder / Q.FEATURES_DIR).glob("*.npz"))


def test_the_saved_matrix_is_the_computed_one_and_is_read_back(imported):
    Q._FEATURES.clear()
    row_of, X = Q.paper_features(imported)
    [saved] = _files(imported)
    order, expected = _computed(imported)
    assert list(row_of) == order and (X != expected).nnz == 0
    mtime = saved.stat().st_mtime_ns
    row_of2, X2 = Q.paper_features(imported)  # a new process: read from the file, not recomputed
    assert saved.stat().st_mtime_ns == mtime and (X2 != expected).nnz == 0 and row_of2 == row_of


def test_a_new_paper_set_gets_a_new_file_and_the_old_one_goes(imported):
    Q.paper_features(imported)
    [before] = _files(imported)
    imported.units.add_many([{"kind": "paper", "key": "NEW1", "title": "Reusing pre-trained models",
                              "text": "An abstract about model hubs."}])
    row_of, X = Q.paper_features(imported)
    [after] = _files(imported)
    assert after != before and X.shape[0] == len(row_of) == imported.units.count("paper")
    order, expected = _computed(imported)
    assert (X != expected).nnz == 0


def test_a_damaged_or_foreign_file_is_recomputed(imported):
    Q.paper_features(imported)
    [path] = _files(imported)
    path.write_bytes(b"not a numpy file")
    _, X = Q.paper_features(imported)
    assert (X != _computed(imported)[1]).nnz == 0
    # a file under the right name but for other ids is not used
    np.savez(path, ids=np.array([1, 2, 3]), data=np.ones(1), indices=np.zeros(1, dtype=np.int32),
             indptr=np.array([0, 1, 1, 1]), shape=np.array([3, 5]))
    _, X = Q.paper_features(imported)
    assert (X != _computed(imported)[1]).nnz == 0


def test_the_queue_is_the_same_with_the_file_without_it_and_from_memory(imported):
    first = Q.queue(imported, "ta", "bob").ids
    for u, d in zip(first[:4], ["include", "exclude", "include", "exclude"]):
        S.decide(imported, u, "bob", "ta", d, "E1" if d == "exclude" else None)
    Q._FEATURES.clear()
    for p in _files(imported):
        p.unlink()
    computed = Q.queue(imported, "ta", "bob")
    Q._FEATURES.clear()
    from_file = Q.queue(imported, "ta", "bob")
    from_memory = Q.queue(imported, "ta", "bob")
    assert computed.prioritised and computed.ids == from_file.ids == from_memory.ids
    # liblinear's coordinate descent shuffles rows with numpy's global generator: the same to ~1e-8
    assert computed.expected_remaining == pytest.approx(from_file.expected_remaining, rel=1e-6)


def test_the_feature_file_never_travels_in_an_archive(imported):
    Q.paper_features(imported)
    assert _files(imported)
    assert not any(".cache" in p.parts for p in study_files(imported.folder))


def test_warm_up_loads_the_study_features_into_memory(imported):
    Q._FEATURES.clear()
    Q.warm_up(imported)
    assert (str(imported.folder), imported.units.signature("paper")) in Q._FEATURES


def _decide_some(store, n=4):
    first = Q.queue(store, "ta", "bob").ids
    for u, d in zip(first[:n], ["include", "exclude", "include", "exclude"]):
        S.decide(store, u, "bob", "ta", d, "E1" if d == "exclude" else None)


def test_a_ranking_is_reused_for_the_same_decisions_and_retrained_after_a_new_one(imported, monkeypatch):
    from studyapp.services.papers import screening_model as sm

    _decide_some(imported)
    computed = Q.queue(imported, "ta", "bob")
    assert computed.prioritised and list((imported.folder / Q.RANKINGS_DIR).glob("*.json"))
    Q._FEATURES.clear()
    Q._DIGESTS.clear()  # a new server process
    real_rank = sm.rank
    monkeypatch.setattr(sm, "rank", lambda *a, **k: (_ for _ in ()).throw(AssertionError("retrained")))
    again = Q.queue(imported, "ta", "bob")
    assert again.ids == computed.ids and again.expected_remaining == computed.expected_remaining
    assert again.model_note == computed.model_note and again.prioritised
    calls = []
    monkeypatch.setattr(sm, "rank", lambda *a, **k: calls.append(1) or real_rank(*a, **k))
    S.decide(imported, again.ids[0], "bob", "ta", "include")
    after = Q.queue(imported, "ta", "bob")
    assert calls == [1] and again.ids[0] not in after.ids
    # chen has decided nothing: his queue is keyed on no labels (never on bob's), so it is unranked
    chen = Q.queue(imported, "ta", "chen")
    assert not chen.prioritised and "starts once" in chen.model_note


def test_a_damaged_ranking_file_is_recomputed(imported):
    _decide_some(imported)
    computed = Q.queue(imported, "ta", "bob")
    for p in (imported.folder / Q.RANKINGS_DIR).glob("*.json"):
        p.write_text("{not json", encoding="utf-8")
    assert Q.queue(imported, "ta", "bob").ids == computed.ids
