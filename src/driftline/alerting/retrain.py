"""Start a retraining pipeline run through the KFP v2beta1 REST API.

Runs inside a KFP pod: the host defaults to the in-cluster API service and the
token to the projected service-account token KFP mounts for this purpose.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from driftline.errors import DriftlineError, InputError

DEFAULT_HOST = "http://ml-pipeline.kubeflow.svc.cluster.local:8888"
TOKEN_PATH_ENV = "KF_PIPELINES_SA_TOKEN_PATH"
DEFAULT_TOKEN_PATH = "/var/run/secrets/kubeflow/pipelines/token"


def _token(token: str | None) -> str | None:
    if token:
        return token
    path = Path(os.environ.get(TOKEN_PATH_ENV, DEFAULT_TOKEN_PATH))
    return path.read_text().strip() if path.is_file() else None


def start_pipeline_run(
    *,
    pipeline_id: str,
    display_name: str,
    parameters: dict[str, Any] | None = None,
    pipeline_version_id: str = "",
    experiment_id: str = "",
    host: str = "",
    token: str | None = None,
    timeout: float = 30.0,
) -> str:
    """Create a run of pipeline `pipeline_id` (latest version unless given); returns the run id."""
    import requests

    if not pipeline_id:
        raise InputError("pipeline_id is required to start a retraining run", param="pipeline_id")
    host = (host or os.environ.get("KF_PIPELINES_ENDPOINT") or DEFAULT_HOST).rstrip("/")
    reference = {"pipeline_id": pipeline_id}
    if pipeline_version_id:
        reference["pipeline_version_id"] = pipeline_version_id
    body: dict[str, Any] = {
        "display_name": display_name,
        "pipeline_version_reference": reference,
        "runtime_config": {"parameters": parameters or {}},
    }
    if experiment_id:
        body["experiment_id"] = experiment_id
    headers = {}
    bearer = _token(token)
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    try:
        response = requests.post(
            f"{host}/apis/v2beta1/runs", json=body, headers=headers, timeout=timeout
        )
    except requests.RequestException as exc:
        raise DriftlineError(f"cannot reach the KFP API at {host}: {exc}") from exc
    if response.status_code >= 300:
        raise DriftlineError(
            f"KFP API at {host} refused the retraining run ({response.status_code}): "
            f"{response.text[:300]}"
        )
    run_id = response.json().get("run_id")
    if not run_id:
        raise DriftlineError(f"KFP API at {host} answered without a run_id")
    return str(run_id)
