"""`driftline sink`: receive KServe logger CloudEvents and write Parquet windows."""

from __future__ import annotations

import os

import click

from driftline.cli.app import main


@main.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option("--out", required=True, help="Output root: a local path or an object-store URI.")
@click.option(
    "--state-dir",
    envvar="DRIFTLINE_SINK_STATE_DIR",
    help="Local directory for the write-ahead log [default: <out>/_sink_state for a local "
    "--out, else ./driftline-sink-state].",
)
@click.option(
    "--token",
    envvar="DRIFTLINE_SINK_TOKEN",
    help="Require 'Authorization: Bearer <token>' (or env DRIFTLINE_SINK_TOKEN).",
)
@click.option(
    "--schema",
    "schema_path",
    type=click.Path(dir_okay=False),
    help='JSON {"features": [...], "outputs": [...]} naming positional columns.',
)
@click.option("--batch-rows", type=click.IntRange(1), default=10_000, show_default=True)
@click.option(
    "--batch-age",
    type=click.FloatRange(0.1),
    default=60.0,
    show_default=True,
    help="Seconds before a partial batch is written.",
)
@click.option(
    "--pair-timeout",
    type=click.FloatRange(0),
    default=30.0,
    show_default=True,
    help="Seconds to wait for the other side of a call; 0 writes each side as it comes "
    "(several replicas: readers pair the sides).",
)
@click.option(
    "--max-body-bytes", type=click.IntRange(1024), default=8 * 1024 * 1024, show_default=True
)
@click.option("--no-fsync", is_flag=True, help="Skip fsync (faster, not crash-safe).")
def sink(
    port: int,
    host: str,
    out: str,
    state_dir: str | None,
    token: str | None,
    schema_path: str | None,
    batch_rows: int,
    batch_age: float,
    pair_timeout: float,
    max_body_bytes: int,
    no_fsync: bool,
) -> None:
    """Serve the inference log sink: KServe logger events -> model=/date=/hour= Parquet."""
    import uvicorn

    from driftline.inference_log.payload import load_schema
    from driftline.sink.app import create_app
    from driftline.sink.service import Sink, SinkConfig
    from driftline.storage import is_local

    if state_dir is None:
        local_out = out.removeprefix("file://")
        state_dir = (
            os.path.join(local_out, "_sink_state") if is_local(out) else "driftline-sink-state"
        )
    config = SinkConfig(
        out=out,
        state_dir=state_dir,
        schema=load_schema(schema_path),
        batch_rows=batch_rows,
        batch_age_s=batch_age,
        pair_timeout_s=pair_timeout,
        fsync=not no_fsync,
    )
    if token is None and os.environ.get("DRIFTLINE_SINK_TOKEN") == "":
        token = ""  # click reads an empty variable as unset: refuse it all the same
    app = create_app(Sink(config), token=token, max_body=max_body_bytes)
    if token is None:
        click.echo("warning: no --token: the sink accepts events from every client", err=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,
        proxy_headers=False,
        log_level="warning",
        timeout_graceful_shutdown=10,
    )
