"""Empirical maximum mean discrepancy with a permutation p-value, as Evidently's `empirical_mmd`.

Gaussian kernel whose width is the median reference-to-reference distance; the p-value is
the share of 100 random relabellings of the pooled rows whose MMD is at least the observed
one. Evidently draws the relabellings from numpy's global generator (a different p-value on
every run); driftline seeds them (`SEED`), so a window gives the same verdict every time.
The kernel matrix holds every pair of rows, so the method is refused above `MAX_ROWS`.
"""

from __future__ import annotations

import numpy as np

from driftline.drift.methods.base import NUMERIC, Direction, DriftMethod
from driftline.drift.stable import exponent, scaled
from driftline.errors import InputError
from driftline.io import ColumnKind

PERMUTATIONS = 100
SEED = 0
TIE = 1e-9  # relative gap under which a permuted MMD may tie the observed one
MAX_ROWS = 4_000  # both sides together: two kernel matrices of 8 * MAX_ROWS**2 bytes


def _squared_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    # Evidently's expression, term for term, so the median (the kernel width) is the same
    return y[None, :] ** 2 - 2 * np.outer(x, y) + x[:, None] ** 2


def kernel_matrix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The Gaussian kernel on the pooled rows (x first), diagonal zeroed, width from x alone."""
    xx = _squared_distances(x, x)
    sigma = float(0.5 * np.percentile(xx.ravel(), 50, method="nearest")) ** 0.5
    sigma = sigma or 0.5**0.5
    gamma = 1.0 / (2.0 * sigma**2)
    xy = np.exp(-gamma * _squared_distances(x, y))
    kernel = np.block(
        [[np.exp(-gamma * xx), xy], [xy.T, np.exp(-gamma * _squared_distances(y, y))]]
    )
    np.fill_diagonal(kernel, 0.0)
    return kernel


def _mmd(kernel: np.ndarray, ny: int) -> float:
    """MMD of the first rows of `kernel` against its last `ny` rows, in Evidently's arithmetic."""
    nx = kernel.shape[0] - ny
    xx, yy, xy = kernel[:-ny, :-ny], kernel[-ny:, -ny:], kernel[-ny:, :-ny]
    return float(1 / (nx * (nx - 1)) * xx.sum() + 1 / (ny * (ny - 1)) * yy.sum() - 2.0 * xy.mean())


def _fast_mmd(kernel: np.ndarray, row_sums: np.ndarray, in_x: np.ndarray, ny: int) -> float:
    """The same MMD for the rows flagged 1.0 in `in_x` against the others, from one
    matrix-vector product instead of a permuted copy of the matrix (differs in rounding)."""
    nx = len(in_x) - ny
    to_x = kernel @ in_x
    xx, xy = float(in_x @ to_x), float((1.0 - in_x) @ to_x)
    yy = float((1.0 - in_x) @ (row_sums - to_x))
    return xx / (nx * (nx - 1)) + yy / (ny * (ny - 1)) - 2.0 * xy / (nx * ny)


def mmd_p_value(x: np.ndarray, y: np.ndarray, random: np.random.RandomState) -> tuple[float, float]:
    """(permutation p-value, MMD) of x against y, relabelled with `random.permutation`."""
    kernel = kernel_matrix(x.astype(np.float64), y.astype(np.float64))
    row_sums = kernel.sum(axis=1)
    observed = _mmd(kernel, len(y))
    is_x = np.concatenate([np.ones(len(x)), np.zeros(len(y))])
    at_least = 0
    for _ in range(PERMUTATIONS):
        order = random.permutation(len(x) + len(y))
        permuted = _fast_mmd(kernel, row_sums, is_x[np.argsort(order)], len(y))
        if abs(permuted - observed) <= TIE * max(abs(observed), 1.0):
            # a tie (repeated values): decide in Evidently's arithmetic and memory layout
            permuted = _mmd(kernel[order][:, order], len(y))
        at_least += observed <= permuted
    return at_least / PERMUTATIONS, observed


def _score(ref: np.ndarray, cur: np.ndarray, kind: ColumnKind) -> float:
    if len(ref) + len(cur) > MAX_ROWS:
        raise InputError(
            f"method 'empirical_mmd' compares every pair of rows and takes at most {MAX_ROWS} "
            f"rows (both sides), got {len(ref)} + {len(cur)}; use ed, ks or auto on large data",
            param="method",
        )
    if min(len(ref), len(cur)) < 2:
        return float("nan")
    power = exponent(ref, cur)  # scale-free: huge values are scaled into [-1, 1]
    ref, cur = scaled(ref, power), scaled(cur, power)
    return mmd_p_value(ref, cur, np.random.RandomState(SEED))[0]


METHOD = DriftMethod(
    name="empirical_mmd",
    title="empirical MMD permutation p-value",
    kinds=NUMERIC,
    default_threshold=0.1,
    direction=Direction.P_VALUE,
    score_exact=_score,
    evidently_name="empirical_mmd",
)
