"""The receiver's settings: one YAML file (a ConfigMap in the cluster), secrets from env.

```yaml
kfp: {host: http://ml-pipeline.kubeflow:8888, namespace: team-a}   # optional
mlflow:          # optional: the /mlflow route (secret: DRIFTLINE_MLFLOW_WEBHOOK_SECRET)
  store: mlflow+http://mlflow.mlflow.svc:5000
  alias: champion
  pipeline_id: 1f3c...                     # the uploaded scheduled_monitoring pipeline
  cron: "0 0 * * * *"
  parameters: {window_length: 1h, prediction_column: prediction}
  models: {fraud: {source_uri: s3://logs/fraud/}}
sagemaker:       # optional: the /eventbridge route (token: DRIFTLINE_EVENTBRIDGE_TOKEN)
  image_uri: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/driftline:0.1.0
  role_arn: arn:aws:iam::123456789012:role/monitoring
  capture_uri: s3://bucket/capture
  output_uri: s3://bucket/monitoring
```

At least one of `mlflow` and `sagemaker` must be there; each route needs only its own part.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from driftline import storage
from driftline.errors import InputError
from driftline.platforms.kfp.api import KfpApiClient
from driftline.platforms.mlflow.monitoring import AliasMonitoring
from driftline.platforms.mlflow.webhooks import SECRET_ENV
from driftline.platforms.sagemaker.registry import TOKEN_ENV
from driftline.platforms.sagemaker.setup import MonitorSettings

SECTIONS = ("kfp", "mlflow", "sagemaker")
KFP_KEYS = ("host", "namespace", "verify")


@dataclass(frozen=True)
class ReceiverConfig:
    """What each route does; a route whose section is missing answers 404."""

    kfp: KfpApiClient
    mlflow: AliasMonitoring | None = None
    mlflow_secret: str = ""
    sagemaker: MonitorSettings | None = None
    eventbridge_token: str = ""


def load_config(path: str, env: Mapping[str, str] | None = None) -> ReceiverConfig:
    """Read and check the config file; secrets come from `env` (default: os.environ)."""
    env = os.environ if env is None else env
    document = yaml.safe_load(storage.read_text(path, what="receiver config")) or {}
    if not isinstance(document, Mapping):
        raise InputError(f"receiver config {path} is not a mapping", param="config")
    unknown = sorted(set(document) - set(SECTIONS))
    if unknown:
        raise InputError(
            f"receiver config {path}: unknown section(s) {', '.join(unknown)}; "
            f"valid: {', '.join(SECTIONS)}",
            param="config",
        )
    if not document.get("mlflow") and not document.get("sagemaker"):
        raise InputError(
            f"receiver config {path} configures no route: give an `mlflow` and/or a "
            "`sagemaker` section",
            param="config",
        )
    kfp: dict[str, Any] = dict(document.get("kfp") or {})
    bad = sorted(set(kfp) - set(KFP_KEYS))
    if bad:
        raise InputError(f"unknown kfp setting(s) {', '.join(bad)}; valid: {', '.join(KFP_KEYS)}")
    mlflow = AliasMonitoring.from_mapping(document["mlflow"]) if document.get("mlflow") else None
    sagemaker = MonitorSettings(**document["sagemaker"]) if document.get("sagemaker") else None
    secret, token = env.get(SECRET_ENV, ""), env.get(TOKEN_ENV, "")
    if mlflow and not secret:
        raise InputError(f"the mlflow route needs its webhook secret in {SECRET_ENV}")
    if sagemaker and not token:
        raise InputError(f"the eventbridge route needs its token in {TOKEN_ENV}")
    return ReceiverConfig(KfpApiClient(**kfp), mlflow, secret, sagemaker, token)
