"""Prioritised screening: a text model retrained on decisions, its simulation, and stopping hints.

Pure functions over texts and 0/1 labels (no study, no I/O). The model follows ASReview's current
default, ELAS u4 (ASReview LAB 2+, its hyperparameters tuned on the SYNERGY datasets): TF-IDF over
word 1-2-grams (sublinear term frequency, no stop-word list, terms in over 95% of records dropped), a
linear SVM (C = 0.11), and balanced sample weights that give the relevant records 9.8 times the total
weight of the irrelevant ones, querying the highest score first; multinomial naive Bayes (ELAS u3,
ASReview 1's default, weight ratio 1.2) is there to compare with. With a plain 1:1 balance and an
English stop-word list, the Kitchenham SLR's WSS@95 was 0.53 against ASReview's 0.67
(benchmarks/bench_screening.py).

Metrics follow the issue's definitions:
- WSS@r = (N - screened) / N - (1 - r), at the first point where recall reaches r;
- RRF@10 = share of the relevant records found after screening floor(10% of N) records;
both undefined (`InvalidInput`) when the labels hold no relevant or no irrelevant record.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from studyapp.errors import InvalidInput

CLASSIFIERS = ("svm", "nb")
SVM_C = 0.11
NB_ALPHA = 3.822
#: Relevant : irrelevant total sample weight, per classifier (ASReview ELAS u4 and u3).
BALANCE_RATIO = {"svm": 9.8, "nb": 1.2}
MAX_DF = 0.95
KNEE_RATIO = 6.0
KNEE_MIN_SCREENED = 150


def features(texts: list[str]) -> sparse.csr_matrix:
    """TF-IDF over 1-2-grams of the texts (title + abstract)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [t or "" for t in texts]
    if not any(t.strip() for t in texts):
        return sparse.csr_matrix((len(texts), 1))
    max_df = MAX_DF if len(texts) >= 20 else 1.0  # a share of a handful of records drops every term
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_df=max_df, strip_accents="unicode")
    try:
        return vec.fit_transform(texts).tocsr()
    except ValueError:  # only stop words
        return sparse.csr_matrix((len(texts), 1))


def balanced_weights(y: np.ndarray, ratio: float = 1.0) -> np.ndarray:
    """Sample weights giving the relevant records `ratio` times the total weight of the irrelevant
    ones (1.0: the same), rescaled to sum to len(y)."""
    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    w = np.where(y == 1, 1.0, n_pos / (ratio * n_neg) if n_neg else 1.0)
    return w * (len(y) / w.sum())


def _classifier(name: str):
    if name == "svm":
        from sklearn.svm import LinearSVC

        return LinearSVC(C=SVM_C, dual="auto", max_iter=5000)
    if name == "nb":
        from sklearn.naive_bayes import MultinomialNB

        return MultinomialNB(alpha=NB_ALPHA)
    raise InvalidInput(f"unknown classifier {name!r}; use one of {', '.join(CLASSIFIERS)}")


def _scores(clf, X) -> np.ndarray:
    return clf.decision_function(X) if hasattr(clf, "decision_function") else clf.predict_proba(X)[:, 1]


def fit_scores(X, idx: np.ndarray, y: np.ndarray, classifier: str = "svm") -> np.ndarray:
    """Train on rows `idx` with labels `y`; scores (higher = more likely relevant) for every row."""
    clf = _classifier(classifier)
    clf.fit(X[idx], y, sample_weight=balanced_weights(y, BALANCE_RATIO.get(classifier, 1.0)))
    return _scores(clf, X)


@dataclass(frozen=True)
class Ranking:
    """`order`: unlabelled row indexes, most likely relevant first. `expected_remaining` is the model's
    estimate of relevant records among them (None with `reason` when it cannot be estimated)."""

    order: list[int]
    scores: list[float] | None
    trained_on: int
    expected_remaining: float | None
    reason: str = ""


def rank(texts: list[str], labels: dict[int, int], *, classifier: str = "svm", X=None) -> Ranking:
    """Order the unlabelled texts by a model trained on `labels` (row index -> 0/1); with `X`, the
    texts' features are given and `texts` may be empty."""
    n = X.shape[0] if X is not None else len(texts)
    unlabelled = [i for i in range(n) if i not in labels]
    y = np.array([labels[i] for i in sorted(labels)], dtype=int)
    if not len(y) or y.min() == y.max():
        return Ranking(unlabelled, None, len(y), None,
                       "the model starts once there is at least one relevant and one irrelevant decision")
    X = features(texts) if X is None else X
    idx = np.array(sorted(labels))
    scores = fit_scores(X, idx, y, classifier)
    order = sorted(unlabelled, key=lambda i: (-scores[i], i))
    expected, reason = estimate_remaining(X, idx, y, scores[unlabelled] if unlabelled else np.array([]), classifier)
    return Ranking(order, [float(s) for s in scores], len(y), expected, reason)


def estimate_remaining(X, idx: np.ndarray, y: np.ndarray, unlabelled_scores: np.ndarray,
                       classifier: str = "svm") -> tuple[float | None, str]:
    """Sum of Platt-calibrated probabilities over the unlabelled records: scores from a cross-validated
    fit on the decisions are mapped to probabilities by a logistic regression. A rough figure: the
    decisions are not a random sample (the model chose them)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    if n_pos < 2 or n_neg < 2:
        return None, "an estimate needs at least two relevant and two irrelevant decisions"
    if not len(unlabelled_scores):
        return 0.0, ""
    k = min(3, n_pos, n_neg)  # three folds: the estimate is rough anyway, and it runs after every decision
    cv = StratifiedKFold(k, shuffle=True, random_state=0)
    cv_scores = cross_val_predict(_classifier(classifier), X[idx], y, cv=cv,
                                  method="decision_function" if classifier == "svm" else "predict_proba",
                                  params={"sample_weight": balanced_weights(y, BALANCE_RATIO.get(classifier, 1.0))})
    cv_scores = cv_scores if cv_scores.ndim == 1 else cv_scores[:, 1]
    platt = LogisticRegression().fit(cv_scores.reshape(-1, 1), y)
    return float(platt.predict_proba(np.asarray(unlabelled_scores).reshape(-1, 1))[:, 1].sum()), ""


# -- simulation and metrics ---------------------------------------------------------------------

def _check(n: int, n_rel: int) -> None:
    if n_rel == 0:
        raise InvalidInput("the labels hold no relevant record: recall and WSS are undefined")
    if n_rel == n:
        raise InvalidInput("every record is relevant: there is nothing to prioritise (WSS is undefined)")


def wss(curve: list[tuple[int, int]], n: int, n_rel: int, recall: float) -> float:
    """Work saved over sampling at `recall`, from a recall curve of (screened, found) points."""
    _check(n, n_rel)
    need = math.ceil(recall * n_rel - 1e-9)
    for screened, found in curve:
        if found >= need:
            return (n - screened) / n - (1 - recall)
    raise InvalidInput(f"the curve never reaches recall {recall:g}")


def rrf(curve: list[tuple[int, int]], n: int, n_rel: int, share: float = 0.10) -> float:
    """Relevant records found after screening floor(share * N) records, as a share of all relevant."""
    _check(n, n_rel)
    k = max(1, int(share * n))
    found = 0
    for screened, f in curve:
        if screened > k:
            break
        found = f
    return found / n_rel


def simulate(texts: list[str], labels: list[int], *, seed: int = 0, classifier: str = "svm") -> dict:
    """Replay a fully labelled set as ASReview does: start from one relevant and one irrelevant record
    (picked with `seed`, counted as screened), then retrain after every record and screen the
    highest-scoring one next, until every relevant record is found (the rest of the curve is flat)."""
    y = np.asarray(labels, dtype=int)
    n, n_rel = len(y), int(y.sum())
    if set(np.unique(y)) - {0, 1}:
        raise InvalidInput("labels must be 0 or 1")
    _check(n, n_rel)
    X = features(texts)
    rng = np.random.default_rng(seed)
    start = [int(rng.choice(np.flatnonzero(y == 1))), int(rng.choice(np.flatnonzero(y == 0)))]
    screened = np.zeros(n, dtype=bool)
    screened[start] = True
    order = list(start)
    found = 1
    curve = [(0, 0), (2, 1)]
    while found < n_rel:
        idx = np.flatnonzero(screened)
        scores = fit_scores(X, idx, y[idx], classifier)
        scores[screened] = -np.inf
        nxt = int(np.argmax(scores))
        screened[nxt] = True
        order.append(nxt)
        found += int(y[nxt])
        curve.append((len(order), found))
    if curve[-1][0] < n:
        curve.append((n, n_rel))
    return {"n": n, "n_relevant": n_rel, "wss@95": wss(curve, n, n_rel, 0.95), "wss@100": wss(curve, n, n_rel, 1.0),
            "rrf@10": rrf(curve, n, n_rel, 0.10), "recall_curve": [[s, f] for s, f in curve],
            "seed": seed, "classifier": classifier, "priors": start}


# -- stopping ----------------------------------------------------------------------------------

def stopping_hint(decisions: list[int], n_total: int) -> dict:
    """When to consider stopping, from decisions (1 relevant / 0 not) in the order they were made.

    Two published heuristics, shown side by side: the run of irrelevant records since the last
    relevant one, and Cormack and Grossman's knee method (2016): the gain curve's slope before its
    knee is at least 6 times the slope after it, with at least 150 records screened.
    """
    s, found = len(decisions), int(sum(decisions))
    since = 0
    for d in reversed(decisions):
        if d:
            break
        since += 1
    out = {"screened": s, "found": found, "total": n_total, "since_last_relevant": since,
           "knee_at": None, "knee_ratio": None, "stop": False}
    if found == 0:
        out["reason"] = "no relevant record found yet: keep screening"
        return out
    cum = np.cumsum(decisions)
    xs = np.arange(1, s + 1)
    dist = cum * s / max(found, 1) - xs if found else np.zeros(s)
    k = int(np.argmax(dist)) + 1
    ratio = (cum[k - 1] / k) / ((found - cum[k - 1] + 1) / max(s - k, 1))
    out.update(knee_at=k, knee_ratio=float(ratio))
    if s >= n_total:
        out.update(stop=True, reason="every record is screened")
    elif s >= KNEE_MIN_SCREENED and ratio >= KNEE_RATIO:
        out.update(stop=True, reason=f"the knee method suggests stopping (slope ratio {ratio:.1f} >= {KNEE_RATIO:g},"
                                     f" {since} irrelevant in a row)")
    else:
        need = f"at least {KNEE_MIN_SCREENED} screened" if s < KNEE_MIN_SCREENED else f"slope ratio >= {KNEE_RATIO:g}"
        out["reason"] = f"keep screening: the knee method needs {need} (now {s} screened, ratio {ratio:.1f})"
    return out
