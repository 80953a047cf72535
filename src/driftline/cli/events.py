"""`driftline events serve` (the one receiver) and `driftline mlflow ...` (registry commands)."""

from __future__ import annotations

import contextlib
import json
import logging

import click

from driftline.cli.app import main

STORE_HELP = "The MLflow tracking server as a store URI: mlflow+https://HOST (or mlflow+http)."


@main.group("events")
def events() -> None:
    """Receive registry events (MLflow webhooks, SageMaker via EventBridge); set up monitoring."""


@events.command("serve")
@click.option("--config", "config_path", required=True, help="Receiver config YAML (see docs).")
@click.option(
    "--journal",
    required=True,
    help="Folder journaling accepted deliveries (a volume: a restart resumes from it).",
)
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option("--port", type=int, default=8080, show_default=True)
def serve(config_path: str, journal: str, host: str, port: int) -> None:
    """Serve POST /mlflow, POST /eventbridge and GET /healthz until interrupted.

    Secrets come from the environment only: DRIFTLINE_MLFLOW_WEBHOOK_SECRET (the webhook's
    HMAC secret) and DRIFTLINE_EVENTBRIDGE_TOKEN (the EventBridge connection's API key).
    """
    import threading

    from driftline.events.config import load_config
    from driftline.events.journal import Journal
    from driftline.events.server import Receiver, routes

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    config = load_config(config_path)
    with Receiver(config, Journal(journal), host, port) as receiver:
        click.echo(f"driftline events receiver on {receiver.url} ({routes(config)})")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


@main.group("mlflow")
def mlflow() -> None:
    """MLflow Model Registry: monitoring targets and the webhook that sets monitoring up."""


@mlflow.command("targets")
@click.option("--store", required=True, help=STORE_HELP)
@click.option("--alias", default="champion", show_default=True, help="The monitored alias.")
@click.option("--model", default=None, help="Only this registered model.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def targets(store: str, alias: str, model: str | None, as_json: bool) -> None:
    """List the model versions carrying --alias: URI, source run, training data, monitoring."""
    from driftline.lineage.mlflow.client import connect
    from driftline.lineage.store_uri import parse_store_uri
    from driftline.platforms.mlflow.monitoring import list_targets

    location = parse_store_uri(store)
    found = list_targets(connect(location.path), location.display(), alias, model)
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    if not found:
        click.echo(f"no registered model has the alias {alias!r}")
    for row in found:
        monitoring = (
            row.get("monitoring") and f"recurring run {row['monitoring']}"
        ) or "not set up"
        detail = row.get("error") or (
            f"run {row['source_run']}, dataset {row['dataset'] or 'none'}, monitoring {monitoring}"
        )
        click.echo(f"{row['uri']} (@{alias}): {detail}")


@mlflow.command("register-webhook")
@click.option("--store", required=True, help=STORE_HELP)
@click.option("--url", required=True, help="The receiver's URL, e.g. https://HOST/mlflow.")
@click.option("--name", default="driftline", show_default=True, help="The webhook's name.")
def register_webhook_command(store: str, url: str, name: str) -> None:
    """Create or update the registry webhook sending alias and version events to --url.

    Its HMAC secret comes from $DRIFTLINE_MLFLOW_WEBHOOK_SECRET, never a flag.
    """
    import os

    from driftline.lineage.mlflow.client import connect, translated
    from driftline.lineage.store_uri import parse_store_uri
    from driftline.platforms.mlflow.webhooks import SECRET_ENV, register_webhook

    location = parse_store_uri(store)
    with translated(location.display(), f"webhook {name!r}"):
        done = register_webhook(
            connect(location.path), url, os.environ.get(SECRET_ENV, ""), name=name
        )
    click.echo(json.dumps(done))
