"""Component: validate a data window against a baseline profile."""

from typing import NamedTuple, Optional

from kfp.dsl import HTML, Artifact, Dataset, Input, Metrics, Output

from driftline.components._declare import component


@component
def validate_data(
    window: Input[Dataset],
    baseline_profile: Input[Artifact],
    report: Output[Artifact],
    report_html: Output[HTML],
    metrics: Output[Metrics],
    constraints_path: Optional[str] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    data_format: Optional[str] = None,  # noqa: UP045
    columns: Optional[list] = None,  # noqa: UP045
    expected_rows: int = 0,
) -> NamedTuple("Outputs", [("passed", bool)]):  # type: ignore[valid-type]
    """Check a window against constraints inferred from the baseline profile.

    Checks column presence, extra columns, kinds/types, completeness, numeric ranges,
    categorical domains and row counts. A constraints file (YAML or JSON) overrides
    the inferred constraints.

    Args:
        window: The production window (Parquet from load_window, or any table), or its
            profile from profile_window (then the window is not read again).
        baseline_profile: The baseline profile from profile_baseline.
        constraints_path: Path of a constraints file overriding the inferred ones.
        data_format: parquet, csv or jsonl; unset detects it from the file name.
        columns: Window columns to check (e.g. features and prediction); unset checks all,
            reporting columns the baseline lacks as extra.
        expected_rows: Rows a window should hold: validation warns outside +-50%; 0 checks
            only that the window is not empty.

    Returns:
        report: validation_report.json (status, violations); metadata: status and counts.
        report_html: The same report as a self-contained HTML page.
        metrics: Violation counts (validation_errors, validation_warnings) and rows.
        passed: True when no error-severity violation was found (status ok or warning).
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.data import validate_data_outputs

    with exit_on_error():
        return validate_data_outputs(
            window,
            baseline_profile,
            report,
            report_html,
            metrics,
            constraints_path=constraints_path,
            data_format=data_format,
            columns=columns,
            expected_rows=expected_rows,
        )
