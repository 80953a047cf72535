"""Glue of deploy_model and setup_monitoring: KServe deployment and its monitoring."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from driftline.component_io import given


class DeployOutputs(NamedTuple):
    """deploy_model's returned outputs."""

    url: str
    namespace: str


class SetupOutputs(NamedTuple):
    """setup_monitoring's returned outputs."""

    dashboard_uid: str


def deploy_model_outputs(
    manifest: Any,
    *,
    model_uri: str | None,
    isvc_name: str | None,
    namespace: str | None = None,
    runtime: str | None = None,
    logger_url: str | None = None,
    service_account: str | None = None,
    **options: Any,
) -> DeployOutputs:
    """Deploy (or dry-run) the InferenceService; the manifest artifact gets its summary.

    Other options are `serving.deploy.deploy_model`'s (model_format, protocol_version,
    logger_mode, wait_timeout_seconds, dry_run).
    """
    from driftline.serving.deploy import deploy_model

    result = deploy_model(
        name=given(isvc_name) or "",
        model_uri=given(model_uri) or "",
        namespace=given(namespace) or "",
        runtime=given(runtime) or "",
        logger_url=given(logger_url) or "",
        service_account=given(service_account) or "",
        manifest_path=manifest.path,
        **options,
    )
    manifest.metadata.update(result.summary())
    return DeployOutputs(result.url, result.manifest["metadata"]["namespace"])


def setup_monitoring_outputs(
    manifests: Any,
    *,
    isvc_name: str | None,
    namespace: str | None,
    sink_url: str | None = None,
    metrics_ports: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    dashboard_namespace: str | None = None,
    report_url: str | None = None,
    **options: Any,
) -> SetupOutputs:
    """Write (and unless dry_run, apply) the monitoring objects; the artifact lists them.

    Other options are `serving.setup.setup_monitoring_from_params`'s.
    """
    from driftline.serving.setup import setup_monitoring_from_params

    result = setup_monitoring_from_params(
        given(isvc_name) or "",
        given(namespace) or "",
        manifests.path,
        sink_url=given(sink_url) or "",
        metrics_ports=list(metrics_ports) if metrics_ports else None,
        labels=given(labels),
        dashboard_namespace=given(dashboard_namespace) or "",
        report_url=given(report_url) or "",
        **options,
    )
    manifests.metadata.update(result.summary())
    return SetupOutputs(result.dashboard_uid)
