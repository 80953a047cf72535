"""Monitoring setup from Model Registry events, against moto (and the service model where
moto has no implementation), and CloudWatch publishing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from driftline.errors import InputError
from driftline.platforms.sagemaker import cloudwatch, setup
from driftline.platforms.sagemaker.registry import (
    DETAIL_TYPE,
    DeliveryAuthError,
    NotDeployedError,
    handle_event,
    parse_event,
    verify_delivery,
)
from tests.unit.sagemaker.conftest import ROLE, ServiceModelStandIn, seed_endpoint

SETTINGS = dict(
    image_uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/driftline:0.1.0",
    role_arn=ROLE,
    capture_uri="s3://monitoring/datacapture",
    output_uri="s3://monitoring/results",
)


def _package(sm: Any, group: str) -> str:
    sm.create_model_package_group(ModelPackageGroupName=group)
    created = sm.create_model_package(
        ModelPackageGroupName=group,
        InferenceSpecification={
            "Containers": [{"Image": "model:1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        ModelApprovalStatus="PendingManualApproval",
        ModelMetrics={
            "ModelDataQuality": {
                "Statistics": {
                    "ContentType": "application/json",
                    "S3Uri": "s3://monitoring/baseline/statistics.json",
                },
                "Constraints": {
                    "ContentType": "application/json",
                    "S3Uri": "s3://monitoring/baseline/constraints.json",
                },
            }
        },
    )
    return created["ModelPackageArn"]


def _event(arn: str, status: str, event_id: str = "e-1") -> dict[str, Any]:
    return {
        "version": "0",
        "id": event_id,
        "detail-type": DETAIL_TYPE,
        "source": "aws.sagemaker",
        "account": "123456789012",
        "time": "2024-05-01T09:00:00Z",
        "region": "us-east-1",
        "resources": [arn],
        "detail": {
            "ModelPackageGroupName": arn.split("/")[-2],
            "ModelPackageVersion": 1,
            "ModelPackageArn": arn,
            "ModelApprovalStatus": status,
            "ModelPackageStatus": "Completed",
        },
    }


@pytest.fixture
def sm(aws: str) -> tuple[Any, ServiceModelStandIn]:
    client = boto3.client("sagemaker")
    return client, ServiceModelStandIn(client)


def test_approval_sets_up_capture_job_definition_and_schedule(sm: Any) -> None:
    """Approved + deployed: capture config, job definition (driftline's image), schedule."""
    client, stand_in = sm
    arn = _package(client, "churn")
    seed_endpoint(client, "churn-prod", package_arn=arn)
    seed_endpoint(client, "other-endpoint")
    settings = setup.MonitorSettings(**SETTINGS)
    done = handle_event(parse_event(_event(arn, "Approved")), settings, client)
    [result] = done["monitored"]
    assert result["endpoint"] == "churn-prod"
    config = client.describe_endpoint_config(
        EndpointConfigName=result["capture"]["endpoint_config"]
    )
    assert config["DataCaptureConfig"]["DestinationS3Uri"] == "s3://monitoring/datacapture"
    assert config["ProductionVariants"][0]["ModelName"] == "churn-prod-model"
    assert (
        client.describe_endpoint(EndpointName="churn-prod")["EndpointConfigName"]
        == config["EndpointConfigName"]
    )
    definition = client.describe_data_quality_job_definition(
        JobDefinitionName=result["job"]["job_definition"]
    )
    assert definition["DataQualityAppSpecification"]["ImageUri"] == SETTINGS["image_uri"]
    assert definition["DataQualityJobInput"]["EndpointInput"]["EndpointName"] == "churn-prod"
    baseline = definition["DataQualityBaselineConfig"]
    assert baseline["StatisticsResource"]["S3Uri"] == "s3://monitoring/baseline/statistics.json"
    schedule = stand_in.schedules[result["schedule"]["schedule"]]
    assert (
        schedule["MonitoringScheduleConfig"]["MonitoringJobDefinitionName"]
        == (definition["JobDefinitionName"])
    )
    assert schedule["MonitoringScheduleStatus"] == "Scheduled"


def test_setup_is_idempotent(sm: Any) -> None:
    """The same approval twice: nothing is created, updated or started the second time."""
    client, stand_in = sm
    arn = _package(client, "fraud")
    seed_endpoint(client, "fraud-prod", package_arn=arn)
    settings = setup.MonitorSettings(**SETTINGS)
    handle_event(parse_event(_event(arn, "Approved")), settings, client)
    configs = len(client.list_endpoint_configs()["EndpointConfigs"])
    definitions = len(client.list_data_quality_job_definitions()["JobDefinitionSummaries"])
    writes_before = [c for c in stand_in.calls if not c[0].startswith("Describe")]
    again = handle_event(parse_event(_event(arn, "Approved", "e-2")), settings, client)
    [result] = again["monitored"]
    assert (result["capture"]["action"], result["job"]["action"], result["schedule"]["action"]) == (
        "unchanged",
        "unchanged",
        "unchanged",
    )
    assert len(client.list_endpoint_configs()["EndpointConfigs"]) == configs
    assert len(client.list_data_quality_job_definitions()["JobDefinitionSummaries"]) == definitions
    assert [c for c in stand_in.calls if not c[0].startswith("Describe")] == writes_before


def test_rejection_stops_and_a_new_approval_restarts_the_schedule(sm: Any) -> None:
    """Rejected stops the schedule; approving again starts it; a changed setting updates it."""
    client, stand_in = sm
    arn = _package(client, "ranker")
    seed_endpoint(client, "ranker-prod", package_arn=arn)
    settings = setup.MonitorSettings(**SETTINGS)
    handle_event(parse_event(_event(arn, "Approved")), settings, client)
    stopped = handle_event(parse_event(_event(arn, "Rejected", "e-2")), settings, client)
    name = setup.schedule_name("ranker-prod")
    assert stopped == {"stopped": [{"schedule": name, "action": "stopped"}]}
    assert stand_in.schedules[name]["MonitoringScheduleStatus"] == "Stopped"
    daily = setup.MonitorSettings(**SETTINGS, schedule_expression="cron(0 0 ? * * *)")
    again = handle_event(parse_event(_event(arn, "Approved", "e-3")), daily, client)
    assert again["monitored"][0]["schedule"]["action"] == "updated, started"
    assert stand_in.schedules[name]["MonitoringScheduleStatus"] == "Scheduled"


def test_approval_before_deployment_is_retried_later(sm: Any) -> None:
    """A package no endpoint serves yet raises NotDeployedError (the receiver retries)."""
    client, _ = sm
    arn = _package(client, "late")
    with pytest.raises(NotDeployedError, match="serves no endpoint yet"):
        handle_event(
            parse_event(_event(arn, "Approved")), setup.MonitorSettings(**SETTINGS), client
        )
    ignored = handle_event(
        parse_event(_event(arn, "PendingManualApproval")), setup.MonitorSettings(**SETTINGS), client
    )
    assert ignored == {"ignored": "ModelApprovalStatus PendingManualApproval"}


def test_unsupported_calls_are_checked_against_the_service_model(sm: Any) -> None:
    """A request the service model refuses fails in the stand-in, as AWS would refuse it."""
    client, _ = sm
    with pytest.raises(Exception, match="MonitoringScheduleConfig"):
        client.create_monitoring_schedule(
            MonitoringScheduleName="x",
            MonitoringScheduleConfig={"ScheduleConfig": {"ScheduleExpression": 5}},
        )


def test_bad_events_and_settings_are_one_clear_error() -> None:
    """Not a package event, no ARN, non-S3 locations: InputError naming the problem."""
    with pytest.raises(InputError, match=r"expected aws\.sagemaker"):
        parse_event({"source": "aws.s3", "detail-type": "Object Created"})
    with pytest.raises(InputError, match="no ModelPackageArn"):
        parse_event({"source": "aws.sagemaker", "detail-type": DETAIL_TYPE, "detail": {}})
    with pytest.raises(InputError, match=r"capture_uri .gs://x. must be an s3:// URI"):
        setup.MonitorSettings(**{**SETTINGS, "capture_uri": "gs://x"})


def test_headline_metrics_reach_cloudwatch(aws: str) -> None:
    """PutMetricData with Endpoint and MonitoringSchedule dimensions, read back from moto."""
    moment = datetime(2024, 5, 1, 11, tzinfo=UTC)
    sent = cloudwatch.publish_headline(
        {"driftline_drift_share": 0.25, "driftline_violations": 3.0},
        endpoint="churn-prod",
        schedule="driftline-churn-prod",
        timestamp=moment,
        namespace="test/driftline",
    )
    assert sent == 2
    cw = boto3.client("cloudwatch")
    dims = [
        {"Name": "Endpoint", "Value": "churn-prod"},
        {"Name": "MonitoringSchedule", "Value": "driftline-churn-prod"},
    ]
    stats = cw.get_metric_statistics(
        Namespace="test/driftline",
        MetricName="driftline_drift_share",
        Dimensions=dims,
        StartTime=datetime(2024, 5, 1, 10, tzinfo=UTC),
        EndTime=datetime(2024, 5, 1, 12, tzinfo=UTC),
        Period=3600,
        Statistics=["Maximum"],
    )
    assert [p["Maximum"] for p in stats["Datapoints"]] == [0.25]


def test_deliveries_need_the_connection_token() -> None:
    """The API destination's key header (or Bearer form) is required, compared in full."""
    verify_delivery({"Authorization": "Bearer s3cret"}, "s3cret")
    verify_delivery({"x-api-key": "s3cret"}, "s3cret", header="X-Api-Key")
    for headers in ({}, {"Authorization": "Bearer s3cre"}, {"Authorization": "s3cret-and-more"}):
        with pytest.raises(DeliveryAuthError):
            verify_delivery(headers, "s3cret")
    with pytest.raises(DeliveryAuthError, match="DRIFTLINE_EVENTBRIDGE_TOKEN"):
        verify_delivery({"Authorization": "x"}, "")


def test_eventbridge_routes_package_events_to_the_receiver(aws: str) -> None:
    """Rule, connection, API destination and target in moto; the rule matches the package
    event (EventBridge's own TestEventPattern) and nothing else; a second run adds nothing."""
    from driftline.platforms.sagemaker.eventbridge import register_receiver

    role = "arn:aws:iam::123456789012:role/eventbridge"
    first = register_receiver("https://receiver.example.com/eventbridge", "s3cret", role)
    assert (first["connection"], first["api_destination"]) == ("created", "created")
    again = register_receiver("https://receiver.example.com/eventbridge", "s3cret", role)
    assert again["api_destination"] == "unchanged"
    moved = register_receiver("https://other.example.com/eventbridge", "s3cret", role)
    assert moved["api_destination"] == "updated"
    events = boto3.client("events")
    assert [r["Name"] for r in events.list_rules()["Rules"]] == [first["name"]]
    [target] = events.list_targets_by_rule(Rule=first["name"])["Targets"]
    assert (target["Arn"], target["RoleArn"]) == (first["api_destination_arn"], role)
    destination = events.describe_api_destination(Name=first["name"])
    assert destination["InvocationEndpoint"] == "https://other.example.com/eventbridge"
    assert destination["HttpMethod"] == "POST"
    # moto delivers matched events to SQS targets: one beside the API destination shows
    # which events the rule's pattern lets through (moto has no TestEventPattern).
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName="matched")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    events.put_targets(
        Rule=first["name"], Targets=[{"Id": "probe", "Arn": queue_arn["Attributes"]["QueueArn"]}]
    )
    package = _event("arn:aws:sagemaker:us-east-1:123456789012:model-package/g/1", "Approved")
    sent = [
        {"Source": "aws.sagemaker", "DetailType": detail, "Detail": json.dumps(package["detail"])}
        for detail in (DETAIL_TYPE, "SageMaker Endpoint State Change")
    ]
    events.put_events(Entries=sent)
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"])["detail-type"] for m in messages] == [DETAIL_TYPE]
    assert parse_event(json.loads(messages[0]["Body"])).approval == "Approved"
    with pytest.raises(InputError, match="must be the receiver's http"):
        register_receiver("receiver:8080", "s3cret", role)


def test_an_endpoint_that_already_captures_keeps_its_settings(sm: Any) -> None:
    """A team's own Data Capture (20 % to its bucket) is left alone; no UpdateEndpoint."""
    client, stand_in = sm
    client.create_model(
        ModelName="own-model", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "m"}
    )
    own = {
        "EnableCapture": True,
        "InitialSamplingPercentage": 20,
        "DestinationS3Uri": "s3://team-bucket/capture",
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
    }
    client.create_endpoint_config(
        EndpointConfigName="own-config",
        ProductionVariants=[
            {"VariantName": "AllTraffic", "ModelName": "own-model", "InitialInstanceCount": 1,
             "InstanceType": "ml.m5.large"}
        ],
        DataCaptureConfig=own,
    )  # fmt: skip
    client.create_endpoint(EndpointName="own-endpoint", EndpointConfigName="own-config")
    done = setup.enable_data_capture(client, "own-endpoint", setup.MonitorSettings(**SETTINGS))
    assert done == {
        "endpoint_config": "own-config",
        "action": "unchanged",
        "destination": "s3://team-bucket/capture",
    }
    assert not [c for c in stand_in.calls if c[0] == "UpdateEndpoint"]
