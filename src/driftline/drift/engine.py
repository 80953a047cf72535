"""check_drift: per-column drift verdicts and the dataset verdict, exact or from a profile."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import pyarrow as pa

from driftline.drift.calibration import (
    AUTO as AUTO_THRESHOLDS,
)
from driftline.drift.calibration import (
    CALIBRATED,
    DEFAULT_QUANTILE,
    FIXED,
    NO_STORED_CALIBRATION,
    apply_calibration,
    calibrate_exact,
    check_quantile,
    check_thresholds,
    explicit_thresholds,
)
from driftline.drift.columns import DEFAULT_MAX_CATEGORIES
from driftline.drift.exact import MethodOption, ThresholdOption, check_exact
from driftline.drift.multivariate import (
    parse_multivariate,
    refuse_in_profile_mode,
    with_multivariate,
)
from driftline.drift.registry import AUTO
from driftline.drift.result import DriftResult
from driftline.drift.selection import check_drift_share
from driftline.errors import EmptyDataError, InputError

if TYPE_CHECKING:
    from driftline.profile import DatasetProfile


def check_drift(
    reference: pa.Table | DatasetProfile,
    current: pa.Table | Iterable[pa.RecordBatch] | DatasetProfile,
    *,
    columns: Sequence[str] | None = None,
    kinds: Mapping[str, str] | None = None,
    method: MethodOption = AUTO,
    threshold: ThresholdOption = None,
    drift_share: float = 0.5,
    prediction_column: str | None = None,
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    exclude: Sequence[str] = (),
    thresholds: str = AUTO_THRESHOLDS,
    threshold_quantile: float = DEFAULT_QUANTILE,
    calibration_window: str | None = None,
    timestamp_column: str | None = None,
    multivariate: str | Sequence[str] | None = None,
) -> DriftResult:
    """Check every column of `current` for drift from `reference`.

    `reference` is a table (exact mode: every row) or a `DatasetProfile` (profile mode:
    `current` is streamed and binned on the profile's edges, or is already the window's
    profile from `profile_window`). `method` and `threshold` take one value for all columns
    or a mapping `column -> value` (key "*" = all others). The dataset drifts when the
    share of drifted columns is >= `drift_share`. Columns in `exclude` (e.g. the
    timestamp) are never checked when `columns` is None. In profile mode each column is
    checked as the kind the profile recorded; `kinds` may only repeat it.

    `thresholds` (docs/drift.md, "Calibrated thresholds"): "fixed" judges each column
    against its method's default (or `threshold`); "calibrated" against the
    `threshold_quantile` of its null distribution on the reference: in profile mode the one
    stored in the profile, in exact mode computed here from chunks of `reference` the size
    of `calibration_window` (a row count such as "500", or a period such as "1d" on
    `timestamp_column`; default: the current window's row count). "auto" (the default) is
    "calibrated" when the reference profile holds a calibration, else "fixed".

    `multivariate` names dataset-level methods ("classifier", "pca"; a list or a
    comma-separated string) run on the checked columns less the prediction; they need rows,
    so profile mode refuses them.
    """
    check_drift_share(drift_share)
    check_thresholds(thresholds)
    check_quantile(threshold_quantile)
    methods = parse_multivariate(multivariate)
    if timestamp_column is not None:
        exclude = [*exclude, timestamp_column]
    if not isinstance(reference, pa.Table):
        refuse_in_profile_mode(methods)
        from driftline.drift.profile_mode import check_drift_against_profile

        result = check_drift_against_profile(
            reference,
            current,
            columns=columns,
            kinds=kinds,
            method=method,
            threshold=threshold,
            drift_share=drift_share,
            prediction_column=prediction_column,
            exclude=exclude,
        )
        if thresholds == FIXED or (thresholds == AUTO_THRESHOLDS and not reference.calibration):
            return result
        return apply_calibration(
            result,
            reference.calibration,
            threshold_quantile,
            explicit_thresholds(threshold, [c.name for c in result.columns]),
            missing=NO_STORED_CALIBRATION,
        )
    table = _table(current)

    def check(ref: pa.Table, cur: pa.Table, limit: ThresholdOption = threshold) -> DriftResult:
        return check_exact(
            ref.schema,
            cur.schema,
            lambda group: (ref.select(group), cur.select(group)),
            columns=columns,
            kinds=kinds,
            method=method,
            threshold=limit,
            drift_share=drift_share,
            prediction_column=prediction_column,
            max_categories=max_categories,
            exclude=exclude,
        )

    result = check(reference, table)
    if thresholds == CALIBRATED:
        window = calibration_window or str(table.num_rows)
        calibration = calibrate_exact(
            reference, window, lambda ref, cur: check(ref, cur, None), timestamp_column
        )
        names = [c.name for c in result.columns]
        result = apply_calibration(
            result, calibration, threshold_quantile, explicit_thresholds(threshold, names)
        )
    return with_multivariate(result, reference, table, methods)


def _table(current: pa.Table | Iterable[pa.RecordBatch] | DatasetProfile) -> pa.Table:
    from driftline.profile import DatasetProfile

    if isinstance(current, pa.Table):
        return current
    if isinstance(current, DatasetProfile):
        raise InputError(
            "a window profile can only be checked against a reference profile: exact mode "
            "needs the current rows",
            param="current",
        )
    batches = list(current)
    if not batches:
        raise EmptyDataError("current window has no rows", param="current")
    return pa.Table.from_batches(batches)
