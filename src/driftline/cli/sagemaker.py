"""`driftline sagemaker ...`: Model Monitor files both ways, captures, the job, endpoint setup."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from driftline.cli.app import main
from driftline.cli.options import split_names


@main.group("sagemaker")
def sagemaker() -> None:
    """SageMaker: Data Capture, Model Monitor baselines and violations, monitoring setup."""


@sagemaker.command("import-baseline")
@click.argument("statistics")
@click.option("--constraints", default=None, help="constraints.json (default: infer them).")
@click.option("--out", "out_profile", required=True, type=Path, help="driftline profile JSON.")
@click.option("--constraints-out", type=Path, default=None, help="driftline constraints file.")
def import_command(
    statistics: str, constraints: str | None, out_profile: Path, constraints_out: Path | None
) -> None:
    """Turn a Model Monitor STATISTICS (+ constraints.json) into a driftline baseline."""
    from driftline.platforms.sagemaker.baseline import import_baseline

    profile, _ = import_baseline(statistics, constraints, out_profile, constraints_out)
    click.echo(
        f"imported {len(profile.columns)} columns, {profile.row_count} rows -> {out_profile}"
    )


@sagemaker.command("export-baseline")
@click.argument("profile")
@click.option("--out", "out_dir", required=True, type=Path, help="Folder for the two files.")
@click.option("--constraints", default=None, help="driftline constraints overrides (YAML/JSON).")
@click.option("--drift-method", default="auto", help="Drift method the job uses (default auto).")
@click.option("--drift-threshold", type=float, default=None, help="Threshold for every column.")
@click.option("--drift-share", type=float, default=0.5, help="Share of drifted columns (0.5).")
def export_command(
    profile: str,
    out_dir: Path,
    constraints: str | None,
    drift_method: str,
    drift_threshold: float | None,
    drift_share: float,
) -> None:
    """Write a driftline PROFILE as Model Monitor statistics.json and constraints.json."""
    from driftline.platforms.sagemaker.baseline import export_baseline
    from driftline.platforms.sagemaker.constraints import DriftSettings

    drift = DriftSettings(method=drift_method, threshold=drift_threshold, drift_share=drift_share)
    for path in export_baseline(profile, out_dir, constraints_path=constraints, drift=drift):
        click.echo(f"wrote {path}")


@sagemaker.command("violations")
@click.option("--validation-report", default=None, help="validation_report.json")
@click.option("--drift-report", default=None, help="drift_report.json")
@click.option("--window-profile", default=None, help="The window's profile (data type shares).")
@click.option("--out", required=True, type=Path, help="File or folder for the violations file.")
def violations_command(
    validation_report: str | None, drift_report: str | None, window_profile: str | None, out: Path
) -> None:
    """Write driftline reports as a Model Monitor constraint_violations.json."""
    from driftline.platforms.sagemaker.baseline import export_violations

    path, count = export_violations(
        out,
        validation_report=validation_report,
        drift_report=drift_report,
        window_profile=window_profile,
    )
    click.echo(f"{count} violation(s) -> {path}")


@sagemaker.command("capture")
@click.argument("source")
@click.option("--out", required=True, type=Path, help="Parquet file for the rows.")
@click.option("--start", type=click.DateTime(), default=None, help="Window start (UTC).")
@click.option("--end", type=click.DateTime(), default=None, help="Window end (UTC, exclusive).")
@click.option("--header", default=None, help="Comma-separated names of the input values.")
@click.option("--outputs", default=None, help="Comma-separated names of the output values.")
def capture_command(
    source: str,
    out: Path,
    start: datetime | None,
    end: datetime | None,
    header: str | None,
    outputs: str | None,
) -> None:
    """Read Data Capture under SOURCE (the window's hour folders only) into a Parquet table."""
    import pyarrow.parquet as pq

    from driftline.io import as_utc
    from driftline.io.sagemaker_capture import CaptureOptions, read_capture_table
    from driftline.storage import atomic_output

    options = CaptureOptions(
        features=tuple(split_names(header) or ()), predictions=tuple(split_names(outputs) or ())
    )
    lower = as_utc(start, "start") if start else None
    upper = as_utc(end, "end") if end else None
    table, report = read_capture_table(source, lower, upper, options=options)
    with atomic_output(out) as tmp:
        pq.write_table(table, tmp)
    click.echo(f"{report.summary()} -> {out}")
    for reason, count in report.reasons.items():
        click.echo(f"  {count} record(s): {reason}")


@sagemaker.command("monitor-job")
def monitor_job_command() -> None:
    """Run a Model Monitor job from the container contract's environment variables."""
    from driftline.platforms.sagemaker.container import main as job

    raise SystemExit(job())


@sagemaker.command("setup")
@click.argument("endpoint")
@click.option("--image", "image_uri", required=True, help="driftline's image in your registry.")
@click.option("--role", "role_arn", required=True, help="IAM role the monitoring job runs as.")
@click.option("--capture-uri", required=True, help="s3:// prefix for Data Capture.")
@click.option("--output-uri", required=True, help="s3:// prefix for monitoring results.")
@click.option("--statistics-uri", default="", help="Baseline statistics.json (s3://).")
@click.option("--constraints-uri", default="", help="Baseline constraints.json (s3://).")
@click.option("--schedule", "schedule_expression", default="cron(0 * ? * * *)", help="Hourly.")
@click.option("--sampling", "sampling_percentage", type=int, default=100, help="Capture %.")
def setup_command(
    endpoint: str,
    image_uri: str,
    role_arn: str,
    capture_uri: str,
    output_uri: str,
    statistics_uri: str,
    constraints_uri: str,
    schedule_expression: str,
    sampling_percentage: int,
) -> None:
    """Monitor ENDPOINT with driftline: Data Capture, job definition, schedule (idempotent)."""
    from driftline.platforms.sagemaker import setup

    settings = setup.MonitorSettings(
        image_uri=image_uri,
        role_arn=role_arn,
        capture_uri=capture_uri,
        output_uri=output_uri,
        schedule_expression=schedule_expression,
        sampling_percentage=sampling_percentage,
    )
    sm = setup.client("sagemaker")
    capture = setup.enable_data_capture(sm, endpoint, settings)
    request = setup.job_definition(
        endpoint, settings, statistics_uri=statistics_uri, constraints_uri=constraints_uri
    )
    job = setup.ensure_job_definition(sm, endpoint, request)
    schedule = setup.ensure_schedule(sm, endpoint, job["job_definition"], settings)
    click.echo(json.dumps({"capture": capture, "job": job, "schedule": schedule}))


@sagemaker.command("register-events")
@click.option("--url", required=True, help="The receiver's URL, e.g. https://HOST/eventbridge.")
@click.option("--role", "role_arn", required=True, help="IAM role EventBridge invokes it as.")
@click.option("--name", default="driftline-model-packages", show_default=True)
def register_events_command(url: str, role_arn: str, name: str) -> None:
    """Send "SageMaker Model Package State Change" events to the receiver at --url.

    Creates or updates an EventBridge rule, a connection carrying the receiver's token (from
    $DRIFTLINE_EVENTBRIDGE_TOKEN, never a flag), an API destination and the rule's target.
    """
    import os

    from driftline.platforms.sagemaker.eventbridge import register_receiver
    from driftline.platforms.sagemaker.registry import TOKEN_ENV

    token = os.environ.get(TOKEN_ENV, "")
    if not token:
        from driftline.errors import InputError

        raise InputError(f"set {TOKEN_ENV} to the receiver's token", param="token")
    click.echo(json.dumps(register_receiver(url, token, role_arn, name=name)))
