"""Train-and-register helpers for the MLflow tests, written the way a user's training code is."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

_names = itertools.count()


def unique(prefix: str) -> str:
    """A model/experiment name no other test of this session uses (one server per session)."""
    return f"{prefix}-{next(_names)}"


def log_training_run(
    client: Any,
    experiment: str,
    *,
    datasets: Mapping[str, tuple[Path, str]] = {},
    metrics: Mapping[str, float] = {},
    params: Mapping[str, str] = {},
) -> str:
    """A finished run with dataset inputs logged as `mlflow.log_input` logs them; its id."""
    import mlflow

    mlflow.set_tracking_uri(client.tracking_uri)
    mlflow.set_experiment(experiment)
    with mlflow.start_run() as run:
        for name, (path, context) in datasets.items():
            frame = pd.read_csv(path, nrows=50) if path.suffix == ".csv" else pd.read_parquet(path)
            dataset = mlflow.data.from_pandas(frame.head(50), source=str(path), name=name)
            mlflow.log_input(dataset, context=context or None)
        mlflow.log_params(dict(params))
        mlflow.log_metrics(dict(metrics))
    return str(run.info.run_id)


def register(client: Any, name: str, run_id: str, alias: str | None = None) -> str:
    """Register the run's model as a new version of `name` (created if missing); its version."""
    from mlflow.exceptions import MlflowException

    try:
        client.create_registered_model(name)
    except MlflowException as exc:
        if exc.error_code != "RESOURCE_ALREADY_EXISTS":
            raise
    version = client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
    if alias:
        client.set_registered_model_alias(name, alias, version.version)
    return str(version.version)
