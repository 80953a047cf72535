"""Component: profile a production window once, for validate_data and check_drift."""

from typing import NamedTuple, Optional

from kfp.dsl import Artifact, Dataset, Input, Output

from driftline.components._declare import component


@component
def profile_window(
    window: Input[Dataset],
    baseline_profile: Input[Artifact],
    profile: Output[Artifact],
    data_format: Optional[str] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    columns: Optional[list] = None,  # noqa: UP045
) -> NamedTuple("Outputs", [("rows", int)]):  # type: ignore[valid-type]
    """Profile a window in one streaming pass, the way its baseline was profiled.

    The profile has the baseline profile's options and kinds, so validate_data (window)
    and check_drift (current) both take it instead of the window table: the window is read
    once for both checks.

    Args:
        window: The production window (Parquet from load_window, or any table).
        baseline_profile: The baseline profile from profile_baseline.
        data_format: parquet, csv or jsonl; unset detects it from the file name.
        columns: Window columns to profile; unset profiles all (validation then reports
            columns the baseline lacks as extra).

    Returns:
        profile: The window's profile JSON; metadata has kind, schema_version, rows, source.
        rows: The number of rows in the window.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.data import profile_window_outputs

    with exit_on_error():
        return profile_window_outputs(
            window, baseline_profile, profile, data_format=data_format, columns=columns
        )
