"""The prioritised screening queue: what a reviewer screens next at a stage, most likely relevant
first, ranked by a model trained only on what that reviewer may see (their own decisions and the
lead's final ones, never another reviewer's blind decisions); with the stopping hint.

Split from `screening` (decisions, verdicts, conflicts) because the queue is the part that trains a
model and keeps the TF-IDF features of the study's papers.
"""

from __future__ import annotations

from dataclasses import dataclass

from studyapp.services.papers.screening import (
    STAGES,
    Stage,
    _votes,
    reviewers,
    screening_codebook,
    stage_of,
    verdicts,
)
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
    ranking = sm.rank([], labels, X=_features_for(store, ids))
    todo_set = set(todo)
    ordered = [ids[i] for i in ranking.order if ids[i] in todo_set]
    note = ranking.reason or f"ordered by a model trained on {ranking.trained_on} decisions"
    return Queue(st.id, coder, ordered, len(ids), len(mine), ranking.scores is not None,
                 ranking.expected_remaining, note, hint)


_FEATURES: dict[tuple, tuple[dict[int, int], object]] = {}


def _features_for(store: Store, ids: list[int]):
    """TF-IDF rows of `ids`, from features of every paper of the study kept while its set of papers
    stays the same (a decision changes no text), so retraining after a decision costs a model fit,
    not reading and vectorising every abstract again."""
    from studyapp.services.papers.screening_model import features

    key = (str(store.folder), store.units.signature("paper"))
    if key not in _FEATURES:
        texts = store.units.texts("paper")
        order = list(texts)
        X = features([f"{texts[i][0]}\n{texts[i][1]}" for i in order])
        if len(_FEATURES) >= 4:
            _FEATURES.pop(next(iter(_FEATURES)))
        _FEATURES[key] = ({u: n for n, u in enumerate(order)}, X)
    row_of, X = _FEATURES[key]
    return X[[row_of[i] for i in ids]]


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
