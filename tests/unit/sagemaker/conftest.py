"""A real AWS endpoint for the SageMaker tests: moto_server, a separate process on loopback.

moto serves S3, CloudWatch, EventBridge and SageMaker endpoints, endpoint configs, models,
model packages and data-quality job definitions. It does not implement UpdateEndpoint or the
monitoring-schedule calls; `ServiceModelStandIn` answers those instead, after checking each
request against botocore's own SageMaker service model (the request shapes AWS publishes).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.aws_server import aws, aws_endpoint  # noqa: F401  fixtures of these tests

ROLE = "arn:aws:iam::123456789012:role/monitoring"


class _Response:
    def __init__(self, status_code: int) -> None:
        self.status_code = status_code
        self.headers: dict[str, str] = {}
        self.content = b""
        self.raw = None


class ServiceModelStandIn:
    """Answers the SageMaker calls moto lacks, each request validated by botocore's validator.

    Kept state: monitoring schedules by name, and the endpoint config each UpdateEndpoint set
    (DescribeEndpoint answers from moto with that config name).
    """

    OPERATIONS = (
        "UpdateEndpoint",
        "CreateMonitoringSchedule",
        "DescribeMonitoringSchedule",
        "UpdateMonitoringSchedule",
        "StartMonitoringSchedule",
        "StopMonitoringSchedule",
    )

    def __init__(self, client: Any) -> None:
        import botocore.session

        self.model = botocore.session.get_session().get_service_model("sagemaker")
        self.schedules: dict[str, dict[str, Any]] = {}
        self.endpoint_configs: dict[str, str] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        for operation in self.OPERATIONS:
            client.meta.events.register(f"before-call.sagemaker.{operation}", self._answer)
        client.meta.events.register("after-call.sagemaker.DescribeEndpoint", self._endpoint)

    def _validate(self, operation: str, params: dict[str, Any]) -> None:
        from botocore.validate import ParamValidator

        shape = self.model.operation_model(operation).input_shape
        report = ParamValidator().validate(params, shape)
        if report.has_errors():
            raise AssertionError(f"{operation} request invalid: {report.generate_report()}")

    def _answer(self, model: Any, params: dict[str, Any], **_: Any) -> tuple[_Response, dict]:
        operation = model.name
        request = json.loads(params["body"] or b"{}")
        self._validate(operation, request)
        self.calls.append((operation, request))
        if operation == "UpdateEndpoint":
            self.endpoint_configs[request["EndpointName"]] = request["EndpointConfigName"]
            return _Response(200), {"EndpointArn": f"arn:endpoint/{request['EndpointName']}"}
        name = request["MonitoringScheduleName"]
        schedule = self.schedules.get(name)
        if operation == "CreateMonitoringSchedule":
            self.schedules[name] = {
                "MonitoringScheduleName": name,
                "MonitoringScheduleConfig": request["MonitoringScheduleConfig"],
                "MonitoringScheduleStatus": "Scheduled",
            }
            return _Response(200), {"MonitoringScheduleArn": f"arn:schedule/{name}"}
        if schedule is None:
            error = {"Code": "ResourceNotFound", "Message": f"Schedule {name} does not exist"}
            return _Response(400), {"Error": error}
        if operation == "DescribeMonitoringSchedule":
            return _Response(200), dict(schedule)
        if operation == "UpdateMonitoringSchedule":
            schedule["MonitoringScheduleConfig"] = request["MonitoringScheduleConfig"]
            return _Response(200), {"MonitoringScheduleArn": f"arn:schedule/{name}"}
        schedule["MonitoringScheduleStatus"] = (
            "Scheduled" if operation == "StartMonitoringSchedule" else "Stopped"
        )
        return _Response(200), {}

    def _endpoint(self, parsed: dict[str, Any], **_: Any) -> None:
        name = parsed.get("EndpointName")
        if name in self.endpoint_configs:
            parsed["EndpointConfigName"] = self.endpoint_configs[name]


def seed_endpoint(sm: Any, endpoint: str, package_arn: str = "") -> None:
    """A model (from a package, if given), an endpoint config without capture, an endpoint."""
    container = {"ModelPackageName": package_arn} if package_arn else {"Image": "model:1"}
    model = f"{endpoint}-model"
    sm.create_model(ModelName=model, ExecutionRoleArn=ROLE, PrimaryContainer=container)
    sm.create_endpoint_config(
        EndpointConfigName=f"{endpoint}-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": model,
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    )
    sm.create_endpoint(EndpointName=endpoint, EndpointConfigName=f"{endpoint}-config")


def write_capture(path: Path, records: list[dict[str, Any]]) -> None:
    """JSON lines as an endpoint writes them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
