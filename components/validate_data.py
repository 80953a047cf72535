"""Component: validate a data window against a baseline profile."""

from kfp import dsl
from kfp.dsl import HTML, Artifact, Dataset, Input, Metrics, Output

from driftline.components.image import IMAGE


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def validate_data(
    window: Input[Dataset],
    baseline_profile: Input[Artifact],
    report: Output[Artifact],
    report_html: Output[HTML],
    metrics: Output[Metrics],
    constraints_path: str = "",
    data_format: str = "",
    columns: list = [],  # noqa: B006  KFP takes the default from the signature
    expected_rows: int = -1,
) -> bool:
    """Check a window against constraints inferred from the baseline profile.

    Checks column presence, extra columns, kinds/types, completeness, numeric ranges,
    categorical domains and row counts. A constraints file (YAML or JSON) overrides
    the inferred constraints.

    Args:
        window: The production window (Parquet from load_window, or any table).
        baseline_profile: The baseline profile from profile_baseline.
        constraints_path: Path of a constraints file overriding the inferred ones; empty for none.
        data_format: parquet, csv or jsonl; empty detects it from the file name.
        columns: Window columns to check (e.g. features and prediction); empty checks all,
            reporting columns the baseline lacks as extra.
        expected_rows: Rows a window should hold (within 50%); 0 checks only that it is not
            empty; negative expects the baseline's own row count.

    Returns:
        report: validation_report.json (status, violations); metadata: status and counts.
        report_html: The same report as a self-contained HTML page.
        metrics: Violation counts (errors, warnings) and rows.
        Output: True when no error-severity violation was found (status ok or warning).
    """
    from driftline.exits import exit_on_error
    from driftline.report import ReportPaths
    from driftline.validation import run_validation

    with exit_on_error():
        result = run_validation(
            baseline_profile.path,
            window.path,
            ReportPaths(json=report.path, html=report_html.path),
            constraints_path or None,
            format=data_format or None,
            columns=columns or None,
            expected_rows=expected_rows if expected_rows >= 0 else None,
        )
        document = result.to_dict()
        report.metadata.update(
            {"kind": "validation", "status": result.status, **document["counts"]}
        )
        metrics.log_metric("validation_errors", document["counts"]["error"])
        metrics.log_metric("validation_warnings", document["counts"]["warning"])
        metrics.log_metric("rows", document["rows"])
        return result.status != "fail"
