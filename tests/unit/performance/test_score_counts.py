"""Score counts: ROC AUC and average precision from mergeable counts, against scikit-learn."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from driftline.performance.score_counts import ScoreCounts, round_scores


def _parts(rng: np.random.Generator, n: int, pieces: int) -> list[np.ndarray]:
    cuts = np.sort(rng.choice(np.arange(1, n), pieces - 1, replace=False))
    return np.split(rng.permutation(n), cuts)


def _counts(scores: np.ndarray, y: np.ndarray, max_distinct: int, pieces: int = 1) -> ScoreCounts:
    """One state per batch of `pieces` consecutive batches, fed into one state."""
    state = ScoreCounts(2, max_distinct)
    for batch in np.array_split(np.arange(len(scores)), pieces):
        state.update(scores[batch], y[batch])
    return state


def _merged(scores, y, max_distinct, rng, pieces=7) -> ScoreCounts:
    """States of random disjoint parts, merged in random order."""
    states = []
    for part in _parts(rng, len(scores), pieces):
        state = ScoreCounts(2, max_distinct)
        state.update(scores[part], y[part])
        states.append(state)
    merged = ScoreCounts(2, max_distinct)
    for i in rng.permutation(len(states)):
        merged.merge(states[i])
    return merged


def _same_state(a: ScoreCounts, b: ScoreCounts) -> None:
    assert a.bits == b.bits
    np.testing.assert_array_equal(a.scores, b.scores)
    np.testing.assert_array_equal(a.counts, b.counts)


@pytest.mark.parametrize("ties", [True, False])
def test_exact_counts_give_scikit_learns_values_and_merge_exactly(ties: bool) -> None:
    rng = np.random.default_rng(1)
    n = 20_000
    scores = rng.beta(2, 3, n)
    if ties:
        scores = np.round(scores, 2)  # many ties, which both metrics must handle as sklearn
    y = (rng.random(n) < scores).astype(np.int64)
    one_pass = _counts(scores, y, 1 << 18, pieces=5)
    merged = _merged(scores, y, 1 << 18, rng)
    _same_state(one_pass, merged)
    assert merged.exact
    auc, ap = merged.metrics(1)
    assert auc == pytest.approx(roc_auc_score(y, scores), abs=1e-12)
    assert ap == pytest.approx(average_precision_score(y, scores), abs=1e-12)
    assert merged.error_bounds(1) == (0.0, 0.0)
    # the other class as positive on the same score column (as one-vs-rest reads it)
    auc0, ap0 = merged.metrics(0)
    assert auc0 == pytest.approx(roc_auc_score(1 - y, scores), abs=1e-12)
    assert ap0 == pytest.approx(average_precision_score(1 - y, scores), abs=1e-12)


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_rounded_counts_stay_within_their_stated_bound_and_merge_exactly(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 50_000
    scores = rng.beta(2, 5, n)
    y = (rng.random(n) < scores).astype(np.int64)
    one_pass = _counts(scores, y, 2_000, pieces=9)
    merged = _merged(scores, y, 2_000, rng)
    _same_state(one_pass, merged)  # the rounding depends on the scores only, not the split
    assert not merged.exact
    assert len(merged.scores) <= 2_000
    auc, ap = merged.metrics(1)
    auc_bound, ap_bound = merged.error_bounds(1)
    assert 0 < auc_bound < 0.01 and 0 < ap_bound < 0.05
    assert abs(auc - roc_auc_score(y, scores)) <= auc_bound
    assert abs(ap - average_precision_score(y, scores)) <= ap_bound


def test_the_auc_bound_is_reached_when_rounding_ties_every_pair() -> None:
    """Each positive just above the negative of its own rounded value: every such pair counts
    1 exactly and 1/2 rounded, which is the whole bound."""
    base = np.array([0.5, 0.25, 0.125])
    negatives = base * (1 + 2.0**-40)
    positives = base * (1 + 2.0**-30)
    scores = np.r_[negatives, positives]
    y = np.r_[np.zeros(3), np.ones(3)].astype(np.int64)
    state = ScoreCounts(2, max_distinct=3)
    state.update(scores, y)
    assert state.bits == 20 and len(state.scores) == 3
    auc, _ = state.metrics(1)
    auc_bound, _ = state.error_bounds(1)
    exact = roc_auc_score(y, scores)
    assert exact == pytest.approx(6 / 9)  # each positive beats its own and the lower negatives
    assert auc == pytest.approx(4.5 / 9)  # its own negative now ties: 3 pairs count 1/2
    assert abs(auc - exact) == pytest.approx(auc_bound)


def test_rounding_keeps_order_for_any_sign_and_magnitude() -> None:
    rng = np.random.default_rng(5)
    values = np.sort(np.r_[rng.normal(0, 1e6, 5000), rng.normal(0, 1e-6, 5000), 0.0, -0.0])
    for bits in (20, 8, 0):
        rounded = round_scores(values, bits)
        assert np.all(np.diff(rounded) >= 0)
        assert np.all(np.abs(rounded) <= np.abs(values))
        assert np.all(np.abs(values - rounded) <= np.abs(values) * 2.0 ** (-bits))
    assert round_scores(np.array([-0.0]), 52)[0] == 0.0


def test_counts_round_trip_through_json() -> None:
    rng = np.random.default_rng(6)
    state = ScoreCounts(3, 100)
    state.update(rng.random(1000), rng.integers(0, 3, 1000))
    back = ScoreCounts.from_dict(json.loads(json.dumps(state.to_dict())), 3)
    _same_state(state, back)


def test_one_class_only_gives_nan() -> None:
    state = ScoreCounts(2)
    state.update(np.array([0.1, 0.9]), np.array([0, 0]))
    auc, ap = state.metrics(1)
    assert np.isnan(auc) and np.isnan(ap)
    auc, ap = state.metrics(0)
    assert np.isnan(auc) and ap == 1.0
