"""Model Registry events: "SageMaker Model Package State Change" -> monitoring set up or stopped.

EventBridge delivers the event (through an API destination, as an HTTP POST of the event
JSON). When `detail.ModelApprovalStatus` is `Approved`, every endpoint serving the package
(a variant's model whose container names the package, or the endpoint named by the package's
`CustomerMetadataProperties["driftline.endpoint"]`) gets Data Capture, a data-quality job
definition running driftline's image with the package's data-quality baseline
(`DriftCheckBaselines` or `ModelMetrics`), and a monitoring schedule. `Rejected` stops those
endpoints' schedules. An approved package not yet deployed is retried later
(`NotDeployedError`): approval usually starts the deployment that the event races.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from driftline.errors import DeliveryAuthError, InputError, NotDeployedError
from driftline.platforms.sagemaker import setup

DETAIL_TYPE = "SageMaker Model Package State Change"
ENDPOINT_PROPERTY = "driftline.endpoint"


TOKEN_ENV = "DRIFTLINE_EVENTBRIDGE_TOKEN"
TOKEN_HEADER = "authorization"


def verify_delivery(headers: Mapping[str, str], token: str, header: str = TOKEN_HEADER) -> None:
    """Check the API key an EventBridge connection adds to each delivery.

    The connection's API key is a header (`header`, case-insensitive) whose value is `token`
    or `Bearer <token>`; anything else raises `DeliveryAuthError`.
    """
    if not token:
        raise DeliveryAuthError(f"no EventBridge token configured: set {TOKEN_ENV}")
    lowered = {k.lower(): v for k, v in headers.items()}
    value = lowered.get(header.lower(), "")
    if value.lower().startswith("bearer "):
        value = value[7:]
    if not value or not hmac.compare_digest(value.strip().encode(), token.encode()):
        raise DeliveryAuthError(f"delivery without the right {header} header")


@dataclass(frozen=True)
class PackageEvent:
    """The parts of a model package state change that setup acts on."""

    event_id: str
    package_arn: str
    approval: str
    endpoint: str = ""


def parse_event(document: Any) -> PackageEvent:
    """The package event in an EventBridge event document; anything else is an InputError."""
    if not isinstance(document, Mapping):
        raise InputError("event is not a JSON object", param="event")
    if document.get("detail-type") != DETAIL_TYPE or document.get("source") != "aws.sagemaker":
        raise InputError(
            f"event is {document.get('source')!r} / {document.get('detail-type')!r}; expected "
            f"aws.sagemaker / {DETAIL_TYPE!r}",
            param="detail-type",
        )
    detail = document.get("detail")
    if not isinstance(detail, Mapping) or not detail.get("ModelPackageArn"):
        raise InputError("event detail has no ModelPackageArn", param="detail")
    metadata = detail.get("CustomerMetadataProperties") or {}
    return PackageEvent(
        event_id=str(document.get("id") or ""),
        package_arn=str(detail["ModelPackageArn"]),
        approval=str(detail.get("ModelApprovalStatus") or ""),
        endpoint=str(metadata.get(ENDPOINT_PROPERTY, "")) if isinstance(metadata, Mapping) else "",
    )


def _model_uses(sm: Any, model_name: str, package_arn: str) -> bool:
    model = setup._call("DescribeModel", sm.describe_model, ModelName=model_name)
    containers = [model.get("PrimaryContainer") or {}, *(model.get("Containers") or [])]
    return any(c.get("ModelPackageName") in (package_arn,) for c in containers)


def serving_endpoints(sm: Any, package_arn: str) -> list[str]:
    """The in-service endpoints whose variants run a model made from `package_arn`."""
    found = []
    paginator = sm.get_paginator("list_endpoints")
    for page in paginator.paginate():
        for summary in page.get("Endpoints", []):
            name = summary["EndpointName"]
            described = setup._call("DescribeEndpoint", sm.describe_endpoint, EndpointName=name)
            config = setup._call(
                "DescribeEndpointConfig",
                sm.describe_endpoint_config,
                EndpointConfigName=described["EndpointConfigName"],
            )
            models = [v.get("ModelName") for v in config.get("ProductionVariants", [])]
            if any(m and _model_uses(sm, m, package_arn) for m in models):
                found.append(name)
    return sorted(found)


def baseline_uris(sm: Any, package_arn: str) -> tuple[str, str]:
    """(statistics, constraints) S3 URIs of the package's data-quality baseline, or ''."""
    package = setup._call(
        "DescribeModelPackage", sm.describe_model_package, ModelPackageName=package_arn
    )
    for holder in ("DriftCheckBaselines", "ModelMetrics"):
        quality = (package.get(holder) or {}).get("ModelDataQuality") or {}
        statistics = (quality.get("Statistics") or {}).get("S3Uri", "")
        constraints = (quality.get("Constraints") or {}).get("S3Uri", "")
        if statistics or constraints:
            return statistics, constraints
    return "", ""


def handle_event(
    event: PackageEvent, settings: setup.MonitorSettings, sm: Any = None
) -> dict[str, Any]:
    """Set up (Approved) or stop (Rejected) monitoring of the endpoints serving the package."""
    sm = sm or setup.client("sagemaker")
    if event.approval not in ("Approved", "Rejected"):
        return {"ignored": f"ModelApprovalStatus {event.approval or 'missing'}"}
    endpoints = [event.endpoint] if event.endpoint else serving_endpoints(sm, event.package_arn)
    if event.approval == "Rejected":
        return {"stopped": [setup.stop_schedule(sm, endpoint) for endpoint in endpoints]}
    if not endpoints:
        raise NotDeployedError(f"model package {event.package_arn} serves no endpoint yet")
    statistics, constraints = baseline_uris(sm, event.package_arn)
    done = []
    for endpoint in endpoints:
        capture = setup.enable_data_capture(sm, endpoint, settings)
        request = setup.job_definition(
            endpoint, settings, statistics_uri=statistics, constraints_uri=constraints
        )
        definition = setup.ensure_job_definition(sm, endpoint, request)
        schedule = setup.ensure_schedule(sm, endpoint, definition["job_definition"], settings)
        done.append(
            {"endpoint": endpoint, "capture": capture, "job": definition, "schedule": schedule}
        )
    return {"monitored": done}
