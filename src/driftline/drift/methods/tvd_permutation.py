"""Total variation distance with a permutation p-value, as Evidently's `TVD`.

The p-value is the share of 1000 relabellings of the pooled rows whose distance is at least
the observed one. The relabellings are Evidently's own (numpy's legacy generator, seed 0),
so the numbers are Evidently's. Where relabellings tie the observed distance, the float
rounding of the sum decides; driftline sums in sorted category order, which is Evidently's
order for small integer categories. For string categories Evidently's order follows Python's
per-process string hashing, so its p-value on tie-heavy data moves by up to a few hundredths
from one run to the next; driftline's does not.
The distance itself is the method `tvd`.
"""

from __future__ import annotations

import numpy as np

from driftline.drift.methods.base import CATEGORICAL, Direction, DriftMethod
from driftline.io import ColumnKind

PERMUTATIONS = 1000
SEED = 0


def permutation_p_value(codes: np.ndarray, n_ref: int) -> float:
    """p-value of the split `codes[:n_ref]` vs the rest among Evidently's 1000 relabellings."""
    size = int(codes.max(initial=0)) + 1
    total = np.bincount(codes, minlength=size)
    n_cur = len(codes) - n_ref

    def distance(rows: np.ndarray | slice) -> float:
        # Evidently's arithmetic, categories in sorted order: relabellings that tie the
        # observed split (common with few categories) compare as they do in Evidently
        ref = np.bincount(codes[rows], minlength=size)
        return float(0.5 * np.sum(np.abs(ref / n_ref - (total - ref) / n_cur)))

    observed = distance(slice(0, n_ref))
    random = np.random.RandomState(SEED)
    permuted = [distance(random.permutation(len(codes))[:n_ref]) for _ in range(PERMUTATIONS)]
    return float(np.mean(observed <= np.array(permuted)))


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    _, codes = np.unique(np.concatenate([ref, cur]), return_inverse=True)
    return permutation_p_value(codes, len(ref))


def _binned(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    # the relabellings depend on row order, which counts do not keep: rows in value order
    values = np.arange(len(ref_counts))
    return permutation_p_value(
        np.concatenate([np.repeat(values, ref_counts), np.repeat(values, cur_counts)]),
        int(ref_counts.sum()),
    )


METHOD = DriftMethod(
    name="TVD",
    title="total variation distance permutation p-value",
    kinds=CATEGORICAL,
    default_threshold=0.1,
    direction=Direction.P_VALUE,
    score_exact=_score,
    score_binned=_binned,
    evidently_name="TVD",
)
