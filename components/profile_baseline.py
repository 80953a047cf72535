"""Component: profile a baseline dataset into a mergeable driftline profile."""

from typing import NamedTuple, Optional

from kfp.dsl import Artifact, Dataset, Input, Output

from driftline.components._declare import component


@component
def profile_baseline(
    dataset: Input[Dataset],
    profile: Output[Artifact],
    data_format: Optional[str] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    columns: Optional[list] = None,  # noqa: UP045
    kinds: Optional[dict] = None,  # noqa: UP045
    recorded_profile: Optional[str] = None,  # noqa: UP045
    calibration_window: Optional[str] = None,  # noqa: UP045
    timestamp_column: Optional[str] = None,  # noqa: UP045
    calibration_method: str = "auto",
) -> NamedTuple("Outputs", [("rows", int)]):  # type: ignore[valid-type]
    """Profile a baseline dataset (e.g. the training data) in one streaming pass.

    The profile (versioned JSON: per-column counts, nulls, moments, quantile sketch,
    histogram, category frequencies) is enough to validate windows and check drift
    without re-reading the baseline.

    Args:
        dataset: The baseline table: Parquet file or folder, CSV or JSON lines.
        data_format: parquet, csv or jsonl; unset detects it from the file name.
        columns: Columns to profile; unset profiles all.
        kinds: Column kind overrides, column -> numeric|categorical|boolean|datetime|text.
        recorded_profile: Path of a profile recorded earlier for this baseline (resolve_baseline's
            profile_uri); when given it is reused instead of re-reading the dataset.
        calibration_window: Store calibrated drift thresholds in the profile: the dataset
            is cut into chunks the size of the monitoring window, rows (500) or a period
            on timestamp_column (1d, 6h), each scored against the rest; unset stores none.
        timestamp_column: Orders the dataset in time for the calibration chunks.
        calibration_method: The drift method the calibration scores (check_drift's method).

    Returns:
        profile: The baseline profile JSON; metadata has kind, schema_version, rows,
            calibration_window.
        rows: The number of rows profiled.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.data import profile_baseline_outputs

    with exit_on_error():
        return profile_baseline_outputs(
            dataset,
            profile,
            data_format=data_format,
            columns=columns,
            kinds=kinds,
            recorded_profile=recorded_profile,
            calibration_window=calibration_window,
            timestamp_column=timestamp_column,
            calibration_method=calibration_method,
        )
