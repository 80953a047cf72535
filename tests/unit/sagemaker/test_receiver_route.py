"""The receiver's /eventbridge route: an EventBridge API destination's POST of a package
approval, with the connection's token, ends in monitoring set up on moto; the same event
delivered again does nothing twice; the receiver runs without any MLflow settings."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import boto3

from driftline.events.config import ReceiverConfig
from driftline.events.journal import Entry, Journal
from driftline.events.server import Receiver
from driftline.platforms.kfp.api import KfpApiClient
from driftline.platforms.sagemaker import registry, setup
from tests.unit.sagemaker.conftest import ServiceModelStandIn, seed_endpoint
from tests.unit.sagemaker.test_setup import SETTINGS, _event, _package

TOKEN = "eventbridge-token"


def _post(url: str, document: dict[str, Any], token: str = TOKEN) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        json.dumps(document).encode(),
        {"content-type": "application/json", "authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_approval_through_the_receiver_sets_up_monitoring_once(aws: str, tmp_path: Path) -> None:
    sm = boto3.client("sagemaker")
    stand_in = ServiceModelStandIn(sm)  # CreateMonitoringSchedule: moto has none
    arn = _package(sm, "churn")
    seed_endpoint(sm, "churn-prod", package_arn=arn)
    config = ReceiverConfig(
        KfpApiClient(), sagemaker=setup.MonitorSettings(**SETTINGS), eventbridge_token=TOKEN
    )
    journal = Journal(str(tmp_path))

    def do(config: ReceiverConfig, entry: Entry) -> Any:
        assert config.sagemaker is not None
        return registry.handle_event(registry.parse_event(entry.event), config.sagemaker, sm)

    with Receiver(config, journal, "127.0.0.1", 0, do=do) as receiver:
        url = f"{receiver.url}/eventbridge"
        assert _post(url, _event(arn, "Approved"), token="wrong")[0] == 401
        assert _post(f"{receiver.url}/mlflow", {})[0] == 404  # no MLflow settings: no route
        status, answer = _post(url, _event(arn, "Approved"))
        assert (status, answer["approval"]) == (202, "Approved")
        assert _post(url, _event(arn, "Approved")) == (200, {"duplicate": "e-1"})
        deadline = time.monotonic() + 60
        while journal.entries()[0].state == "pending" and time.monotonic() < deadline:
            time.sleep(0.1)
    [entry] = journal.entries()
    assert entry.state == "done", entry.errors
    [done] = entry.outcome["monitored"]
    assert done["endpoint"] == "churn-prod"
    assert stand_in.schedules[done["schedule"]["schedule"]]["MonitoringScheduleStatus"] == (
        "Scheduled"
    )
    assert len(sm.list_data_quality_job_definitions()["JobDefinitionSummaries"]) == 1


def test_a_package_not_yet_deployed_is_retried(aws: str, tmp_path: Path) -> None:
    from driftline.events.server import accept_delivery, drain

    sm = boto3.client("sagemaker")
    arn = _package(sm, "late")
    config = ReceiverConfig(
        KfpApiClient(), sagemaker=setup.MonitorSettings(**SETTINGS), eventbridge_token=TOKEN
    )
    journal = Journal(str(tmp_path))
    body = json.dumps(_event(arn, "Approved")).encode()
    headers = {"authorization": f"Bearer {TOKEN}"}
    assert accept_delivery(config, journal, "eventbridge", headers, body)[0] == 202

    def do(config: ReceiverConfig, entry: Entry) -> Any:
        assert config.sagemaker is not None
        return registry.handle_event(registry.parse_event(entry.event), config.sagemaker, sm)

    drain(config, journal, do, retry_delay=0.0)
    [entry] = journal.entries()
    assert entry.state == "pending" and "serves no endpoint yet" in entry.errors[0]
