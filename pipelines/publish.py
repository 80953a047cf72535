"""Upload, schedule and run compiled pipelines on a Kubeflow Pipelines API, via kfp.Client.

- `upload` is idempotent by content: a pipeline whose newest version already holds the
  same pipeline spec, or that has a version named after this file's content hash, is left
  alone (action "unchanged"); otherwise a new version is added (named
  `<name>-<sha256[:12]>` of the file unless given), or the pipeline is created.
- `schedule` and `run` upload first (idempotently) and point the recurring run / run at
  that pipeline version, so the KFP UI shows which pipeline version ran.
- Parameters are checked against the pipeline's root inputs before anything is sent.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import sys
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from driftline import storage
from driftline.alerting.kfp_rest import normalize_cron, parse_interval
from driftline.errors import DriftlineError, InputError, UnknownNameError

ENDPOINT_ENV = "KF_PIPELINES_ENDPOINT"
UI_ENDPOINT_ENV = "KF_PIPELINES_UI_ENDPOINT"
SA_TOKEN_PATH_ENV = "KF_PIPELINES_SA_TOKEN_PATH"
DEFAULT_SA_TOKEN_PATH = "/var/run/secrets/kubeflow/pipelines/token"
PARAMETER_TYPES: dict[str, tuple[type, ...]] = {
    "STRING": (str,),
    "NUMBER_INTEGER": (int,),
    "NUMBER_DOUBLE": (int, float),
    "BOOLEAN": (bool,),
    "LIST": (list,),
    "STRUCT": (dict,),
}


class PlatformError(DriftlineError, ConnectionError):
    """The Kubeflow Pipelines API is unreachable or refused a request."""


@dataclass(frozen=True)
class Connection:
    """How to reach the KFP API; mirrors kfp.Client's options and environment variables."""

    host: str | None = None  # default: KF_PIPELINES_ENDPOINT, else in-cluster / kubeconfig
    namespace: str | None = None  # multi-user deployments: the profile namespace
    existing_token: str | None = None  # bearer token obtained outside driftline
    service_account_token: bool = False  # read the projected SA token (in-cluster)
    sa_token_path: str | None = None  # default: KF_PIPELINES_SA_TOKEN_PATH, else KFP's path
    ui_host: str | None = None  # default: KF_PIPELINES_UI_ENDPOINT, else host
    verify_ssl: bool | None = None
    ssl_ca_cert: str | None = None

    def ui_prefix(self) -> str:
        """Base URL of the KFP UI for printed links (kfp.Client's rule)."""
        ui = (
            os.environ.get(UI_ENDPOINT_ENV)
            or self.ui_host
            or self.host
            or os.environ.get(ENDPOINT_ENV)
        )
        if not ui:
            return "/pipeline"
        return (
            ui.rstrip("/") if ui.startswith(("http://", "https://")) else f"http://{ui.rstrip('/')}"
        )


@dataclass(frozen=True)
class Published:
    """What upload/schedule/run did, printed as JSON by the CLI."""

    action: str  # created | new_version | unchanged | scheduled | started
    pipeline_id: str
    pipeline_version_id: str
    pipeline_name: str
    version_name: str
    url: str
    experiment_id: str | None = None
    recurring_run_id: str | None = None
    run_id: str | None = None
    trigger: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def connect(conn: Connection) -> Any:
    """A kfp.Client for `conn` (checks the API's healthz once, as kfp.Client does)."""
    import kfp

    credentials = None
    if conn.service_account_token or conn.sa_token_path:
        from kfp.client.set_volume_credentials import ServiceAccountTokenVolumeCredentials

        path = conn.sa_token_path or os.environ.get(SA_TOKEN_PATH_ENV) or DEFAULT_SA_TOKEN_PATH
        if not Path(path).is_file():
            raise InputError(
                f"service-account token file {path} does not exist; mount a projected token "
                f"there or set {SA_TOKEN_PATH_ENV}",
                param="sa_token_path",
            )
        credentials = ServiceAccountTokenVolumeCredentials(path)
    with _calling_kfp(conn):
        return kfp.Client(
            host=conn.host,
            namespace=conn.namespace or "kubeflow",
            existing_token=conn.existing_token,
            credentials=credentials,
            ui_host=conn.ui_host,
            verify_ssl=conn.verify_ssl,
            ssl_ca_cert=conn.ssl_ca_cert,
        )


def resolve_package(pipeline: str) -> Path:
    """A pipeline YAML path, or the name of a pipeline shipped with driftline."""
    path = Path(pipeline)
    if path.suffix in {".yaml", ".yml"} or os.sep in pipeline:
        if not path.is_file():
            raise InputError(f"pipeline file {pipeline} does not exist", param="pipeline")
        return path
    shipped = {p.stem: Path(str(p)) for p in _shipped_yaml() if p.name.endswith(".yaml")}
    if pipeline not in shipped:
        raise UnknownNameError("pipeline", pipeline, list(shipped) or ["(none compiled yet)"])
    return shipped[pipeline]


def read_spec(package: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(pipeline spec, all YAML documents) of a compiled pipeline file."""
    try:
        text = storage.read_text(package, what="pipeline file")
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        raise InputError(f"cannot read pipeline file {package}: {exc}", param="pipeline") from exc
    if not docs or not isinstance(docs[0], dict) or "root" not in docs[0]:
        raise InputError(
            f"{package} is not a compiled KFP pipeline (no pipelineInfo/root); "
            "compile it with `driftline compile` or kfp.compiler",
            param="pipeline",
        )
    return docs[0], docs


def upload(
    client: Any,
    package: Path,
    *,
    name: str | None = None,
    description: str | None = None,
    version_name: str | None = None,
    conn: Connection | None = None,
) -> Published:
    """Upload `package` as pipeline `name` (default: its pipelineInfo.name), idempotently."""
    conn = conn or Connection()
    spec, docs = read_spec(package)
    name = name or spec.get("pipelineInfo", {}).get("name")
    if not name or not name.strip():
        raise InputError("pipeline name is empty; give --name", param="name")
    digest = hashlib.sha256(storage.read_bytes(package, what="pipeline file")).hexdigest()
    content_name = f"{name}-{digest[:12]}"
    with _calling_kfp(conn):
        pipeline_id = client.get_pipeline_id(name)
        if pipeline_id is None:
            pipeline = client.upload_pipeline(
                str(package), pipeline_name=name, description=description, namespace=conn.namespace
            )
            version = _newest_version(client, pipeline.pipeline_id)
            action = "created"
        else:
            version = _newest_version(client, pipeline_id)
            if version is None or not _same_spec(version.pipeline_spec, docs):
                version = (
                    None if version_name else _version_named(client, pipeline_id, content_name)
                )
            if version is not None:
                action = "unchanged"
            else:
                version = client.upload_pipeline_version(
                    str(package),
                    version_name or content_name,
                    pipeline_id=pipeline_id,
                    description=description,
                )
                action = "new_version"
    pid, vid = version.pipeline_id, version.pipeline_version_id
    return Published(
        action=action,
        pipeline_id=pid,
        pipeline_version_id=vid,
        pipeline_name=name,
        version_name=version.display_name,
        url=f"{conn.ui_prefix()}/#/pipelines/details/{pid}/version/{vid}",
    )


def schedule(
    client: Any,
    package: Path,
    *,
    experiment: str,
    cron: str | None = None,
    interval: str | None = None,
    max_concurrency: int = 1,
    catchup: bool = True,
    params: dict[str, Any] | None = None,
    job_name: str | None = None,
    start_time: str | None = None,
    end_time: str | None = None,
    enabled: bool = True,
    service_account: str | None = None,
    conn: Connection | None = None,
) -> Published:
    """Create a recurring run of `package` (uploaded first) in `experiment` (created if missing)."""
    conn = conn or Connection()
    if (cron is None) == (interval is None):
        raise InputError("give exactly one of --cron and --interval", param="cron")
    if max_concurrency < 1:
        raise InputError(
            f"max concurrency must be >= 1, got {max_concurrency}", param="max_concurrency"
        )
    cron_expr = normalize_cron(cron) if cron is not None else None
    seconds = parse_interval(interval) if interval is not None else None
    params = check_params(params or {}, read_spec(package)[0])
    uploaded = upload(client, package, conn=conn)
    with _calling_kfp(conn):
        experiment_id = _experiment_id(client, experiment, conn)
        recurring = client.create_recurring_run(
            experiment_id=experiment_id,
            job_name=job_name or f"{uploaded.pipeline_name} ({cron_expr or f'every {seconds}s'})",
            start_time=start_time,
            end_time=end_time,
            interval_second=seconds,
            cron_expression=cron_expr,
            max_concurrency=max_concurrency,
            no_catchup=not catchup,
            params=params,
            pipeline_id=uploaded.pipeline_id,
            version_id=uploaded.pipeline_version_id,
            enabled=enabled,
            service_account=service_account,
        )
    trigger = {"cron": cron_expr} if cron_expr else {"interval_second": seconds}
    return _after_upload(
        uploaded,
        action="scheduled",
        url=f"{conn.ui_prefix()}/#/recurringrun/details/{recurring.recurring_run_id}",
        trigger={**trigger, "catchup": catchup, "max_concurrency": max_concurrency},
        experiment_id=experiment_id,
        recurring_run_id=recurring.recurring_run_id,
    )


def run(
    client: Any,
    package: Path,
    *,
    experiment: str,
    params: dict[str, Any] | None = None,
    run_name: str | None = None,
    service_account: str | None = None,
    conn: Connection | None = None,
) -> Published:
    """Start one run of `package` (uploaded first) in `experiment` (created if missing)."""
    conn = conn or Connection()
    params = check_params(params or {}, read_spec(package)[0])
    uploaded = upload(client, package, conn=conn)
    with _calling_kfp(conn):
        experiment_id = _experiment_id(client, experiment, conn)
        started = client.run_pipeline(
            experiment_id=experiment_id,
            job_name=run_name or uploaded.pipeline_name,
            params=params,
            pipeline_id=uploaded.pipeline_id,
            version_id=uploaded.pipeline_version_id,
            service_account=service_account,
        )
    return _after_upload(
        uploaded,
        action="started",
        url=f"{conn.ui_prefix()}/#/runs/details/{started.run_id}",
        experiment_id=experiment_id,
        run_id=started.run_id,
    )


def load_params(path: Path | None) -> dict[str, Any]:
    """Pipeline parameters from a YAML (or JSON) mapping file; {} without a file."""
    if path is None:
        return {}
    try:
        data = yaml.safe_load(storage.read_text(path, what="parameters file"))
    except yaml.YAMLError as exc:
        raise InputError(f"cannot read parameters file {path}: {exc}", param="params") from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise InputError(
            f"parameters file {path} must hold a mapping of parameter name to value",
            param="params",
        )
    return data


def check_params(params: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """`params` if they fit the pipeline's root inputs (names, required, types); else InputError."""
    declared = spec.get("root", {}).get("inputDefinitions", {}).get("parameters", {})
    for key, value in params.items():
        if key not in declared:
            raise UnknownNameError("pipeline parameter", key, list(declared) or ["(none)"])
        kind = declared[key].get("parameterType", "STRING")
        allowed = PARAMETER_TYPES.get(kind, (object,))
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            raise InputError(f"pipeline parameter {key!r} must be {kind}, got {value!r}", param=key)
    missing = sorted(
        k
        for k, d in declared.items()
        if k not in params and "defaultValue" not in d and not d.get("isOptional")
    )
    if missing:
        raise InputError(
            f"missing required pipeline parameters: {', '.join(missing)}", param="params"
        )
    return params


def _after_upload(uploaded: Published, **changes: Any) -> Published:
    return Published(**{**asdict(uploaded), **changes})


def _newest_version(client: Any, pipeline_id: str) -> Any:
    listed = client.list_pipeline_versions(pipeline_id, page_size=1, sort_by="created_at desc")
    return (listed.pipeline_versions or [None])[0]


def _version_named(client: Any, pipeline_id: str, version_name: str) -> Any:
    """The version called `version_name` (our content-hash name), if one was uploaded."""
    predicate = {"operation": "EQUALS", "key": "display_name", "stringValue": version_name}
    listed = client.list_pipeline_versions(
        pipeline_id, page_size=1, filter=json.dumps({"predicates": [predicate]})
    )
    return (listed.pipeline_versions or [None])[0]


def _same_spec(server_spec: Any, docs: list[dict[str, Any]]) -> bool:
    """The KFP API returns the spec alone, or {pipeline_spec, platform_spec} with a platform doc."""
    if len(docs) == 1:
        return server_spec == docs[0]
    return server_spec == {"pipeline_spec": docs[0], "platform_spec": docs[1]}


def _experiment_id(client: Any, name: str, conn: Connection) -> str:
    if not name.strip():
        raise InputError("experiment name is empty", param="experiment")
    return str(client.create_experiment(name=name, namespace=conn.namespace).experiment_id)


def _shipped_yaml() -> list[Any]:
    folder = resources.files("driftline.pipelines") / "yaml"
    return sorted(folder.iterdir(), key=str) if folder.is_dir() else []


@contextlib.contextmanager
def _calling_kfp(conn: Connection) -> Iterator[None]:
    """Map kfp/urllib3 failures to PlatformError; keep kfp's own prints off stdout."""
    import kfp_server_api
    import urllib3

    where = conn.host or os.environ.get(ENDPOINT_ENV) or "the in-cluster KFP API"
    printed = io.StringIO()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(printed):
            warnings.simplefilter("ignore", FutureWarning)
            yield
    except kfp_server_api.ApiException as exc:
        raise PlatformError(
            f"KFP API at {where} answered {exc.status} {exc.reason}: {_api_message(exc)}"
        ) from exc
    except TimeoutError as exc:  # kfp.Client gives up on healthz
        raise PlatformError(f"KFP API at {where} did not answer: {exc}") from exc
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise PlatformError(f"cannot reach the KFP API at {where}: {exc}") from exc
    finally:
        sys.stderr.write(printed.getvalue())


def _api_message(exc: Any) -> str:
    try:
        return str(json.loads(exc.body).get("message", exc.body))
    except (TypeError, ValueError):
        return str(exc.body)
