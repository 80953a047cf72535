"""Thresholds calibrated on the reference: each column's null distribution of its score.

Monitoring data is autocorrelated (hourly traffic, sessions, weekdays), so two stretches of
the *same* process differ by more than two independent samples would, and a fixed threshold
pages on the reference's own variation. Calibration measures that variation: the reference
is cut into consecutive chunks the size of the monitoring window (`reference_chunks`), each
chunk is scored against the rest of the reference with the column's method, and the scores
are the column's null distribution. The threshold is a stated quantile of it
(`ColumnCalibration.threshold`): with `quantile` q = 0.95, the q-quantile of distances or
the (1 - q)-quantile of p-values, so a chunk of the reference itself would be flagged about
5 % of the time.

Exact mode calibrates on the reference table when asked (`calibrate_exact`); a baseline
profile stores the calibration computed in profile mode when it is built
(`calibrate_profile`; the document is `driftline.profile.calibration`), so profile mode
and scheduled runs use it without reading the training data. With fewer than `MIN_CHUNKS`
chunks, a column scored in another method than the check uses, or a threshold set by the
user, the column keeps its fixed threshold and the report says why (`apply_calibration`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from driftline.drift.options import ALL_COLUMNS
from driftline.drift.registry import get_method
from driftline.drift.result import ColumnDrift, DriftResult, ThresholdCalibration
from driftline.errors import EmptyDataError, InputError
from driftline.io.periods import parse_periods
from driftline.io.windows import to_utc
from driftline.profile.calibration import Calibration, ColumnCalibration

if TYPE_CHECKING:
    from driftline.profile import DatasetProfile

FIXED = "fixed"
CALIBRATED = "calibrated"
AUTO = "auto"
#: `thresholds` values: fixed (each method's default or the user's), calibrated (on the
#: reference), auto (calibrated when a calibration is at hand: the baseline profile holds one).
THRESHOLD_MODES = (AUTO, FIXED, CALIBRATED)
DEFAULT_QUANTILE = 0.95
#: Fewer chunks than this give no usable null distribution: the column keeps its fixed threshold.
MIN_CHUNKS = 10
#: At most this many chunks are scored (evenly spread over the reference), bounding the cost.
MAX_CHUNKS = 100
NO_STORED_CALIBRATION = (
    "the baseline profile holds no calibration; build it with a calibration window "
    "(`driftline profile --calibration-window`, profile_baseline's calibration_window)"
)

#: Scores one chunk against the rest of the reference: column -> (method, score).
ScoreChunk = Callable[[int], Mapping[str, tuple[str, float]]]


def check_thresholds(thresholds: str) -> str:
    """`thresholds` if it is one of THRESHOLD_MODES, else one clear error."""
    if thresholds not in THRESHOLD_MODES:
        raise InputError(
            f"`thresholds` {thresholds!r} is not valid; use one of {', '.join(THRESHOLD_MODES)}",
            param="thresholds",
        )
    return thresholds


def check_quantile(quantile: float) -> float:
    """`quantile` if it is in (0.5, 1), else one clear error."""
    if not isinstance(quantile, int | float) or not 0.5 < quantile < 1.0:
        raise InputError(
            f"`threshold_quantile` {quantile!r} must be in (0.5, 1), e.g. 0.95 (a chunk of the "
            "reference is flagged 5 % of the time) or 0.99",
            param="threshold_quantile",
        )
    return float(quantile)


def ordering_column(
    available: Sequence[str], timestamp_column: str | None, window: str
) -> str | None:
    """The column that orders the reference's chunks in time: `timestamp_column` when the
    reference has it; None (table order) when it lacks it and `window` counts rows (a
    pipeline names the window's time column, which a training table may not have); a
    period `window` without it is an error."""
    if timestamp_column is None or timestamp_column in available:
        return timestamp_column
    if str(window).strip().isdigit():
        return None
    raise InputError(
        f"calibration window {window!r} is a time period, but the reference has no timestamp "
        f"column {timestamp_column!r} (it has: {', '.join(available)}); name its time column "
        "or give a row count such as 500",
        param="calibration_window",
    )


def reference_chunks(
    reference: pa.Table, window: str, timestamp_column: str | None = None
) -> list[pa.Table]:
    """Consecutive chunks of `reference` the size of the monitoring `window`, in time order.

    `window` is a row count ("500") or a duration/calendar period ("6h", "1d", "1w"; needs
    `timestamp_column`). Time periods are cut as monitoring windows are (UTC); a period with
    fewer than half the rows of the median period (the partial first and last ones) is left
    out. Row chunks are taken in time order when `timestamp_column` is given, else in table
    order; a last partial chunk is left out. At most `MAX_CHUNKS`, evenly spread.
    """
    window = str(window).strip()
    if timestamp_column is not None:
        if timestamp_column not in reference.column_names:
            raise InputError(
                f"timestamp column {timestamp_column!r} is not in the reference; it has: "
                f"{', '.join(reference.column_names)}",
                param="timestamp_column",
            )
        stamps = to_utc(reference[timestamp_column], timestamp_column)
        order = pc.sort_indices(stamps)
        reference, stamps = reference.take(order), stamps.take(order)
    if window.isdigit():
        rows = int(window)
        if rows < 1:
            raise InputError(
                f"calibration window {window!r} must be a positive row count or a duration",
                param="calibration_window",
            )
        chunks = [reference.slice(i, rows) for i in range(0, reference.num_rows - rows + 1, rows)]
    else:
        periods = parse_periods(window, param="calibration_window")
        if timestamp_column is None:
            raise InputError(
                f"calibration window {window!r} is a time period: give the timestamp column, "
                "or a row count such as 500",
                param="calibration_window",
            )
        micros = stamps.cast(pa.int64()).fill_null(np.iinfo(np.int64).min).to_numpy()
        valid = stamps.is_valid().to_numpy(zero_copy_only=False)
        index = periods.index(micros[valid])
        reference = reference.filter(pa.array(valid))
        starts = np.flatnonzero(np.diff(index, prepend=index[:1] - 1))
        bounds = [*starts.tolist(), len(index)]
        chunks = [reference.slice(a, b - a) for a, b in itertools.pairwise(bounds)]
        if chunks:
            median = float(np.median([c.num_rows for c in chunks]))
            chunks = [c for c in chunks if c.num_rows >= median / 2]
    if len(chunks) > MAX_CHUNKS:
        picks = np.linspace(0, len(chunks) - 1, MAX_CHUNKS).round().astype(int)
        chunks = [chunks[i] for i in picks]
    return chunks


def calibrate(window: str, mode: str, chunks: int, score: ScoreChunk) -> Calibration:
    """Score every chunk (`score(i)`: column -> (method, score) of chunk i against the rest)
    and collect each column's null distribution. A chunk that cannot be scored (a column
    without usable values in it) is left out; a column keeps the scores of the method most
    of its chunks used, NaN scores dropped."""
    per_column: dict[str, list[tuple[str, float]]] = {}
    if chunks < 2:  # no rest to score a chunk against
        return Calibration(window=window, mode=mode, chunks=chunks)
    scored = 0
    for i in range(chunks):
        try:
            outcome = score(i)
        except EmptyDataError:
            continue
        scored += 1
        for name, (method, value) in outcome.items():
            per_column.setdefault(name, []).append((method, value))
    columns = {}
    for name, pairs in per_column.items():
        methods = [m for m, _ in pairs]
        method = max(dict.fromkeys(methods), key=methods.count)
        scores = tuple(v for m, v in pairs if m == method and not math.isnan(v))
        direction = str(get_method(method).direction)
        columns[name] = ColumnCalibration(method, direction, scores)
    return Calibration(window=window, mode=mode, chunks=scored, columns=columns)


def scores_of(result: DriftResult) -> dict[str, tuple[str, float]]:
    """column -> (method, score) of one chunk's drift result."""
    return {c.name: (c.method, c.score) for c in result.columns}


def calibrate_exact(
    reference: pa.Table,
    window: str,
    check: Callable[[pa.Table, pa.Table], DriftResult],
    timestamp_column: str | None = None,
) -> Calibration:
    """The calibration of `reference` in exact mode: `check(rest, chunk)` is the drift check
    the window will get (same columns, kinds, method)."""
    order = ordering_column(reference.column_names, timestamp_column, window)
    chunks = reference_chunks(reference, window, order)

    def score(i: int) -> dict[str, tuple[str, float]]:
        rest = pa.concat_tables([c for j, c in enumerate(chunks) if j != i])
        return scores_of(check(rest, chunks[i]))

    return calibrate(window, "exact", len(chunks), score)


def apply_calibration(
    result: DriftResult,
    calibration: Calibration | None,
    quantile: float,
    user_thresholds: Iterable[str] = (),
    missing: str = "no calibration",
) -> DriftResult:
    """`result` with each column judged against its calibrated threshold, and the report
    stating per column where its threshold came from (and `thresholds` "calibrated" when
    at least one column's is). Columns in `user_thresholds` (a
    threshold the user set) keep it; without `calibration`, every column keeps its fixed
    threshold, and `missing` says why."""
    user = set(user_thresholds)
    columns = [_judged(c, calibration, quantile, c.name in user, missing) for c in result.columns]
    calibrated = any(c.threshold_origin == CALIBRATED for c in columns)
    return result.model_copy(
        update={"columns": columns, "thresholds": CALIBRATED if calibrated else FIXED}
    )


def _judged(
    column: ColumnDrift,
    calibration: Calibration | None,
    quantile: float,
    user_set: bool,
    missing: str,
) -> ColumnDrift:
    found = calibration.columns.get(column.name) if calibration else None
    reason = _fallback(column, calibration, found, user_set, missing)
    info = ThresholdCalibration(
        quantile=quantile,
        window=calibration.window if calibration else None,
        chunks=found.chunks if found else (calibration.chunks if calibration else 0),
        fixed_threshold=column.threshold,
        fallback=reason,
    )
    if reason is not None:
        return column.model_copy(update={"calibration": info})
    assert found is not None
    limit = found.threshold(quantile, column.threshold)
    return column.model_copy(
        update={
            "threshold": limit,
            "drift_detected": get_method(column.method).is_drift(column.score, limit),
            "threshold_origin": CALIBRATED,
            "calibration": info,
        }
    )


def _fallback(
    column: ColumnDrift,
    calibration: Calibration | None,
    found: ColumnCalibration | None,
    user_set: bool,
    missing: str,
) -> str | None:
    """Why `column` keeps its fixed threshold, or None when the calibration applies."""
    if user_set:
        return "threshold set by the user"
    if calibration is None:
        return missing
    chunks = found.chunks if found else calibration.chunks
    if chunks < MIN_CHUNKS:
        return (
            f"{chunks} chunk(s) of {calibration.window} scored, fewer than {MIN_CHUNKS}: a "
            "longer reference or a shorter window calibrates"
        )
    if found is None:
        return "column not in the calibration"
    if found.method != column.method:
        return f"calibrated for {found.method}, checked with {column.method}"
    return None


def explicit_thresholds(
    threshold: float | Mapping[str, float] | None, names: Sequence[str]
) -> list[str]:
    """The columns among `names` whose threshold the user set (one value sets all)."""
    if threshold is None:
        return []
    if not isinstance(threshold, Mapping):
        return list(names)
    if ALL_COLUMNS in threshold:
        return list(names)
    return [n for n in names if n in threshold]


def calibrate_profile(
    profile: DatasetProfile,
    reference: pa.Table,
    window: str,
    check: Callable[[DatasetProfile, DatasetProfile], DriftResult],
    timestamp_column: str | None = None,
) -> Calibration:
    """The calibration of `reference` (the rows `profile` summarizes) in profile mode: each
    chunk is profiled like `profile`, and `check(rest, chunk)`, the drift check of profile
    mode, scores it against the merged profiles of the other chunks."""
    from driftline.profile import merge_profiles, profile_batches

    chunks = reference_chunks(reference, window, timestamp_column)
    names = [n for n in profile.columns if n in reference.column_names]
    kinds = {n: profile.columns[n].kind for n in names}
    options = asdict(profile.options)
    parts = [
        profile_batches(
            c.select(names).to_batches(), kinds, schema=c.select(names).schema, **options
        )
        for c in chunks
    ]
    before: list[DatasetProfile | None] = [None]  # merged profile of the chunks before i
    for part in parts[:-1]:
        before.append(part if before[-1] is None else merge_profiles(before[-1], part))
    after: list[DatasetProfile | None] = [None]  # ... and after i (built from the end)
    for part in reversed(parts[1:]):
        after.append(part if after[-1] is None else merge_profiles(part, after[-1]))
    after.reverse()

    def score(i: int) -> dict[str, tuple[str, float]]:
        sides = [p for p in (before[i], after[i]) if p is not None]
        rest = sides[0] if len(sides) == 1 else merge_profiles(sides[0], sides[1])
        return scores_of(check(rest, parts[i]))

    return calibrate(window, "profile", len(chunks), score)


def window_text(start: datetime | None, end: datetime | None) -> str | None:
    """The monitoring window [start, end) as a calibration window ("1d", "6h", "90m", "45s"),
    None unless both bounds are given."""
    if start is None or end is None or end <= start:
        return None
    seconds = int((end - start).total_seconds())
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
