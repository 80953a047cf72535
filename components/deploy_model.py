"""Component: deploy a model with KServe (InferenceService, logger on) and wait until Ready."""

from typing import NamedTuple, Optional

from kfp.dsl import Artifact, Output

from driftline.components._declare import component


@component
def deploy_model(
    manifest: Output[Artifact],
    model_uri: Optional[str] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    isvc_name: Optional[str] = None,  # noqa: UP045
    namespace: Optional[str] = None,  # noqa: UP045
    model_format: str = "sklearn",
    runtime: Optional[str] = None,  # noqa: UP045
    protocol_version: str = "v2",
    logger_url: Optional[str] = None,  # noqa: UP045
    logger_mode: str = "all",
    service_account: Optional[str] = None,  # noqa: UP045
    wait_timeout_seconds: int = 600,
    dry_run: bool = False,
) -> NamedTuple("Outputs", [("url", str), ("namespace", str)]):  # type: ignore[valid-type]
    """Create or update a KServe InferenceService for a model and wait until it is Ready.

    Server-side apply (field manager "driftline"): re-deploying the same model changes
    nothing, and fields set by others are kept. The request/response logger is on.
    Runs with a service account allowed to get/patch/create InferenceServices.

    Args:
        model_uri: The model's storage URI (s3://, gs://, pvc://, ...), its storageUri.
        isvc_name: Name of the InferenceService (a DNS-1123 label).
        namespace: Namespace to deploy to; unset = the pod's namespace.
        model_format: Model format KServe picks a serving runtime for, e.g. sklearn, xgboost.
        runtime: Name of a specific ServingRuntime; unset lets KServe choose.
        protocol_version: Inference protocol, "v1" or "v2" (Open Inference Protocol).
        logger_url: Logger sink URL; unset: http://driftline-sink.<namespace>.svc.cluster.local/.
        logger_mode: What the logger sends: "all", "request" or "response".
        service_account: Service account of the predictor (storage credentials); unset = default.
        wait_timeout_seconds: How long to wait for Ready before failing with the reason.
        dry_run: Only write the manifest; do not talk to the cluster.

    Returns:
        manifest: The InferenceService YAML; metadata has name, namespace, storage_uri, url,
            dry_run, created and changed.
        url: The InferenceService URL from its status ("" on a dry run).
        namespace: The namespace deployed to.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.serving import deploy_model_outputs

    with exit_on_error():
        return deploy_model_outputs(
            manifest,
            model_uri=model_uri,
            isvc_name=isvc_name,
            namespace=namespace,
            model_format=model_format,
            runtime=runtime,
            protocol_version=protocol_version,
            logger_url=logger_url,
            logger_mode=logger_mode,
            service_account=service_account,
            wait_timeout_seconds=wait_timeout_seconds,
            dry_run=dry_run,
        )
