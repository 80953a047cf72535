"""`driftline lineage show` and `driftline history`: a model's lineage and monitoring history."""

from __future__ import annotations

import json

import click

from driftline.cli.app import main

STORE_HELP = (
    "Lineage store URI: sqlite:///path/mlmd.sqlite, mysql://user@host:port/db, grpc://host:port, "
    "mlflow+https://host (MLflow tracking server) "
    "(default: $DRIFTLINE_MLMD_STORE, else the in-cluster MLMD service from "
    "$METADATA_GRPC_SERVICE_HOST/_PORT)."
)
MODEL_HELP = (
    "MLMD artifact id, artifact URI, or isvc:<InferenceService manifest or NS/NAME>; with an "
    "MLflow store models:/NAME@ALIAS, models:/NAME/VERSION or runs:/RUN_ID/PATH."
)


@main.group()
def lineage() -> None:
    """Read a model's lineage from ML Metadata or MLflow."""


@lineage.command("show")
@click.argument("model")
@click.option("--store", default="", help=STORE_HELP)
@click.option("--dataset-name", default=None, help="Input name of the baseline dataset.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a tree.")
def show(model: str, store: str, dataset_name: str | None, as_json: bool) -> None:
    """Print MODEL's lineage tree: training run, datasets, metrics, baselines, monitoring runs."""
    from driftline.lineage import open_store
    from driftline.lineage.render import lineage_tree

    lineage_store = open_store(store, read_only=True)
    try:
        found = lineage_store.resolve(model, dataset_name=dataset_name)
        runs = lineage_store.history(found.model.id or found.model.uri)
    finally:
        lineage_store.close()
    if as_json:
        document = {**found.to_dict(), "monitoring_runs": [r.to_dict() for r in runs]}
        click.echo(json.dumps(document, indent=2, default=str))
    else:
        click.echo(lineage_tree(found, runs))


@main.command()
@click.argument("model")
@click.option("--store", default="", help=STORE_HELP)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the newest N runs.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option(
    "--html",
    "html_out",
    default=None,
    metavar="OUT",
    help="Also write the history page (charts, alerts, links to each window's reports) to OUT "
    "(a path or s3://, gs://, minio:// URI).",
)
def history(model: str, store: str, limit: int | None, as_json: bool, html_out: str | None) -> None:
    """List MODEL's monitoring results over time (window, validation, drift, performance)."""
    from driftline.lineage import open_store
    from driftline.lineage.render import history_table

    lineage_store = open_store(store, read_only=True)
    try:
        runs = lineage_store.history(model, limit=limit)
        found = lineage_store.resolve(model) if html_out else None
    finally:
        lineage_store.close()
    if html_out and found is not None:
        from driftline.lineage.history_page import model_label, write_history_page

        write_history_page(html_out, model_label(found), runs)
        click.echo(f"history page: {html_out}", err=True)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in runs], indent=2))
    elif not runs:
        click.echo("no monitoring results recorded for this model")
    else:
        click.echo(history_table(runs))
