"""The generated alert rules, checked and unit-tested by the real promtool."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from driftline.errors import InputError
from driftline.observability.rules import ALERTS, AlertThresholds, build_rule_groups, rule_file

SEL = 'model="bike",namespace="ml"'
OTHER = 'model="other",namespace="ml"'
LABELS = {"model": "bike", "namespace": "ml"}
URL = "https://grafana.example/d/driftline-ml-bike"


def write_rules(tmp_path: Path, **kw: Any) -> Path:
    groups = build_rule_groups("bike", "ml", report_url=URL, **kw)
    path = tmp_path / "rules.yml"
    path.write_text(rule_file(groups))
    return path


def run_promtool(promtool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool, *args], capture_output=True, text=True, timeout=60)


def annotations(summary: str, description: str) -> dict[str, str]:
    return {"summary": summary, "description": description, "report_url": URL}


def test_promtool_check_rules_accepts_generated_rules(tmp_path: Path, promtool: str) -> None:
    path = write_rules(tmp_path, thresholds=AlertThresholds(drift_share=0.3))
    result = run_promtool(promtool, "check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 7 rules found" in result.stdout


def test_promtool_check_rules_catches_a_broken_rule(tmp_path: Path, promtool: str) -> None:
    # the check must be able to fail: corrupt one expression of the generated file
    path = write_rules(tmp_path)
    doc = yaml.safe_load(path.read_text())
    doc["groups"][1]["rules"][0]["expr"] = "max by (model (driftline_drift_share"
    path.write_text(yaml.safe_dump(doc))
    assert run_promtool(promtool, "check", "rules", str(path)).returncode != 0


def test_every_alert_has_model_namespace_severity_and_annotations() -> None:
    groups = build_rule_groups("bike", "ml", report_url=URL)
    rules = [rule for group in groups for rule in group["rules"]]
    assert sorted({r["alert"] for r in rules}) == sorted(ALERTS)
    for rule in rules:
        assert {"model": "bike", "namespace": "ml"}.items() <= rule["labels"].items()
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert set(rule["annotations"]) == {"summary", "description", "report_url"}


# (name, input series, eval time, expected alerts) -- each alert once firing, once silent
CASES: list[tuple[str, list[dict[str, str]], str, str, list[dict[str, Any]]]] = [
    (
        "error rate 10% fires",
        [
            {
                "series": f'revision_request_count{{{SEL},response_code_class="2xx"}}',
                "values": "0+54x30",
            },
            {
                "series": f'revision_request_count{{{SEL},response_code_class="5xx"}}',
                "values": "0+6x30",
            },
        ],
        "DriftlineHighErrorRate",
        "15m",
        [
            {
                "exp_labels": {**LABELS, "severity": "critical"},
                "exp_annotations": annotations(
                    "bike: error rate above 5%", "10% of requests to ml/bike failed over 5m."
                ),
            }
        ],
    ),
    (
        "error rate 2% is silent",
        [
            {
                "series": f'revision_request_count{{{SEL},response_code_class="2xx"}}',
                "values": "0+54x30",
            },
            {
                "series": f'revision_request_count{{{SEL},response_code_class="5xx"}}',
                "values": "0+1x30",
            },
        ],
        "DriftlineHighErrorRate",
        "15m",
        [],
    ),
    (
        "error rate of another model is silent",
        [
            {
                "series": f'revision_request_count{{{OTHER},response_code_class="5xx"}}',
                "values": "0+6x30",
            },
        ],
        "DriftlineHighErrorRate",
        "15m",
        [],
    ),
    (
        "p95 latency 4.8s fires",
        [
            {"series": f'revision_request_latencies_bucket{{{SEL},le="{le}"}}', "values": values}
            for le, values in (
                ("100", "0x30"),
                ("1000", "0x30"),
                ("5000", "0+10x30"),
                ("+Inf", "0+10x30"),
            )
        ],
        "DriftlineHighLatencyP95",
        "15m",
        [
            {
                "exp_labels": {**LABELS, "severity": "warning"},
                "exp_annotations": annotations(
                    "bike: p95 latency above 1s", "p95 request latency of ml/bike is 4.8s over 5m."
                ),
            }
        ],
    ),
    (
        "p95 latency 95ms is silent",
        [
            {"series": f'revision_request_latencies_bucket{{{SEL},le="{le}"}}', "values": values}
            for le, values in (
                ("100", "0+10x30"),
                ("1000", "0+10x30"),
                ("5000", "0+10x30"),
                ("+Inf", "0+10x30"),
            )
        ],
        "DriftlineHighLatencyP95",
        "15m",
        [],
    ),
    (
        "drift share 80% fires",
        [{"series": f"driftline_drift_share{{{SEL}}}", "values": "0.2 0.2 0.8 0.8"}],
        "DriftlineDataDrift",
        "3m",
        [
            {
                "exp_labels": {**LABELS, "severity": "warning"},
                "exp_annotations": annotations(
                    "bike: data drift",
                    "80% of the monitored columns of ml/bike drifted (threshold 50%).",
                ),
            }
        ],
    ),
    (
        "drift share 20% is silent",
        [{"series": f"driftline_drift_share{{{SEL}}}", "values": "0.2 0.2 0.8 0.8"}],
        "DriftlineDataDrift",
        "1m",
        [],
    ),
    (
        "validation errors fire",
        [
            {
                "series": f'driftline_validation_violations{{{SEL},severity="error"}}',
                "values": "0 0 3 3",
            },
            {
                "series": f'driftline_validation_violations{{{SEL},severity="warning"}}',
                "values": "5 5 5 5",
            },
        ],
        "DriftlineValidationFailed",
        "3m",
        [
            {
                "exp_labels": {**LABELS, "severity": "critical"},
                "exp_annotations": annotations(
                    "bike: data validation failed",
                    "The last monitoring window of ml/bike has 3 validation error(s).",
                ),
            }
        ],
    ),
    (
        "validation warnings alone are silent",
        [
            {
                "series": f'driftline_validation_violations{{{SEL},severity="error"}}',
                "values": "0 0 3 3",
            },
            {
                "series": f'driftline_validation_violations{{{SEL},severity="warning"}}',
                "values": "5 5 5 5",
            },
        ],
        "DriftlineValidationFailed",
        "1m",
        [],
    ),
    (
        "performance degraded fires",
        [{"series": f"driftline_performance_degraded{{{SEL}}}", "values": "0 1 1"}],
        "DriftlinePerformanceDegraded",
        "2m",
        [
            {
                "exp_labels": {**LABELS, "severity": "critical"},
                "exp_annotations": annotations(
                    "bike: model performance dropped",
                    "The latest labelled window of ml/bike performs below its baseline.",
                ),
            }
        ],
    ),
    (
        "performance fine is silent",
        [{"series": f"driftline_performance_degraded{{{SEL}}}", "values": "0 1 1"}],
        "DriftlinePerformanceDegraded",
        "0m",
        [],
    ),
    (
        "stale last run fires after twice the interval",
        [{"series": f"driftline_last_run_timestamp_seconds{{{SEL}}}", "values": "0x200"}],
        "DriftlineMonitoringRunMissing",
        "3h",
        [
            {
                "exp_labels": {**LABELS, "severity": "warning", "reason": "stale"},
                "exp_annotations": annotations(
                    "bike: no monitoring run reported",
                    "No monitoring run of ml/bike reported for 3h 0m 0s "
                    "(more than twice the schedule interval).",
                ),
            }
        ],
    ),
    (
        "last run one interval ago is silent",
        [{"series": f"driftline_last_run_timestamp_seconds{{{SEL}}}", "values": "0x200"}],
        "DriftlineMonitoringRunMissing",
        "1h",
        [],
    ),
    (
        "regular runs are silent",
        [{"series": f"driftline_last_run_timestamp_seconds{{{SEL}}}", "values": "0+60x200"}],
        "DriftlineMonitoringRunMissing",
        "3h",
        [],
    ),
    (
        "never reported fires after twice the interval",
        [{"series": 'up{job="x"}', "values": "1x200"}],
        "DriftlineMonitoringRunMissing",
        "2h10m",
        [
            {
                "exp_labels": {**LABELS, "severity": "warning", "reason": "never-reported"},
                "exp_annotations": annotations(
                    "bike: no monitoring run reported",
                    "No monitoring run of ml/bike has ever reported "
                    "(none for more than twice the schedule interval).",
                ),
            }
        ],
    ),
    (
        "never reported is silent within twice the interval",
        [{"series": 'up{job="x"}', "values": "1x200"}],
        "DriftlineMonitoringRunMissing",
        "1h50m",
        [],
    ),
]


@pytest.mark.parametrize(
    ("series", "alert", "at", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_promtool_alert_unit_tests(
    tmp_path: Path,
    promtool: str,
    series: list[dict[str, str]],
    alert: str,
    at: str,
    expected: list[dict[str, Any]],
) -> None:
    rules = write_rules(tmp_path, thresholds=AlertThresholds(schedule_interval_seconds=3600))
    test = {
        "rule_files": [rules.name],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": series,
                "alert_rule_test": [{"eval_time": at, "alertname": alert, "exp_alerts": expected}],
            }
        ],
    }
    test_file = tmp_path / "test.yml"
    test_file.write_text(yaml.safe_dump(test, sort_keys=False))
    result = run_promtool(promtool, "test", "rules", str(test_file))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_test_rules_fails_on_a_wrong_expectation(tmp_path: Path, promtool: str) -> None:
    # a silent case expected to fire must make promtool fail: the harness can fail
    rules = write_rules(tmp_path)
    test = {
        "rule_files": [rules.name],
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {"series": f"driftline_drift_share{{{SEL}}}", "values": "0.1 0.1"}
                ],
                "alert_rule_test": [
                    {
                        "eval_time": "1m",
                        "alertname": "DriftlineDataDrift",
                        "exp_alerts": [{"exp_labels": {**LABELS, "severity": "warning"}}],
                    }
                ],
            }
        ],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(test))
    assert run_promtool(promtool, "test", "rules", str(tmp_path / "test.yml")).returncode != 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("error_rate", 0.0),
        ("error_rate", 1.5),
        ("drift_share", 1.0),
        ("latency_p95_seconds", -1.0),
        ("schedule_interval_seconds", 0),
    ],
)
def test_out_of_range_thresholds_are_rejected(field: str, value: float) -> None:
    with pytest.raises(InputError, match=field):
        build_rule_groups(
            "bike", "ml", report_url=URL, thresholds=AlertThresholds(**{field: value})
        )
