"""Exact order statistics, Wasserstein-1 and the Kolmogorov-Smirnov statistic without
sorting every value.

Values are dropped into up to 2**16 equal-width buckets over [low, high] in one O(n) pass. The
bucket index is a monotone function of the value, so buckets are ordered like their values:
a bucket's members all lie between those of the buckets around it. Exact answers then need
a sort of only the few buckets where order inside a bucket matters.
"""

from __future__ import annotations

import math

import numpy as np

MAX_BUCKETS = 1 << 16  # per-bucket arrays stay in the L2 cache
# Both sides of a column together: KS sorts every member of the buckets where the CDF
# difference may peak, and with 300 values a bucket (10M rows a side in 65536 buckets) that
# cost more than bucketing itself; a larger table keeps buckets under ~80 values.
MAX_SHARED_BUCKETS = 1 << 18
VALUES_PER_BUCKET = 32


def bucket_count(values: int, most: int = MAX_BUCKETS) -> int:
    """How many buckets for `values` values: about 32 values each, 256 to `most`."""
    return int(min(most, max(256, values // VALUES_PER_BUCKET)))


class Buckets:
    """`values` (finite floats) in equal-width buckets over [low, high]; `low < high`."""

    def __init__(self, values: np.ndarray, low: float, high: float, size: int) -> None:
        # (size - 0.5) keeps `high` itself in the last bucket without a clip pass.
        self.low = low
        self.scale = (size - 0.5) / (high - low)
        self.values = values
        self.ids = bucket_ids(values - low, self.scale)
        self.counts = np.bincount(self.ids, minlength=size)

    def of(self, points: np.ndarray) -> np.ndarray:
        """The bucket of each of `points` in [low, high], computed as for the values."""
        return bucket_ids(np.asarray(points, dtype=np.float64) - self.low, self.scale)


def bucket_ids(offsets: np.ndarray, scale: float) -> np.ndarray:
    """floor(offsets * scale) for offsets >= 0, cast on the fly (no float temporary)."""
    ids = np.empty(len(offsets), dtype=np.intp)
    np.multiply(offsets, scale, out=ids, casting="unsafe")
    return ids


def bucketable(low: float, high: float) -> bool:
    """Whether [low, high] can be split into buckets in float64 (a non-degenerate range)."""
    span = float(high) - float(low)  # Python floats: overflow gives inf, no warning
    return math.isfinite(span) and span > 0 and math.isfinite(MAX_BUCKETS / span)


def order_statistics(
    values: np.ndarray, ranks: np.ndarray, bounds: tuple[float, float] | None = None
) -> np.ndarray:
    """The `ranks`-th smallest of `values` (0-based), exactly: `np.sort(values)[ranks]`.
    `bounds`: the values' (min, max) when the caller has them."""
    ranks = np.asarray(ranks, dtype=np.intp)
    low, high = bounds or (float(values.min()), float(values.max()))
    if not bucketable(low, high):
        return np.sort(values)[ranks]
    b = Buckets(values.astype(np.float64, copy=False), low, high, bucket_count(len(values)))
    return _ranked_and_below(values, b, ranks, np.empty(0))[0]


def _ranked_and_below(
    values: np.ndarray, b: Buckets, ranks: np.ndarray, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(`np.sort(values)[ranks]`, how many values are below each of `points`) from the
    values' buckets `b`: only the buckets holding a wanted rank or a point are sorted.

    The bucket index is monotone in the value, so a value in a bucket below a point's bucket
    is below the point, one in a bucket above it is not: only the point's bucket is compared.
    """
    ends = np.cumsum(b.counts)
    holding = np.searchsorted(ends, ranks, side="right")  # the bucket of each rank
    cut = np.clip(b.of(points), 0, len(b.counts) - 1)  # the bucket of each point
    wanted = np.zeros(len(b.counts), dtype=bool)
    wanted[holding] = True
    wanted[cut] = True
    members = np.sort(values[wanted[b.ids]])  # grouped by bucket, in bucket order
    chosen = np.flatnonzero(wanted)
    offsets = np.cumsum(b.counts[chosen]) - b.counts[chosen]  # where each group starts
    firsts = ends - b.counts  # rank of each bucket's smallest member
    ranked = members[offsets[np.searchsorted(chosen, holding)] + ranks - firsts[holding]]
    below = np.empty(len(cut), dtype=np.int64)
    starts = offsets[np.searchsorted(chosen, cut)]
    for i, (point, bucket, start) in enumerate(zip(points, cut, starts, strict=True)):
        group = members[start : start + b.counts[bucket]].astype(np.float64, copy=False)
        below[i] = firsts[bucket] + np.count_nonzero(group < point)
    return ranked, below


class SharedBuckets:
    """Two samples in the same equal-width buckets over their common range: one bucket index
    per value, computed once, from which the KS statistic, either side's order statistics
    and either side's counts on bin edges are exact, each without sorting a whole side.

    `u`, `v`: finite numbers, neither empty. Where the common range cannot be split (one
    value, or a span float64 cannot hold) `sides` is None and the answers sort or compare.
    """

    def __init__(self, u: np.ndarray, v: np.ndarray) -> None:
        self.samples = (u, v)
        self.bounds = [(float(x.min()), float(x.max())) for x in (u, v)]
        self.low = min(self.bounds[0][0], self.bounds[1][0])
        self.high = max(self.bounds[0][1], self.bounds[1][1])
        self.sides: tuple[Buckets, Buckets] | None = None
        if bucketable(self.low, self.high):
            size = bucket_count(len(u) + len(v), MAX_SHARED_BUCKETS)
            fu, fv = (x.astype(np.float64, copy=False) for x in (u, v))
            self.sides = (
                Buckets(fu, self.low, self.high, size),
                Buckets(fv, self.low, self.high, size),
            )

    def ks_statistic(self) -> float:
        """`ks_statistic` of the two samples."""
        u, v = self.samples
        if self.sides is None:
            one = [np.zeros(len(u), dtype=np.intp), np.zeros(len(v), dtype=np.intp)]
            return _ks_merged(u, v, np.ones(1, dtype=bool), one, (np.zeros(1), np.zeros(1)))
        return _ks_bucketed(u, v, *self.sides)

    def ranked_and_binned(
        self, side: int, ranks: np.ndarray, edges: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(`np.sort(sample)[ranks]`, `np.histogram(sample, edges)[0]`) of sample `side`
        (0: u, 1: v); `edges` ascending, the first at or below the common minimum and the
        last at or above the common maximum (the last bin closed, as numpy's)."""
        values = self.samples[side]
        ranks = np.asarray(ranks, dtype=np.intp)
        inner = np.asarray(edges[1:-1], dtype=np.float64)
        if self.sides is None:
            ranked = np.sort(values)[ranks]
            below = np.array([np.count_nonzero(values < edge) for edge in inner], dtype=np.int64)
        else:
            ranked, below = _ranked_and_below(values, self.sides[side], ranks, inner)
        return ranked, np.diff(np.r_[0, below, len(values)])


def wasserstein_1(u: np.ndarray, v: np.ndarray) -> float:
    """W1 = integral of |F_u - F_v| between two samples of finite floats (any order).

    Same value as scipy.stats.wasserstein_distance (to rounding), in O(n) on most data: see
    `_integral`. Values and bucket edges are measured from the common minimum.
    """
    u = u.astype(np.float64, copy=False)
    v = v.astype(np.float64, copy=False)
    low, high = min(u.min(), v.min()), max(u.max(), v.max())
    if not high > low:
        return 0.0
    if not bucketable(low, high):
        return _merged_sorted(np.sort(u), np.sort(v))
    size = bucket_count(len(u) + len(v))
    width = (float(high) - float(low)) / (size - 0.5)
    yu, yv = u - low, v - low
    scale = 1.0 / width
    ids = [bucket_ids(y, scale) for y in (yu, yv)]
    left = np.arange(size) * width
    return _integral((yu, yv), ids, left, width, (0, 0), (len(u), len(v)), depth=0)


def _integral(
    values: tuple[np.ndarray, np.ndarray],
    ids: list[np.ndarray],
    left: np.ndarray,
    width: float,
    offsets: tuple[np.ndarray | int, np.ndarray | int],
    sizes: tuple[int, int],
    depth: int,
) -> float:
    """Integral of |F_u - F_v| over buckets [left_k, left_k + width) holding `values` of u
    and v (bucket `ids`, monotone in the value).

    F_u, F_v are the CDFs of the whole samples (sizes n, m); `offsets[0][k]` counts the values
    of u below bucket k that are not held here (likewise v). Inside bucket k the difference
    stays within [d - cv/m, d + cu/n], d its value on entry: where that range has one sign,
    the integral of |.| is |integral of .|, a sum over the members (bincounts). Buckets where
    the sign may change are split once more, then sorted and merged.
    """
    n, m = sizes
    size = len(left)
    cu, cv = (np.bincount(i, minlength=size) for i in ids)
    su, sv = (np.bincount(i, weights=y, minlength=size) for i, y in zip(ids, values, strict=True))
    before_u = np.cumsum(cu) - cu + offsets[0]
    before_v = np.cumsum(cv) - cv + offsets[1]
    entry = before_u / n - before_v / m
    right = left + width
    # integral over the bucket of F_u = before_u * width + sum over members of (right - y)
    inside = entry * width + (cu * right - su) / n - (cv * right - sv) / m
    one_sign = (entry - cv / m >= 0) | (entry + cu / n <= 0)
    total = float(np.abs(inside[one_sign]).sum())
    hard = np.flatnonzero(~one_sign)
    if len(hard) == 0:
        return total
    flag = np.zeros(size, dtype=bool)
    flag[hard] = True
    held = [flag[i] for i in ids]
    members = [(y[h], i[h]) for y, i, h in zip(values, ids, held, strict=True)]
    spans = (left[hard], right[hard])
    befores = (before_u[hard], before_v[hard])
    count = len(members[0][0]) + len(members[1][0])
    group = int(min(1024, max(4, count // (2 * len(hard)))))  # ~2 members per finer bucket
    if depth > 0 or count < 4 * len(hard) or not np.isfinite(group / width):
        return total + _merged(members, hard, spans, befores, sizes)
    # split each hard bucket into `group` finer ones; offsets exclude members held below
    finer_width = width / group
    rank_of = np.zeros(size, dtype=np.intp)
    rank_of[hard] = np.arange(len(hard))
    finer_ids = []
    for y, i in members:
        rank = rank_of[i]
        sub = np.clip(((y - left[i]) / finer_width).astype(np.intp), 0, group - 1)
        finer_ids.append(rank * group + sub)
    finer_left = (left[hard][:, None] + np.arange(group) * finer_width).ravel()
    below_u = np.repeat(befores[0] - (np.cumsum(cu[hard]) - cu[hard]), group)
    below_v = np.repeat(befores[1] - (np.cumsum(cv[hard]) - cv[hard]), group)
    finer = (members[0][0], members[1][0])
    return total + _integral(
        finer, finer_ids, finer_left, finer_width, (below_u, below_v), sizes, depth + 1
    )


def _merged(
    members: list[tuple[np.ndarray, np.ndarray]],
    buckets: np.ndarray,
    spans: tuple[np.ndarray, np.ndarray],
    befores: tuple[np.ndarray, np.ndarray],
    sizes: tuple[int, int],
) -> float:
    """Exact integral of |F_u - F_v| over [left, right) of each of `buckets`: members merged."""
    (values_u, ids_u), (values_v, ids_v) = members
    n, m = sizes
    values = np.concatenate([values_u, values_v])
    ids = np.concatenate([ids_u, ids_v])
    from_u = np.zeros(len(values), dtype=bool)
    from_u[: len(values_u)] = True
    order = np.argsort(values)  # ties need no order: they are zero-width steps
    values, ids, from_u = values[order], ids[order], from_u[order]
    rank = np.searchsorted(buckets, ids)
    new_bucket = np.r_[True, rank[1:] != rank[:-1]]
    starts = np.flatnonzero(new_bucket)
    index = np.cumsum(new_bucket) - 1
    seen_u = np.cumsum(from_u)
    seen_v = np.arange(1, len(values) + 1) - seen_u
    cdf_u = befores[0][rank] + seen_u - (seen_u - from_u)[starts][index]
    cdf_v = befores[1][rank] + seen_v - (seen_v - ~from_u)[starts][index]
    after = np.abs(cdf_u / n - cdf_v / m)  # the difference just after each member
    ends = np.r_[values[1:], 0.0]
    last = np.r_[starts[1:] - 1, len(values) - 1]
    ends[last] = spans[1][rank[last]]  # the last member of a bucket runs to its right edge
    total = float(np.dot(after, ends - values))
    # from each bucket's left edge to its first member, the difference is its entry value
    entry = np.abs(befores[0] / n - befores[1] / m)
    occupied = rank[starts]  # every hard bucket has members
    return total + float(np.dot(entry[occupied], values[starts] - spans[0][occupied]))


def _merged_sorted(u: np.ndarray, v: np.ndarray) -> float:
    """W1 of ascending `u` and `v` by merging the two runs (fallback for extreme ranges)."""
    both = np.concatenate([u, v])
    order = np.argsort(both, kind="stable")
    from_u = order < len(u)
    u_cdf = np.cumsum(from_u[:-1]) / len(u)
    v_cdf = np.cumsum(~from_u[:-1]) / len(v)
    return float(np.dot(np.abs(u_cdf - v_cdf), np.diff(both[order])))


def ks_statistic(u: np.ndarray, v: np.ndarray) -> float:
    """sup |F_u - F_v| over the values of both samples (any order): bit for bit the statistic
    of scipy.stats.ks_2samp (two-sided), in O(n) on most data (see `_ks_bucketed`)."""
    return SharedBuckets(u, v).ks_statistic()


def _ks_bucketed(u: np.ndarray, v: np.ndarray, bu: Buckets, bv: Buckets) -> float:
    """The KS statistic from both samples' counts in the same buckets.

    The CDF difference at the end of each bucket (its largest member) comes from the bucket
    counts; inside bucket k it stays between U[k-1]/n - V[k]/m and U[k]/n - V[k-1]/m (U, V
    the counts up to bucket k). Only buckets where that bound beats the largest end value
    are sorted and walked, value by value.
    """
    n, m = len(u), len(v)
    up_to_u, up_to_v = np.cumsum(bu.counts), np.cumsum(bv.counts)
    before_u, before_v = up_to_u - bu.counts, up_to_v - bv.counts
    occupied = (bu.counts + bv.counts) > 0
    best = float(np.abs(up_to_u / n - up_to_v / m)[occupied].max())
    bound = np.maximum(np.abs(up_to_u / n - before_v / m), np.abs(before_u / n - up_to_v / m))
    hard = occupied & (bound > best)
    if not hard.any():
        return best
    inside = _ks_merged(u, v, hard, [bu.ids, bv.ids], (before_u, before_v))
    return max(best, inside)


def _ks_merged(
    u: np.ndarray,
    v: np.ndarray,
    hard: np.ndarray,
    ids: list[np.ndarray],
    befores: tuple[np.ndarray, np.ndarray],
) -> float:
    """max |F_u - F_v| at the members of the `hard` buckets, merged in value order; `befores`
    count each side's values below each bucket."""
    held = [hard[i] for i in ids]
    values = np.concatenate([u[held[0]], v[held[1]]])
    bucket = np.concatenate([ids[0][held[0]], ids[1][held[1]]])
    from_u = np.zeros(len(values), dtype=bool)
    from_u[: int(np.count_nonzero(held[0]))] = True
    order = np.argsort(values)  # bucket ids rise with the value: groups stay together
    values, bucket, from_u = values[order], bucket[order], from_u[order]
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(values)]))
    seen_u = np.cumsum(from_u)
    seen_v = np.arange(1, len(values) + 1) - seen_u
    base_u = (seen_u - from_u)[starts][group]  # held members of u in earlier groups
    base_v = (seen_v - ~from_u)[starts][group]
    count_u = befores[0][bucket] + seen_u - base_u
    count_v = befores[1][bucket] + seen_v - base_v
    last = np.r_[values[1:] != values[:-1], True]  # ties count once, after the last of them
    return float(np.abs(count_u[last] / len(u) - count_v[last] / len(v)).max())
