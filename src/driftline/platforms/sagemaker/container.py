"""driftline as a Model Monitor bring-your-own-container job: `-m driftline.platforms.sagemaker`.

The job reads the window's data from `dataset_source`, the baseline from
`baseline_statistics` / `baseline_constraints`, validates and drift-checks the window with
driftline's engines, and writes to `output_path`: `statistics.json` (the window),
`constraint_violations.json` (Model Monitor's check types), and driftline's own
`driftline/validation_report.json` and `driftline/drift_report.json`. Without a baseline it
is a baselining job: `statistics.json` and `constraints.json` suggested from the data.
With `publish_cloudwatch_metrics: Enabled` (and `emit_metrics` on) it writes metric lines to
`/opt/ml/output/metrics/cloudwatch`.

Exit codes (the processing-job contract: 0 completes the job, anything else fails it, and the
first KiB of `/opt/ml/output/message` becomes its ExitMessage): 0 with or without
violations (the message starts `Completed` or `CompletedWithViolations`), 2 for bad input,
1 for any other error, each with the one `error:` line in the message file and on stderr.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from driftline.errors import DataSourceError, DriftlineError
from driftline.exits import EXIT_OK, error_line, exit_code
from driftline.io import read_table
from driftline.io.sagemaker_capture import (
    EVENT_ID,
    INFERENCE_ID,
    INFERENCE_TIME,
    CaptureOptions,
    read_capture_table,
)
from driftline.platforms.sagemaker import cloudwatch
from driftline.platforms.sagemaker.constraints import (
    DriftSettings,
    ImportedConstraints,
    load_constraints_file,
    to_constraints,
)
from driftline.platforms.sagemaker.contract import ML_OUTPUT, MonitoringJob, read_environment
from driftline.platforms.sagemaker.files import write_all
from driftline.platforms.sagemaker.statistics import load_statistics, to_statistics
from driftline.platforms.sagemaker.violations import VIOLATIONS_FILE, to_violations
from driftline.profile import DatasetProfile, profile_batches
from driftline.report import DriftReport
from driftline.validation import infer_constraints, validate_profile
from driftline.validation.run import window_kinds

META_COLUMNS = (EVENT_ID, INFERENCE_TIME, INFERENCE_ID)


@dataclass
class JobOutcome:
    """What a monitoring job found and wrote."""

    rows: int
    violations: list[dict[str, str]]
    files: list[Path]
    message: str


def read_window(job: MonitoringJob, baseline: DatasetProfile | None) -> tuple[pa.Table, str]:
    """The window's rows (capture metadata columns dropped) and a line on what was read."""
    source = str(job.dataset_source)
    names = job.header or (tuple(baseline.columns) if baseline else ())
    if job.dataset_format.kind == "csv" and not job.dataset_format.header:
        table = _headerless_csv(job.dataset_source, names)
        return table, f"{table.num_rows} row(s) of headerless csv"
    if job.dataset_format.kind != "sagemakerCaptureJson":
        fmt = {"csv": "csv", "json": "jsonl", "parquet": "parquet"}[job.dataset_format.kind]
        table = read_table(source, format=fmt)
        return table, f"{table.num_rows} row(s) of {fmt}"
    options = CaptureOptions(features=names, sides=job.dataset_format.sides)
    table, report = read_capture_table(source, job.start_time, job.end_time, options=options)
    # The model's outputs are checked when the baseline has them; a baseline of the inputs
    # alone (Model Monitor's usual one) does not make them extra columns.
    outputs = set(report.output_columns) - set(
        baseline.columns if baseline else report.output_columns
    )
    keep = [c for c in table.column_names if c not in META_COLUMNS and c not in outputs]
    return table.select(keep), report.summary()


def _headerless_csv(folder: Path, names: tuple[str, ...]) -> pa.Table:
    """CSV files without a header row (a batch job's `{"csv": {"header": false}}`), columns
    named like captures: by `names` in order, else `_c0`, `_c1`, ..."""
    import pyarrow.csv as pacsv

    files = (
        [folder] if folder.is_file() else sorted(p for p in folder.rglob("*.csv*") if p.is_file())
    )
    if not files:
        raise DataSourceError(f"no CSV files in `dataset_source` {folder}", param="dataset_source")
    try:
        tables = [
            pacsv.read_csv(f, read_options=pacsv.ReadOptions(autogenerate_column_names=True))
            for f in files
        ]
        table = pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowException, OSError) as exc:
        raise DataSourceError(
            f"cannot read CSV in {folder}: {exc}", param="dataset_source"
        ) from exc
    if len(names) < table.num_columns:
        names = names + tuple(f"_c{i}" for i in range(len(names), table.num_columns))
    return table.rename_columns(list(names[: table.num_columns]))


def run_job(job: MonitoringJob, ml_output: Path = ML_OUTPUT) -> JobOutcome:
    """Run one monitoring (or baselining) job; raises a driftline error on bad input."""
    baseline = load_statistics(job.baseline_statistics) if job.baseline_statistics else None
    imported = load_constraints_file(job.baseline_constraints) if job.baseline_constraints else None
    table, read_line = read_window(job, baseline)
    options = vars(baseline.options) if baseline else {}
    if imported is None and baseline is not None:
        imported = ImportedConstraints(infer_constraints(baseline, expected_rows=0))
    kinds = None  # Model Monitor's files: each column's kind is what its values are
    if imported is not None and imported.written_by_driftline:
        kinds = window_kinds(imported.constraints, table.schema)  # as monitor_window does
    window = profile_batches(table.to_batches(), kinds, schema=table.schema, **options)
    out = job.output_path
    documents: dict[Path, Any] = {out / "statistics.json": to_statistics(window)}
    if baseline is None or imported is None:  # a baselining job
        suggested = infer_constraints(window, expected_rows=0)
        documents[out / "constraints.json"] = to_constraints(suggested, window)
        written = write_all(documents)
        return JobOutcome(window.row_count, [], written, f"Completed: {read_line}; baseline")
    validation = validate_profile(imported.constraints, window)
    drift = _drift(baseline, table, imported.drift) if table.num_rows else None
    violations: list[dict[str, str]] = []
    if imported.config.evaluate_constraints:
        document = to_violations(validation, drift, window=window, config=imported.config)
        violations = document["violations"]
        documents[out / VIOLATIONS_FILE] = document
    documents[out / "driftline" / "validation_report.json"] = validation.to_dict()
    if drift is not None:
        documents[out / "driftline" / "drift_report.json"] = drift.to_dict()
    lines = None
    if job.publish_cloudwatch_metrics and imported.config.emit_metrics:
        lines = cloudwatch.metric_lines(
            window,
            validation,
            drift,
            timestamp=job.metric_time,
            endpoint=job.endpoint_name,
            schedule=job.schedule_name,
        )
    written = write_all(documents)  # every result is computed before the first file is written
    if lines is not None:
        written.append(cloudwatch.write_metric_lines(lines, ml_output / "metrics" / "cloudwatch"))
    status = "CompletedWithViolations" if violations else "Completed"
    message = f"{status}: {len(violations)} violation(s); {read_line}"
    return JobOutcome(window.row_count, violations, written, message)


def _drift(
    baseline: DatasetProfile, table: pa.Table, settings: DriftSettings
) -> DriftReport | None:
    from driftline.drift import check_drift

    columns = [c for c in baseline.columns if c in table.column_names]
    if not settings.enabled or not columns or baseline.row_count < 2:
        return None
    return check_drift(
        baseline,
        table,
        columns=columns,
        method=settings.method,
        threshold=settings.threshold,
        drift_share=settings.drift_share,
    )


def _message(ml_output: Path, text: str) -> None:
    from driftline.errors import OutputError
    from driftline.storage import write_text

    try:
        write_text(ml_output / "message", text[:1024])
    except OutputError as exc:  # the message is a courtesy: the exit code decides the job
        print(f"warning: cannot write {ml_output / 'message'}: {exc}", file=sys.stderr)


def main(env: Mapping[str, str] | None = None, ml_output: Path | None = None) -> int:
    """Run the job the environment describes; the exit code follows the processing contract."""
    env = os.environ if env is None else env
    root = ml_output or Path(env.get("DRIFTLINE_ML_OUTPUT", str(ML_OUTPUT)))
    try:
        outcome = run_job(read_environment(env), root)
    except DriftlineError as exc:
        line = error_line(exc)
        print(line, file=sys.stderr, flush=True)
        _message(root, line)
        return exit_code(exc)
    print(outcome.message, flush=True)
    _message(root, outcome.message)
    return EXIT_OK


__all__ = ["JobOutcome", "main", "read_window", "run_job"]
