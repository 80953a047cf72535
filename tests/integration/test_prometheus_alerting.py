"""End to end with the real servers: push a drifted run, see the alert fire and reach
Alertmanager.

Prometheus, Pushgateway and Alertmanager (Debian packages, installed by make test-env)
run as subprocesses on free loopback ports with temporary storage and 1 s
scrape/evaluation intervals; the rules are the ones setup-monitoring generates.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from driftline.observability.publish import publish_monitoring_metrics
from driftline.observability.rules import build_rule_groups, rule_file
from tests.unit.observability.reports import drift_report, validation_report

pytestmark = pytest.mark.integration
MODEL, NAMESPACE = "bike-sharing", "ml-team"
REPORT_URL = "https://kfp.example/#/runs/details/run-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: apt-get install prometheus prometheus-pushgateway "
                    "prometheus-alertmanager (make test-env)")  # fmt: skip
    return path


def wait_for(check: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except requests.RequestException:
            result = None
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    tmp = tmp_path_factory.mktemp("prometheus-stack")
    ports = {name: free_port() for name in ("prometheus", "pushgateway", "alertmanager")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    (tmp / "alertmanager.yml").write_text(
        yaml.safe_dump(
            {
                "route": {"receiver": "null", "group_wait": "1s", "group_interval": "1s"},
                "receivers": [{"name": "null"}],
            }
        )
    )
    groups = build_rule_groups(MODEL, NAMESPACE, report_url=REPORT_URL)
    (tmp / "rules.yml").write_text(rule_file(groups))
    (tmp / "prometheus.yml").write_text(
        yaml.safe_dump(
            {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": [str(tmp / "rules.yml")],
                "alerting": {
                    "alertmanagers": [
                        {"static_configs": [{"targets": [f"127.0.0.1:{ports['alertmanager']}"]}]}
                    ]
                },
                "scrape_configs": [
                    {
                        "job_name": "pushgateway",
                        "honor_labels": True,
                        "static_configs": [{"targets": [f"127.0.0.1:{ports['pushgateway']}"]}],
                    }
                ],
            }
        )
    )
    commands = {
        "alertmanager": [
            binary("prometheus-alertmanager"),
            f"--config.file={tmp / 'alertmanager.yml'}",
            f"--storage.path={tmp / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{ports['alertmanager']}",
            "--cluster.listen-address=",
        ],
        "pushgateway": [
            binary("prometheus-pushgateway"),
            f"--web.listen-address=127.0.0.1:{ports['pushgateway']}",
        ],
        "prometheus": [
            binary("prometheus"),
            f"--config.file={tmp / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp / 'prom-data'}",
            f"--web.listen-address=127.0.0.1:{ports['prometheus']}",
            "--rules.alert.resend-delay=1s",
        ],
    }
    processes: list[subprocess.Popen[bytes]] = []
    logs: dict[str, Path] = {}
    try:
        for name, command in commands.items():
            logs[name] = tmp / f"{name}.log"
            with logs[name].open("wb") as log:
                processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT))
        for name, url in urls.items():
            wait_for(lambda url=url: requests.get(f"{url}/-/ready", timeout=2).ok, f"{name} ready")
        yield urls
    except AssertionError:
        for name, path in logs.items():
            print(f"--- {name} log ---\n{path.read_text()[-3000:]}")
        raise
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def firing(prometheus: str) -> dict[str, dict[str, Any]]:
    alerts = requests.get(f"{prometheus}/api/v1/alerts", timeout=2).json()["data"]["alerts"]
    return {a["labels"]["alertname"]: a for a in alerts if a["state"] == "firing"}


def test_a_drifted_run_fires_the_drift_alert_and_reaches_alertmanager(
    stack: dict[str, str],
) -> None:
    # before any run, nothing fires (the never-reported switch waits twice the interval)
    time.sleep(2)
    assert firing(stack["prometheus"]) == {}

    publish_monitoring_metrics(
        MODEL,
        NAMESPACE,
        drift_report=drift_report(share=0.8),
        validation_report=validation_report(errors=0, warnings=1),
        pushgateway_url=stack["pushgateway"],
    )

    alert = wait_for(
        lambda: firing(stack["prometheus"]).get("DriftlineDataDrift"), "the drift alert to fire"
    )
    assert alert["labels"] == {
        "alertname": "DriftlineDataDrift",
        "model": MODEL,
        "namespace": NAMESPACE,
        "severity": "warning",
    }
    assert alert["annotations"]["report_url"] == REPORT_URL
    assert alert["annotations"]["description"].startswith("80% of the monitored columns")

    def at_alertmanager() -> dict[str, Any] | None:
        alerts = requests.get(f"{stack['alertmanager']}/api/v2/alerts", timeout=2).json()
        found = [a for a in alerts if a["labels"].get("alertname") == "DriftlineDataDrift"]
        return found[0] if found else None

    received = wait_for(at_alertmanager, "the drift alert at Alertmanager")
    assert received["labels"]["model"] == MODEL
    assert received["labels"]["namespace"] == NAMESPACE
    assert received["annotations"]["summary"] == f"{MODEL}: data drift"
    assert received["status"]["state"] == "active"

    # the run's other results are healthy: no validation alert, no dead-man's switch
    assert set(firing(stack["prometheus"])) == {"DriftlineDataDrift"}
    series = requests.get(
        f"{stack['prometheus']}/api/v1/query",
        params={"query": "driftline_feature_drift_score"},
        timeout=2,
    ).json()["data"]["result"]
    labels = {
        (s["metric"]["feature"], s["metric"]["model"], s["metric"]["namespace"]) for s in series
    }
    assert ("temp", MODEL, NAMESPACE) in labels

    # a fixed run replaces the group's metrics: the alert resolves
    publish_monitoring_metrics(
        MODEL, NAMESPACE, drift_report=drift_report(share=0.2), pushgateway_url=stack["pushgateway"]
    )
    wait_for(
        lambda: "DriftlineDataDrift" not in firing(stack["prometheus"]),
        "the drift alert to resolve",
    )
