"""`driftline upload | schedule | run`: publish compiled pipelines to a KFP API.

Connection options follow kfp.Client's and read the same environment variables
(KF_PIPELINES_ENDPOINT, KF_PIPELINES_UI_ENDPOINT, KF_PIPELINES_SA_TOKEN_PATH,
KF_PIPELINES_DEFAULT_EXPERIMENT_NAME). Each command prints one JSON object.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from driftline.cli.app import main

PIPELINE_HELP = (
    "PIPELINE is a compiled pipeline YAML file or the name of a pipeline shipped with driftline."
)


def _connection_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--host",
            envvar="KF_PIPELINES_ENDPOINT",
            help="KFP API URL [env KF_PIPELINES_ENDPOINT]; "
            "default: the in-cluster service ml-pipeline.kubeflow:8888.",
        ),
        click.option("-n", "--namespace", default=None, help="Profile namespace (multi-user KFP)."),
        click.option(
            "--existing-token",
            envvar="DRIFTLINE_KFP_TOKEN",
            help="Bearer token obtained outside driftline [env DRIFTLINE_KFP_TOKEN].",
        ),
        click.option(
            "--sa-token",
            is_flag=True,
            help="Authenticate with the pod's projected service-account token "
            "(KF_PIPELINES_SA_TOKEN_PATH, default /var/run/secrets/kubeflow/pipelines/token).",
        ),
        click.option(
            "--sa-token-path",
            type=click.Path(dir_okay=False),
            default=None,
            help="Read the service-account token from this file (implies --sa-token).",
        ),
        click.option(
            "--ui-host",
            envvar="KF_PIPELINES_UI_ENDPOINT",
            help="KFP UI base URL for printed links [env KF_PIPELINES_UI_ENDPOINT].",
        ),
        click.option(
            "--ssl-ca-cert",
            type=click.Path(dir_okay=False, exists=True),
            default=None,
            help="CA bundle to verify the API's TLS certificate.",
        ),
        click.option("--insecure", is_flag=True, help="Do not verify the API's TLS certificate."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _client(kw: dict[str, Any]) -> Any:
    """The KFP API client for the connection options (no request is made here)."""
    import os

    from driftline.platforms.kfp.api import DEFAULT_TOKEN_PATH, TOKEN_PATH_ENV, KfpApiClient

    sa_token_path = kw.pop("sa_token_path")
    if kw.pop("sa_token") and not sa_token_path:
        sa_token_path = os.environ.get(TOKEN_PATH_ENV) or DEFAULT_TOKEN_PATH
    ca_cert = kw.pop("ssl_ca_cert")
    return KfpApiClient(
        host=kw.pop("host") or "",
        namespace=kw.pop("namespace") or "",
        token=kw.pop("existing_token") or None,
        sa_token_path=sa_token_path,
        verify=False if kw.pop("insecure") else (ca_cert or True),
        ui_host=kw.pop("ui_host") or "",
    )


def _print(result: Any) -> None:
    click.echo(json.dumps(result.to_dict(), indent=2))


_experiment = click.option(
    "--experiment",
    envvar="KF_PIPELINES_DEFAULT_EXPERIMENT_NAME",
    default="Default",
    show_default=True,
    help="Experiment of the runs; created if missing [env KF_PIPELINES_DEFAULT_EXPERIMENT_NAME].",
)
_params = click.option(
    "--params",
    "params_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="YAML file mapping pipeline parameter names to values (checked against the pipeline).",
)
_service_account = click.option(
    "--service-account", default=None, help="Kubernetes service account of the run."
)


@main.command(epilog=PIPELINE_HELP)
@click.argument("pipeline")
@click.option(
    "--name", default=None, help="Pipeline name in KFP (default: the YAML's pipelineInfo.name)."
)
@click.option("--description", default=None, help="Description shown in the KFP UI.")
@click.option(
    "--version-name", default=None, help="Name of a new version (default: <name>-<sha256[:12]>)."
)
@_connection_options
def upload(
    pipeline: str, name: str | None, description: str | None, version_name: str | None, **kw: Any
) -> None:
    """Upload a pipeline, or a new version of it; nothing new when the content is unchanged."""
    from driftline.platforms.kfp import publish
    from driftline.platforms.kfp.uploads import resolve_package

    package = resolve_package(pipeline)
    _print(
        publish.upload(
            _client(kw), package, name=name, description=description, version_name=version_name
        )
    )


@main.command(epilog=PIPELINE_HELP)
@click.argument("pipeline")
@click.option(
    "--cron", default=None, help="Cron schedule: 5 fields, or KFP's 6 with seconds first."
)
@click.option("--interval", default=None, help="Fixed interval: seconds or 15m, 1h, 1d, 1w.")
@click.option(
    "--max-concurrency", type=int, default=1, show_default=True, help="Runs allowed at once."
)
@click.option(
    "--catchup/--no-catchup",
    default=True,
    show_default=True,
    help="Backfill missed intervals after a pause (a run's scheduled time is its window end).",
)
@click.option(
    "--name",
    "job_name",
    default=None,
    help="Recurring run name (default: the pipeline's name). One recurring run per name: "
    "the same settings leave it unchanged, other settings replace it.",
)
@click.option("--start", "start_time", default=None, help="RFC 3339 time the schedule starts.")
@click.option("--end", "end_time", default=None, help="RFC 3339 time the schedule ends.")
@click.option("--disabled", is_flag=True, help="Create the recurring run paused.")
@_experiment
@_params
@_service_account
@_connection_options
def schedule(
    pipeline: str,
    cron: str | None,
    interval: str | None,
    max_concurrency: int,
    catchup: bool,
    job_name: str | None,
    start_time: str | None,
    end_time: str | None,
    disabled: bool,
    experiment: str,
    params_file: Path | None,
    service_account: str | None,
    **kw: Any,
) -> None:
    """Keep one recurring run (cron or interval) of a pipeline by name, uploading it first."""
    from driftline.platforms.kfp import publish
    from driftline.platforms.kfp.uploads import load_params, resolve_package

    if (cron is None) == (interval is None):
        raise click.UsageError("give exactly one of --cron and --interval")
    package = resolve_package(pipeline)
    params = load_params(params_file)
    _print(
        publish.schedule(
            _client(kw),
            package,
            experiment=experiment,
            cron=cron,
            interval=interval,
            max_concurrency=max_concurrency,
            catchup=catchup,
            params=params,
            name=job_name,
            start_time=start_time,
            end_time=end_time,
            enabled=not disabled,
            service_account=service_account,
        )
    )


@main.command(epilog=PIPELINE_HELP)
@click.argument("pipeline")
@click.option("--run-name", default=None, help="Run name (default: the pipeline name).")
@_experiment
@_params
@_service_account
@_connection_options
def run(
    pipeline: str,
    run_name: str | None,
    experiment: str,
    params_file: Path | None,
    service_account: str | None,
    **kw: Any,
) -> None:
    """Start one run of a pipeline, uploading it first."""
    from driftline.platforms.kfp import publish
    from driftline.platforms.kfp.uploads import load_params, resolve_package

    package = resolve_package(pipeline)
    params = load_params(params_file)
    _print(
        publish.run(
            _client(kw),
            package,
            experiment=experiment,
            params=params,
            run_name=run_name,
            service_account=service_account,
        )
    )
