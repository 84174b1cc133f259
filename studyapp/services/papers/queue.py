"""The prioritised screening queue: what a reviewer screens next at a stage, most likely relevant
first, ranked by a model trained only on what that reviewer may see (their own decisions and the
lead's final ones, never another reviewer's blind decisions); with the stopping hint.

Split from `screening` (decisions, verdicts, conflicts) because the queue is the part that trains a
model and keeps the TF-IDF features of the study's papers (in memory, and in a hidden folder of the
study so that the first queue of a new server process does not vectorise every abstract again).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studyapp.services.papers.screening import (
    STAGES,
    Stage,
    _votes,
    reviewers,
    screening_codebook,
    stage_of,
    verdicts,
)
from studyapp.errors import StudyError
from studyapp.store import Store


@dataclass(frozen=True)
class Queue:
    """What `coder` screens next at a stage, most likely relevant first, and how the model sees the rest."""

    stage: str
    coder: str
    ids: list[int]
    eligible: int
    done_by_me: int
    prioritised: bool
    expected_remaining: float | None
    model_note: str
    hint: dict


def queue(store: Store, stage: str, coder: str, *, prioritise: bool = True) -> Queue:
    """Papers `coder` still has to screen at `stage` (not decided by them, not already decided by
    enough reviewers, no final verdict), ordered by a model trained on what `coder` may see: their
    own decisions and the lead's final ones, never another reviewer's blind decisions."""
    from studyapp.services.papers import screening_model as sm

    st = stage_of(stage)
    cb = screening_codebook(store)
    votes = _votes(store, cb.id, st)
    vs = verdicts(store, st.id, _votes_at=votes)
    mine = {u: v[coder] for u, v in votes.items() if coder in v}
    need = reviewers(store)
    todo = [u for u, v in vs.items() if u not in mine and not v.final and len(votes.get(u, {})) < need]
    finals = {u: v for u, v, _ in store.finals.values(cb.id, st.field)}
    positive = {"include", "maybe"} if st.id == "ta" else {"include"}
    ids = list(vs)
    labels = {}
    for i, u in enumerate(ids):
        if u in finals:
            labels[i] = int(finals[u] in positive)
        elif u in mine:
            labels[i] = int(mine[u][0] in positive)
    order_seq = [int(d in positive) for d, _ in _in_order(store, cb.id, st, coder, mine)]
    hint = sm.stopping_hint(order_seq, len(ids))
    if not prioritise or not todo:
        return Queue(st.id, coder, todo, len(ids), len(mine), False, None,
                     "" if todo else "nothing left to screen at this stage", hint)
    ranking = _ranking_for(store, ids, labels)
    todo_set = set(todo)
    ordered = [u for u in ranking["order"] if u in todo_set]
    note = ranking["reason"] or f"ordered by a model trained on {ranking['trained_on']} decisions"
    return Queue(st.id, coder, ordered, len(ids), len(mine), ranking["scored"],
                 ranking["expected_remaining"], note, hint)


#: Rankings already computed, by what they were computed from (see `_ranking_for`).
RANKINGS_DIR = ".cache/screening-rankings"
RANKINGS_KEPT = 16


def _ranking_for(store: Store, ids: list[int], labels: dict[int, int]) -> dict:
    """The model's ranking of `ids` trained on `labels` (row -> 0/1), as unit ids.

    A ranking is a function of the papers' texts and the labels, so it is kept in the study folder
    under a hash of both: a new server process (or another page) asking for the same reviewer's
    queue with no decision since gets it without importing scikit-learn or fitting anything; any
    decision, resolution or new paper changes the hash and the model is trained again."""
    from studyapp.services.papers import screening_model as sm

    h = hashlib.sha256(f"{FEATURES_VERSION}|{sm.SVM_C}|{sm.BALANCE_RATIO}|{sm.MAX_DF}".encode())
    h.update(_paper_digest(store).encode())
    h.update(np.asarray(ids, dtype=np.int64).tobytes())
    h.update(np.asarray(sorted((ids[i], y) for i, y in labels.items()), dtype=np.int64).tobytes())
    path = Path(store.folder) / RANKINGS_DIR / f"{h.hexdigest()[:32]}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    r = sm.rank([], labels, X=_features_for(store, ids))
    out = {"order": [ids[i] for i in r.order], "scored": r.scores is not None, "trained_on": r.trained_on,
           "expected_remaining": r.expected_remaining, "reason": r.reason}
    _write_atomic(path, json.dumps(out).encode(), keep=RANKINGS_KEPT)
    return out


_FEATURES: dict[tuple, tuple[dict[int, int], object]] = {}
#: Where a study keeps its papers' TF-IDF features: a hidden folder of the study (never exported in
#: an archive or a replication package, since it is derived and rebuilt when absent).
FEATURES_DIR = ".cache/screening-features"
#: Part of the on-disk key: bump it when `screening_model.features` changes what it computes.
FEATURES_VERSION = "tfidf-1-2gram-sublinear-maxdf0.95-v1"


def _features_for(store: Store, ids: list[int]):
    """TF-IDF rows of `ids`, from features of every paper of the study.

    Kept at two levels, both keyed on the paper set (a decision changes no text): in this process
    while the set's signature stays the same, so retraining after a decision costs a model fit; and
    in the study folder, keyed on a hash of every paper's id, title and abstract, so a new server
    process loads the matrix instead of reading and vectorising every abstract again."""
    key = (str(store.folder), store.units.signature("paper"))
    if key not in _FEATURES:
        if len(_FEATURES) >= 4:
            _FEATURES.pop(next(iter(_FEATURES)))
        _FEATURES[key] = paper_features(store)
    row_of, X = _FEATURES[key]
    rows = [row_of[i] for i in ids]
    if len(rows) == X.shape[0] and rows == list(range(len(rows))):
        return X  # every paper in id order (the usual case): no 10,000-row copy per retrain
    return X[rows]


def warm_up(store: Store | None = None) -> None:
    """Import the model's libraries (scikit-learn takes about a second, once per process) and, given
    a study, load its papers' features into memory: for a server to call in a background thread at
    start, so the first queue a reviewer opens costs only the model fit."""
    import sklearn.linear_model  # noqa: F401
    import sklearn.model_selection  # noqa: F401
    import sklearn.svm  # noqa: F401

    if store is not None and store.units.count("paper"):
        _features_for(store, [])


def warm_up_in(folder) -> None:
    """`warm_up` on the study in `folder`, opening the store itself: what `studyapp serve` runs in a
    background thread as it starts. Best effort: a study it cannot read is left to the pages to report."""
    try:
        with Store.open(folder) as store:
            warm_up(store)
    except (StudyError, OSError):
        pass


_DIGESTS: dict[tuple, str] = {}


def _paper_digest(store: Store) -> str:
    """The hash of every paper's id, title and abstract (cached while the paper set's signature holds)."""
    key = (str(store.folder), store.units.signature("paper"))
    if key not in _DIGESTS:
        texts = store.units.texts("paper")
        _DIGESTS.clear()
        _DIGESTS[key] = _texts_digest(sorted(texts), texts)
    return _DIGESTS[key]


def paper_features(store: Store) -> tuple[dict[int, int], object]:
    """(unit id -> row, TF-IDF matrix) of every paper: loaded from the study's feature file when
    one was made for exactly these texts, else computed (and saved for the next process)."""
    from studyapp.services.papers.screening_model import features

    texts = store.units.texts("paper")
    order = sorted(texts)
    digest = _texts_digest(order, texts)
    path = Path(store.folder) / FEATURES_DIR / f"{digest}.npz"
    X = _load_features(path, order)
    if X is None:
        X = features([f"{texts[i][0]}\n{texts[i][1]}" for i in order])
        _save_features(path, order, X)
    return {u: n for n, u in enumerate(order)}, X


def _texts_digest(order: list[int], texts: dict[int, tuple[str, str]]) -> str:
    h = hashlib.sha256(FEATURES_VERSION.encode())
    for i in order:
        title, text = texts[i]
        for part in (str(i), title, text):
            b = part.encode("utf-8", "surrogatepass")
            h.update(len(b).to_bytes(8, "little"))
            h.update(b)
    return h.hexdigest()[:32]


def _load_features(path: Path, order: list[int]):
    """The saved matrix, or None when absent, unreadable or made for other papers."""
    from scipy import sparse

    try:
        with np.load(path, allow_pickle=False) as z:
            if z["ids"].tolist() != order:
                return None
            return sparse.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
    except (OSError, KeyError, ValueError):
        return None


def _save_features(path: Path, order: list[int], X) -> None:
    """Write atomically (a reader never sees half a file) and drop feature files of earlier paper
    sets; a study folder that cannot be written to just goes without."""
    import io

    buf = io.BytesIO()
    np.savez(buf, ids=np.asarray(order, dtype=np.int64), data=X.data, indices=X.indices, indptr=X.indptr,
             shape=np.asarray(X.shape, dtype=np.int64))
    _write_atomic(path, buf.getvalue(), keep=1)


def _write_atomic(path: Path, data: bytes, *, keep: int) -> None:
    """Write `data` to `path` through a temporary file and a rename, then keep only the `keep`
    newest files of its folder. A study folder that cannot be written to just goes without."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        others = sorted((p for p in path.parent.glob(f"*{path.suffix}") if p != path),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        for old in others[max(keep - 1, 0):]:
            old.unlink(missing_ok=True)
    except OSError:
        return


def _in_order(store: Store, cb_id: str, st: Stage, coder: str, mine: dict) -> list[tuple[str, str | None]]:
    order = store.papers.decision_order(cb_id, st.field, coder, st.round)
    return [mine[u] for u in order if u in mine]


def queue_signature(store: Store, stage: str) -> tuple:
    """What a stage's queue depends on: its decisions and resolutions, the papers, the duplicate links
    and the number of reviewers. A page caches the queue on it, so saving a defect's code or another
    stage's decision does not retrain the model."""
    st = stage_of(stage)
    cb = screening_codebook(store)
    dups = store.papers.duplicate_map()
    return (st.id, store.history.field_counter(cb.id, st.field), store.history.field_counter(cb.id, st.reason_field),
            store.units.signature("paper"), hash(frozenset(dups.items())), reviewers(store),
            store.history.field_counter(cb.id, STAGES["ta"].field) if st.id == "ft" else 0)
