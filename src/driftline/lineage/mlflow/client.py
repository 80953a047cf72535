"""One MLflow client per store, and MLflow's exceptions as driftline's."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from driftline.errors import LineageError, StoreError

T = TypeVar("T")
MISSING_CODES = ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND")
# MLflow's own defaults (7 retries, backoff factor 2) take minutes to report a server that is
# down; these apply unless the MLflow variables are set.
RETRY_DEFAULTS = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "3", "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1"}
UNREACHABLE = ("Max retries exceeded", "Failed to establish a new connection", "Connection refused")


def connect(tracking_url: str) -> Any:
    """An `MlflowClient` for the server at `tracking_url` (tracking and registry). Credentials
    come from MLflow's own environment variables (MLFLOW_TRACKING_TOKEN, or
    MLFLOW_TRACKING_USERNAME/_PASSWORD; MLFLOW_TRACKING_INSECURE_TLS, ..._SERVER_CERT_PATH).
    Retries: MLFLOW_HTTP_REQUEST_MAX_RETRIES (default here 3) and _BACKOFF_FACTOR (1)."""
    from mlflow import MlflowClient

    for name, value in RETRY_DEFAULTS.items():
        os.environ.setdefault(name, value)

    return MlflowClient(tracking_uri=tracking_url, registry_uri=tracking_url)


@contextmanager
def translated(where: str, what: str) -> Iterator[None]:
    """Turn MLflow's and the network's exceptions into one driftline error: a missing model,
    version, alias or run is a `LineageError` naming `what`; anything else a `StoreError`."""
    import requests
    from mlflow.exceptions import MlflowException

    try:
        yield
    except MlflowException as exc:
        detail = str(exc.message).strip().splitlines()[0] if exc.message else type(exc).__name__
        # a missing alias is INVALID_PARAMETER_VALUE "... alias X not found" on MLflow 3.17
        if exc.error_code in MISSING_CODES or "not found" in detail.lower():
            raise LineageError(f"{what} not found in {where}: {detail}") from None
        if any(sign in detail for sign in UNREACHABLE):
            raise StoreError(f"lineage store {where} is unreachable: {detail}") from None
        raise StoreError(f"lineage store {where}: {exc.error_code}: {detail}") from None
    except (requests.RequestException, OSError) as exc:
        raise StoreError(f"lineage store {where} is unreachable: {exc}") from None


def call(where: str, what: str, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`function(*args, **kwargs)` with errors translated (see `translated`)."""
    with translated(where, what):
        return function(*args, **kwargs)
