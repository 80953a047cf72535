"""Arithmetic on values of any finite magnitude, without overflow or numpy warnings.

Squares overflow above about 1e154 and differences of values of opposite sign above about
9e307, so a standard deviation, an edge spacing or a Wasserstein distance of such values
comes out inf or NaN (and numpy warns). Scale-invariant results are computed on values
divided by a power of two, which is exact, so ordinary data give bit-identical numbers:
values below `SAFE_MAGNITUDE` are never scaled.
"""

from __future__ import annotations

import math

import numpy as np

# Below this magnitude n * (2x)^2 stays finite for any realistic n: no scaling needed.
SAFE_MAGNITUDE = 1e100


def exponent(*arrays: np.ndarray) -> int:
    """The power of two to divide by so that every value lies in [-1, 1]; 0 when the
    values are below `SAFE_MAGNITUDE` (no scaling)."""
    largest = max((float(np.max(np.abs(a))) for a in arrays if len(a)), default=0.0)
    return magnitude_exponent(largest)


def magnitude_exponent(largest: float) -> int:
    """`exponent` of values whose largest magnitude is `largest`."""
    if not largest > SAFE_MAGNITUDE or not math.isfinite(largest):
        return 0
    return math.frexp(largest)[1]


def scaled(values: np.ndarray, power: int) -> np.ndarray:
    """`values` / 2**power as float64 (exact, barring underflow of tiny values)."""
    if power == 0:
        return values
    return np.ldexp(values.astype(np.float64, copy=False), -power)


def unscaled(value: float, power: int) -> float:
    """`value` * 2**power; inf where the true result exceeds the float range."""
    if power == 0:
        return float(value)
    with np.errstate(over="ignore"):
        return float(np.ldexp(value, power))


def mean_std(values: np.ndarray, largest: float | None = None) -> tuple[float, float]:
    """(mean, population standard deviation) of finite `values`, finite for any values;
    `largest` is their largest magnitude when the caller knows it."""
    power = exponent(values) if largest is None else magnitude_exponent(largest)
    small = scaled(values, power)
    return unscaled(float(small.mean()), power), unscaled(float(small.std()), power)


def equal_width_edges(low: float, high: float, bins: int) -> np.ndarray:
    """`bins` + 1 equal-width edges from `low` to `high` (numpy's linspace where the range
    high - low is a finite float, else an overflow-free interpolation)."""
    if finite_span(low, high):
        return np.linspace(low, high, bins + 1)
    share = np.linspace(0.0, 1.0, bins + 1)
    edges = low * (1.0 - share) + high * share
    edges[0], edges[-1] = low, high
    return edges


def finite_span(low: float, high: float) -> bool:
    """Whether high - low is a finite float."""
    with np.errstate(over="ignore", invalid="ignore"):
        return math.isfinite(float(np.float64(high) - np.float64(low)))


def interpolate(below: np.ndarray, above: np.ndarray, share: np.ndarray) -> np.ndarray:
    """below + (above - below) * share (numpy's linear interpolation), without overflow
    where above - below exceeds the float range."""
    with np.errstate(over="ignore", invalid="ignore"):
        result = below + (above - below) * share
    wild = ~np.isfinite(result)
    if wild.any():
        result[wild] = below[wild] * (1.0 - share[wild]) + above[wild] * share[wild]
    return result
