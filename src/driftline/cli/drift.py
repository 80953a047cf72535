"""`driftline drift`: check a current window for drift against reference data or a profile."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from driftline.cli.app import EXIT_DRIFT, main
from driftline.cli.options import shows_progress, split_names
from driftline.errors import InputError


def _floats(values: dict[str, str]) -> dict[str, float]:
    parsed = {}
    for column, value in values.items():
        try:
            parsed[column] = float(value)
        except ValueError:
            raise InputError(
                f"`threshold` {value!r} is not a number (use VALUE or COLUMN=VALUE)",
                param="threshold",
            ) from None
    return parsed


@main.command()
@click.option("--reference", metavar="DATA", help="Reference data (exact mode).")
@click.option(
    "--reference-profile", metavar="PROFILE", help="Reference profile.json (profile mode)."
)
@click.option("--current", metavar="DATA", required=True, help="Current window data.")
@click.option("--out", "out_dir", metavar="DIR", required=True, help="Output directory.")
@click.option(
    "--method",
    multiple=True,
    metavar="[COLUMN=]NAME",
    help="Drift method for all columns, or COLUMN=NAME for one (repeatable); default auto "
    "(driftline's policy); evidently makes Evidently 0.7's choice.",
)
@click.option(
    "--threshold",
    multiple=True,
    metavar="[COLUMN=]VALUE",
    help="Threshold for all columns, or COLUMN=VALUE for one (repeatable); default per method.",
)
@click.option(
    "--thresholds",
    type=click.Choice(["auto", "fixed", "calibrated"]),
    default="auto",
    show_default=True,
    help="fixed: each method's default (or --threshold); calibrated: a quantile of each "
    "column's score on chunks of the reference; auto: calibrated when the reference profile "
    "holds a calibration (profile --calibration-window).",
)
@click.option(
    "--threshold-quantile",
    type=float,
    default=0.95,
    show_default=True,
    help="Calibrated thresholds: this quantile of distances (1 - it of p-values).",
)
@click.option(
    "--calibration-window",
    metavar="WINDOW",
    help="Exact mode calibration chunk: rows (500) or a period on --timestamp-column (1d); "
    "default: --start/--end's length, else the current window's rows.",
)
@click.option(
    "--columns", metavar="A,B,...", help="Comma-separated columns to check (default: all)."
)
@click.option(
    "--drift-share",
    type=float,
    default=0.5,
    show_default=True,
    help="Dataset drifts when this share of columns drifts.",
)
@click.option("--prediction-column", help="The model's prediction column (reported on its own).")
@click.option("--timestamp-column", help="Timestamp column for --start/--end (not checked).")
@click.option("--start", type=click.DateTime(), help="Window start (inclusive).")
@click.option("--end", type=click.DateTime(), help="Window end (exclusive).")
@click.option("--format", "format_", help="Data format: parquet, csv or jsonl (default: suffix).")
@click.option(
    "--multivariate",
    metavar="METHOD,...",
    help="Also run dataset-level methods on all columns together: classifier (domain "
    "classifier), pca (reconstruction error), or classifier,pca. Exact mode only.",
)
@click.option("--fail-on-drift", is_flag=True, help="Exit 3 when the dataset drifts.")
@shows_progress
def drift(
    reference: str | None,
    reference_profile: str | None,
    current: str,
    out_dir: str,
    method: tuple[str, ...],
    threshold: tuple[str, ...],
    thresholds: str,
    threshold_quantile: float,
    calibration_window: str | None,
    columns: str | None,
    drift_share: float,
    prediction_column: str | None,
    timestamp_column: str | None,
    start: datetime | None,
    end: datetime | None,
    format_: str | None,
    multivariate: str | None,
    fail_on_drift: bool,
) -> None:
    """Check the current window for drift; writes DIR/drift_report.json and .html.

    Exit codes: 0 ran (drift or not), 2 bad input, 1 internal error, 3 drift with
    --fail-on-drift.
    """
    from driftline.drift.options import parse_assignments
    from driftline.drift.run import run_drift

    methods = parse_assignments(method, "method")
    limits = _floats(parse_assignments(threshold, "threshold"))
    result = run_drift(
        current=current,
        out_dir=out_dir,
        reference=reference,
        reference_profile=reference_profile,
        columns=split_names(columns),
        method=methods or "auto",
        threshold=limits or None,
        thresholds=thresholds,
        threshold_quantile=threshold_quantile,
        calibration_window=calibration_window,
        drift_share=drift_share,
        prediction_column=prediction_column,
        timestamp_column=timestamp_column,
        start=start,
        end=end,
        format=format_,
        multivariate=multivariate,
    )
    click.echo(
        f"{'drift' if result.drift_detected else 'no drift'}: "
        f"{result.number_of_drifted_columns}/{len(result.columns)} columns drifted "
        f"(share {result.drift_share:.2f}, threshold {result.drift_share_threshold:g}; "
        f"{result.thresholds} thresholds); report in {out_dir}"
    )
    for found in result.multivariate:
        click.echo(
            f"multivariate {found.method}: {found.status} (score {found.score:.4f}, threshold "
            f"{found.threshold:.4f}; top columns: {', '.join(found.top_features)})"
        )
    if fail_on_drift and result.drift_detected:
        sys.exit(EXIT_DRIFT)
