"""The receiver: answers per route, the journal across restarts, retries and give-ups."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from mlflow.webhooks.delivery import _generate_hmac_signature

from driftline.errors import InputError, PlatformError
from driftline.events.config import ReceiverConfig, load_config
from driftline.events.journal import Entry, Journal
from driftline.events.server import Receiver, accept_delivery, drain
from driftline.platforms.kfp.api import KfpApiClient
from driftline.platforms.mlflow.monitoring import AliasMonitoring

SECRET = "s3cret"


def _config() -> ReceiverConfig:
    settings = AliasMonitoring(store="mlflow+http://127.0.0.1:1", pipeline_id="p-1")
    return ReceiverConfig(KfpApiClient(host="http://127.0.0.1:1"), settings, SECRET)


def _delivery(delivery: str = "d-1", alias: str = "champion") -> tuple[dict, bytes]:
    body = json.dumps(
        {
            "entity": "model_version_alias",
            "action": "created",
            "timestamp": "2026-12-01T10:00:00+00:00",
            "data": {"name": "fraud", "alias": alias, "version": "3"},
        }
    )
    stamp = str(int(time.time()))
    signed = _generate_hmac_signature(SECRET, delivery, stamp, body)
    headers = {
        "x-mlflow-delivery-id": delivery,
        "x-mlflow-timestamp": stamp,
        "x-mlflow-signature": signed,
    }
    return headers, body.encode()


def test_answers_per_route(tmp_path: Path) -> None:
    journal = Journal(str(tmp_path))
    config = _config()
    headers, body = _delivery()
    assert accept_delivery(config, journal, "mlflow", headers, body)[0] == 202
    status, answer = accept_delivery(config, journal, "mlflow", headers, body)
    assert (status, answer["error"]) == (409, "delivery d-1 was already received (replay)")
    assert accept_delivery(config, journal, "mlflow", headers, body + b" ")[0] == 401
    assert accept_delivery(config, journal, "mlflow", {}, body)[0] == 401
    status, answer = accept_delivery(config, journal, "eventbridge", {}, b"{}")
    assert (status, answer["error"]) == (
        404,
        "no route 'eventbridge' configured; configured: /mlflow",
    )
    assert [e.delivery for e in journal.entries()] == ["d-1"]  # nothing else journaled


def test_work_survives_a_restart_and_is_done_once(tmp_path: Path) -> None:
    """A receiver killed after answering, before working: the next one does the work."""
    config, folder = _config(), str(tmp_path / "journal")
    headers, body = _delivery()
    accept_delivery(config, Journal(folder), "mlflow", headers, body)  # then the process died
    done: list[str] = []

    def do(_: ReceiverConfig, entry: Entry) -> Any:
        done.append(entry.delivery)
        return {"recurring_run_id": "r-1"}

    with Receiver(config, Journal(folder), "127.0.0.1", 0, do=do) as receiver:
        deadline = time.monotonic() + 30
        while not done and time.monotonic() < deadline:
            time.sleep(0.05)
        with urllib.request.urlopen(f"{receiver.url}/healthz", timeout=5) as answer:
            health = json.load(answer)
    assert done == ["d-1"]
    assert health["routes"] == "/mlflow"
    [entry] = Journal(folder).entries()
    assert (entry.state, entry.outcome) == ("done", {"recurring_run_id": "r-1"})
    assert drain(config, Journal(folder), do) == 0 and done == ["d-1"]  # never again


def test_transient_failures_are_retried_and_bad_input_given_up(tmp_path: Path) -> None:
    config, journal = _config(), Journal(str(tmp_path))
    for delivery in ("transient", "bad"):
        headers, body = _delivery(delivery)
        accept_delivery(config, journal, "mlflow", headers, body)
    calls: list[str] = []

    def do(_: ReceiverConfig, entry: Entry) -> Any:
        calls.append(entry.delivery)
        if entry.delivery == "bad":
            raise InputError("no data source for model 'fraud'")
        if calls.count("transient") == 1:
            raise PlatformError("KFP API at http://kfp answered 503")
        return "ok"

    assert drain(config, journal, do, retry_delay=0.0) == 2
    states = {e.delivery: (e.state, e.errors) for e in journal.entries()}
    assert states["bad"] == ("failed", ["no data source for model 'fraud'"])
    assert states["transient"] == ("pending", ["KFP API at http://kfp answered 503"])
    assert drain(config, journal, do, retry_delay=0.0) == 1
    assert {e.delivery: e.state for e in journal.entries()} == {
        "bad": "failed",
        "transient": "done",
    }


def test_over_http(tmp_path: Path) -> None:
    headers, body = _delivery()
    with Receiver(_config(), Journal(str(tmp_path)), "127.0.0.1", 0, do=lambda c, e: "ok") as r:
        request = urllib.request.Request(f"{r.url}/mlflow", body, headers, method="POST")
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert answer.status == 202
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=5)
        assert caught.value.code == 409


def test_config_needs_a_route_and_its_secret(tmp_path: Path) -> None:
    path = tmp_path / "receiver.yaml"
    path.write_text("kfp: {host: http://kfp}\n")
    with pytest.raises(InputError, match="configures no route"):
        load_config(str(path), env={})
    path.write_text("mlflow: {store: mlflow+http://mlflow:5000, pipeline_id: p}\n")
    with pytest.raises(InputError, match="DRIFTLINE_MLFLOW_WEBHOOK_SECRET"):
        load_config(str(path), env={})
    config = load_config(str(path), env={"DRIFTLINE_MLFLOW_WEBHOOK_SECRET": "x"})
    assert config.mlflow is not None and config.sagemaker is None
    path.write_text("mlflow: {store: sqlite:///m.db, pipeline_id: p}\n")
    with pytest.raises(InputError, match="must be an MLflow store"):
        load_config(str(path), env={"DRIFTLINE_MLFLOW_WEBHOOK_SECRET": "x"})
    path.write_text("mlflow: {store: mlflow+http://m, pipeline_id: p, alais: x}\n")
    with pytest.raises(InputError, match=r"unknown mlflow setting.*alais; valid: alias"):
        load_config(str(path), env={"DRIFTLINE_MLFLOW_WEBHOOK_SECRET": "x"})
