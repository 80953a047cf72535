"""`driftline performance`: model quality per time window once late labels arrive."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from driftline import storage
from driftline.cli.app import EXIT_DRIFT, main
from driftline.cli.options import shows_progress, split_names
from driftline.errors import InputError


def _baseline(path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(metrics, recorded estimators) of a baseline file.

    The file is `{metric: value}`, a document with such a `metrics` object (e.g. a report's
    `overall` block) and optionally a `calibration` and a `loss_model`, or a performance
    report computed with `--reference`, whose `baseline`, `calibration` and `loss_model` it
    reuses (no refit). The estimators come back as run options.
    """
    text = storage.read_text(path, what="baseline")
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise InputError(f"cannot read baseline {path}: {exc}", param="baseline") from None
    if not isinstance(document, dict):
        return document, {}
    recorded = {k: document[k] for k in ("calibration", "loss_model") if document.get(k)}
    if document.get("kind") == "performance" and isinstance(document.get("baseline"), dict):
        return document["baseline"], recorded
    if isinstance(document.get("metrics"), dict):
        return document["metrics"], recorded
    return document, {}


@main.command()
@click.option("--predictions", required=True, help="Predictions: Parquet/CSV/JSON lines path.")
@click.option("--labels", default=None, help="Labels (id, label[, time]); omit if in predictions.")
@click.option("--id-column", default="id", show_default=True)
@click.option("--timestamp-column", default="timestamp", show_default=True)
@click.option("--prediction-column", default="prediction", show_default=True)
@click.option("--label-column", default="label", show_default=True)
@click.option("--label-timestamp-column", default=None, help="Latest label per id wins.")
@click.option(
    "--task",
    type=click.Choice(["classification", "regression"]),
    default="classification",
    show_default=True,
)
@click.option(
    "--window",
    default="1d",
    show_default=True,
    help="Window: calendar 1d, 1w (ISO), 1mo, 3mo/1q, 1y; or fixed 30m, 1h.",
)
@click.option("--timezone", default="UTC", show_default=True, help="Timezone of calendar windows.")
@click.option("--score-columns", default=None, help="Class probabilities, comma-separated.")
@click.option("--segment-columns", default=None, help="Report metrics per value of these.")
@click.option(
    "--feature-columns",
    default=None,
    help="Regression: model inputs that feed the loss estimate (DLE) fit on --reference.",
)
@click.option("--classes", default=None, help="Classes known at training time, in score order.")
@click.option(
    "--label-map",
    default=None,
    help="Rename label values to prediction classes, e.g. yes=1,no=0.",
)
@click.option("--positive-label", default=None, help="Positive class of a binary task.")
@click.option("--baseline", "baseline_file", default=None, help="JSON file: metric -> value.")
@click.option("--reference", default=None, help="Labelled reference set to compute a baseline.")
@click.option("--min-labelled-rows", default=100, show_default=True, type=int)
@click.option("--degradation-threshold", default=0.1, show_default=True, type=float)
@click.option(
    "--degradation-mode",
    type=click.Choice(["relative", "absolute"]),
    default="relative",
    show_default=True,
)
@click.option("--degradation-metrics", default=None, help="Metrics to judge (default: baseline's).")
@click.option(
    "--duplicate-labels",
    type=click.Choice(["latest", "error"]),
    default="latest",
    show_default=True,
)
@click.option("--no-estimate", is_flag=True, help="Skip estimates (CBPE, DLE) before labels.")
@click.option(
    "--calibration-method",
    type=click.Choice(["isotonic", "none"]),
    default="isotonic",
    show_default=True,
    help="How --reference calibrates the scores before estimating.",
)
@click.option("--format", "format", default=None, help="parquet, csv or jsonl (default: suffix).")
@click.option("--out", "out_dir", required=True, help="Output directory.")
@click.option(
    "--fail-on-degradation",
    is_flag=True,
    help="Exit 3 when a window degraded or held non-finite values.",
)
@click.option(
    "--include-estimated",
    is_flag=True,
    help="--fail-on-degradation also fails on an estimated degradation (no labels yet).",
)
@shows_progress
def performance(
    predictions: str,
    labels: str | None,
    baseline_file: str | None,
    out_dir: str,
    fail_on_degradation: bool,
    include_estimated: bool,
    no_estimate: bool,
    **options: Any,
) -> None:
    """Metrics per time window of predictions joined with late labels, vs a baseline.

    Writes OUT/performance_report.json and OUT/performance_report.html.
    """
    from driftline.performance import run_performance

    for name in (
        "score_columns",
        "segment_columns",
        "feature_columns",
        "classes",
        "degradation_metrics",
    ):
        options[name] = split_names(options[name])
    options = {k: v for k, v in options.items() if v is not None}
    if baseline_file:
        options["baseline"], recorded = _baseline(baseline_file)
        options.update(recorded)
    result = run_performance(predictions, labels, out_dir, estimate=not no_estimate, **options)
    document = result.document
    click.echo(
        f"{len(document['windows'])} windows, {document['overall']['labelled_rows']} labelled "
        f"rows, degraded windows: {', '.join(document['degraded_windows']) or 'none'}; "
        f"report: {result.json_path}"
    )
    if result.invalid_windows:
        click.echo(
            f"warning: windows {', '.join(result.invalid_windows)} held non-finite predictions "
            f"or labels ({document['overall']['non_finite_rows']} rows, left out of the "
            f"metrics); they count as failed under --fail-on-degradation",
            err=True,
        )
    if result.estimated_degraded_windows:
        click.echo(
            f"estimated degradation (labels not in yet) in windows "
            f"{', '.join(result.estimated_degraded_windows)}"
        )
    estimated = include_estimated and bool(result.estimated_degraded_windows)
    if fail_on_degradation and (result.degraded or result.invalid_windows or estimated):
        sys.exit(EXIT_DRIFT)
