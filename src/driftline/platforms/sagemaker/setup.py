"""Set up Model Monitor for an endpoint with driftline's container, idempotently (boto3).

`enable_data_capture` gives an endpoint that does not capture its inputs a config with
`DataCaptureConfig` (a copy of its current config, named after its content) and updates the
endpoint to it (an endpoint that already captures keeps its own settings); `ensure_job_definition`
creates a data-quality job definition running driftline's image (named after its content, so
a changed setting is a new definition and an unchanged one is reused); `ensure_schedule`
creates or updates the monitoring schedule and starts it if it was stopped; `stop_schedule`
stops it. Running any of them twice changes nothing the second time. Credentials and region
come from the standard AWS chain (environment, shared config, instance or pod role) only.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from driftline.errors import InputError, PlatformError

CAPTURE_LOCAL_PATH = "/opt/ml/processing/input/endpoint"
OUTPUT_LOCAL_PATH = "/opt/ml/processing/resultdata"
HOURLY = "cron(0 * ? * * *)"
_VARIANT_KEYS = (  # ProductionVariant fields a new endpoint config may repeat
    "VariantName",
    "ModelName",
    "InitialInstanceCount",
    "InstanceType",
    "InitialVariantWeight",
    "AcceleratorType",
    "ServerlessConfig",
    "VolumeSizeInGB",
    "ModelDataDownloadTimeoutInSeconds",
    "ContainerStartupHealthCheckTimeoutInSeconds",
    "ManagedInstanceScaling",
    "RoutingConfig",
    "InferenceAmiVersion",
)


@dataclass(frozen=True)
class MonitorSettings:
    """How an endpoint is monitored: driftline's image, where data goes, how often."""

    image_uri: str
    role_arn: str
    capture_uri: str  # s3://bucket/prefix: captures land in {prefix}/{endpoint}/{variant}/...
    output_uri: str  # s3://bucket/prefix: results land in {prefix}/{endpoint}/...
    schedule_expression: str = HOURLY
    sampling_percentage: int = 100
    instance_type: str = "ml.m5.large"
    volume_size_gb: int = 20
    max_runtime_seconds: int = 3600
    environment: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("image_uri", "role_arn", "capture_uri", "output_uri"):
            if not getattr(self, name):
                raise InputError(f"monitoring setup needs `{name}`", param=name)
        for name in ("capture_uri", "output_uri"):
            if not getattr(self, name).startswith("s3://"):
                raise InputError(
                    f"`{name}` {getattr(self, name)!r} must be an s3:// URI", param=name
                )
        if not 0 < self.sampling_percentage <= 100:
            raise InputError(
                f"`sampling_percentage` {self.sampling_percentage} must be in 1..100",
                param="sampling_percentage",
            )


def client(service: str = "sagemaker") -> Any:
    """A boto3 client from the standard credential chain (AWS_ENDPOINT_URL is honoured)."""
    import boto3

    return boto3.client(service)


def resource_name(*parts: str, limit: int = 63) -> str:
    """A SageMaker resource name (letters, digits, hyphens; at most `limit` characters)."""
    name = re.sub(r"[^A-Za-z0-9-]+", "-", "-".join(p for p in parts if p)).strip("-")
    name = re.sub(r"-{2,}", "-", name)
    if len(name) > limit:
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = f"{name[: limit - 9].rstrip('-')}-{digest}"
    return name


def _digest(document: Any) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:10]


def _call(operation: str, function: Any, **kwargs: Any) -> Any:
    import botocore.exceptions

    try:
        return function(**kwargs)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        raise PlatformError(f"SageMaker {operation} failed: {exc}") from exc


def _missing(exc: PlatformError) -> bool:
    text = str(exc.__cause__ or exc)
    return any(k in text for k in ("ValidationException", "ResourceNotFound", "does not exist"))


def capture_config(settings: MonitorSettings) -> dict[str, Any]:
    """The `DataCaptureConfig` driftline asks for: inputs and outputs, CSV and JSON as text."""
    return {
        "EnableCapture": True,
        "InitialSamplingPercentage": settings.sampling_percentage,
        "DestinationS3Uri": settings.capture_uri,
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {
            "CsvContentTypes": ["text/csv"],
            "JsonContentTypes": ["application/json"],
        },
    }


def enable_data_capture(sm: Any, endpoint: str, settings: MonitorSettings) -> dict[str, Any]:
    """Point `endpoint` at a config that captures to `settings.capture_uri`, unless it already
    captures its inputs (then its own destination and sampling stay)."""
    described = _call("DescribeEndpoint", sm.describe_endpoint, EndpointName=endpoint)
    current_name = described["EndpointConfigName"]
    current = _call(
        "DescribeEndpointConfig", sm.describe_endpoint_config, EndpointConfigName=current_name
    )
    wanted = capture_config(settings)
    have = current.get("DataCaptureConfig") or {}
    modes = {option.get("CaptureMode") for option in have.get("CaptureOptions") or []}
    if have.get("EnableCapture") and "Input" in modes:  # the team's own capture: keep it
        destination = have.get("DestinationS3Uri", "")
        return {"endpoint_config": current_name, "action": "unchanged", "destination": destination}
    variants = [
        {k: v for k, v in variant.items() if k in _VARIANT_KEYS}
        for variant in current["ProductionVariants"]
    ]
    base = re.sub(r"-capture-[0-9a-f]{10}$", "", current_name)
    name = resource_name(base, "capture", _digest([variants, wanted]))
    try:
        _call("DescribeEndpointConfig", sm.describe_endpoint_config, EndpointConfigName=name)
    except PlatformError as exc:
        if not _missing(exc):
            raise
        extra = {k: current[k] for k in ("KmsKeyId", "AsyncInferenceConfig") if current.get(k)}
        _call(
            "CreateEndpointConfig",
            sm.create_endpoint_config,
            EndpointConfigName=name,
            ProductionVariants=variants,
            DataCaptureConfig=wanted,
            **extra,
        )
    _call("UpdateEndpoint", sm.update_endpoint, EndpointName=endpoint, EndpointConfigName=name)
    return {
        "endpoint_config": name,
        "action": "updated",
        "previous": current_name,
        "destination": settings.capture_uri,
    }


def job_definition(
    endpoint: str,
    settings: MonitorSettings,
    *,
    statistics_uri: str = "",
    constraints_uri: str = "",
) -> dict[str, Any]:
    """The CreateDataQualityJobDefinition request (without its name) for `endpoint`."""
    request: dict[str, Any] = {
        "DataQualityAppSpecification": {
            "ImageUri": settings.image_uri,
            "ContainerEntrypoint": ["python", "-m", "driftline.platforms.sagemaker"],
            "Environment": dict(settings.environment),
        },
        "DataQualityJobInput": {
            "EndpointInput": {
                "EndpointName": endpoint,
                "LocalPath": CAPTURE_LOCAL_PATH,
                "S3InputMode": "File",
                "S3DataDistributionType": "FullyReplicated",
            }
        },
        "DataQualityJobOutputConfig": {
            "MonitoringOutputs": [
                {
                    "S3Output": {
                        "S3Uri": f"{settings.output_uri.rstrip('/')}/{endpoint}",
                        "LocalPath": OUTPUT_LOCAL_PATH,
                        "S3UploadMode": "EndOfJob",
                    }
                }
            ]
        },
        "JobResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": settings.instance_type,
                "VolumeSizeInGB": settings.volume_size_gb,
            }
        },
        "RoleArn": settings.role_arn,
        "StoppingCondition": {"MaxRuntimeInSeconds": settings.max_runtime_seconds},
    }
    baseline: dict[str, Any] = {}
    if statistics_uri:
        baseline["StatisticsResource"] = {"S3Uri": statistics_uri}
    if constraints_uri:
        baseline["ConstraintsResource"] = {"S3Uri": constraints_uri}
    if baseline:
        request["DataQualityBaselineConfig"] = baseline
    return request


def ensure_job_definition(sm: Any, endpoint: str, request: dict[str, Any]) -> dict[str, Any]:
    """Create the job definition `request` describes unless one of the same content exists."""
    name = resource_name("driftline", endpoint, _digest(request))
    try:
        _call(
            "DescribeDataQualityJobDefinition",
            sm.describe_data_quality_job_definition,
            JobDefinitionName=name,
        )
        return {"job_definition": name, "action": "unchanged"}
    except PlatformError as exc:
        if not _missing(exc):
            raise
    _call(
        "CreateDataQualityJobDefinition",
        sm.create_data_quality_job_definition,
        JobDefinitionName=name,
        **request,
    )
    return {"job_definition": name, "action": "created"}


def schedule_name(endpoint: str) -> str:
    """The monitoring schedule driftline keeps for `endpoint`."""
    return resource_name("driftline", endpoint)


def ensure_schedule(
    sm: Any, endpoint: str, job_definition_name: str, settings: MonitorSettings
) -> dict[str, Any]:
    """Create the endpoint's schedule, or point it at `job_definition_name`; start it."""
    name = schedule_name(endpoint)
    config = {
        "ScheduleConfig": {"ScheduleExpression": settings.schedule_expression},
        "MonitoringJobDefinitionName": job_definition_name,
        "MonitoringType": "DataQuality",
    }
    try:
        current = _call(
            "DescribeMonitoringSchedule",
            sm.describe_monitoring_schedule,
            MonitoringScheduleName=name,
        )
    except PlatformError as exc:
        if not _missing(exc):
            raise
        _call(
            "CreateMonitoringSchedule",
            sm.create_monitoring_schedule,
            MonitoringScheduleName=name,
            MonitoringScheduleConfig=config,
        )
        return {"schedule": name, "action": "created"}
    action = "unchanged"
    have = current.get("MonitoringScheduleConfig") or {}
    if any(have.get(k) != v for k, v in config.items()):
        _call(
            "UpdateMonitoringSchedule",
            sm.update_monitoring_schedule,
            MonitoringScheduleName=name,
            MonitoringScheduleConfig=config,
        )
        action = "updated"
    if current.get("MonitoringScheduleStatus") == "Stopped":
        _call("StartMonitoringSchedule", sm.start_monitoring_schedule, MonitoringScheduleName=name)
        action = "started" if action == "unchanged" else f"{action}, started"
    return {"schedule": name, "action": action}


def stop_schedule(sm: Any, endpoint: str) -> dict[str, Any]:
    """Stop the endpoint's schedule if it exists and runs."""
    name = schedule_name(endpoint)
    try:
        current = _call(
            "DescribeMonitoringSchedule",
            sm.describe_monitoring_schedule,
            MonitoringScheduleName=name,
        )
    except PlatformError as exc:
        if not _missing(exc):
            raise
        return {"schedule": name, "action": "absent"}
    if current.get("MonitoringScheduleStatus") in ("Stopped", "Failed"):
        return {"schedule": name, "action": "unchanged"}
    _call("StopMonitoringSchedule", sm.stop_monitoring_schedule, MonitoringScheduleName=name)
    return {"schedule": name, "action": "stopped"}
