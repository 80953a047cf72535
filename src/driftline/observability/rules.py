"""Prometheus alerting rules for one monitored model.

Serving alerts (error rate, p95 latency) read the model server's request
metrics; monitoring alerts (drift, validation, performance, dead-man's switch)
read the `driftline_*` metrics that `publish_monitoring_metrics` pushes. Every
alert carries the labels `model`, `namespace`, `severity` and the annotations
`summary`, `description`, `report_url`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from driftline.errors import InputError

ALERTS = (
    "DriftlineHighErrorRate",
    "DriftlineHighLatencyP95",
    "DriftlineDataDrift",
    "DriftlineValidationFailed",
    "DriftlinePerformanceDegraded",
    "DriftlineMonitoringRunMissing",
)


@dataclass(frozen=True)
class ServingMetrics:
    """Names of the model server's request metrics (defaults: Knative queue-proxy, which
    fronts every serverless-mode KServe predictor; latencies there are in milliseconds).

    The monitors relabel every scraped series with `model` and `namespace`, so the
    rules select on those two labels whatever server produced the metric.
    """

    requests_total: str = "revision_request_count"
    error_matcher: str = 'response_code_class="5xx"'
    latency_bucket: str = "revision_request_latencies_bucket"
    latency_unit_seconds: float = 0.001


@dataclass(frozen=True)
class AlertThresholds:
    """When each alert fires."""

    error_rate: float = 0.05
    latency_p95_seconds: float = 1.0
    drift_share: float = 0.5
    schedule_interval_seconds: int = 3600
    rate_window: str = "5m"
    serving_for: str = "5m"

    def check(self) -> None:
        """Raise InputError naming the first threshold that is out of range."""
        for name, ok, valid in (
            ("error_rate", 0 < self.error_rate < 1, "a share in (0, 1)"),
            ("drift_share", 0 <= self.drift_share < 1, "a share in [0, 1)"),
            ("latency_p95_seconds", self.latency_p95_seconds > 0, "a positive number"),
            ("schedule_interval_seconds", self.schedule_interval_seconds > 0, "positive seconds"),
        ):
            if not ok:
                raise InputError(f"{name} must be {valid}, got {getattr(self, name)!r}", param=name)


def build_rule_groups(
    model: str,
    namespace: str,
    *,
    report_url: str,
    thresholds: AlertThresholds | None = None,
    serving: ServingMetrics | None = None,
) -> list[dict[str, Any]]:
    """Return the Prometheus rule groups (as in a rule file's `groups:`) for one model."""
    t = thresholds or AlertThresholds()
    s = serving or ServingMetrics()
    t.check()
    sel = f'model="{model}",namespace="{namespace}"'
    by = "by (model, namespace)"
    stale_after = 2 * int(t.schedule_interval_seconds)

    def alert(
        name: str, expr: str, severity: str, summary: str, description: str, **kw: Any
    ) -> dict[str, Any]:
        extra_labels = kw.pop("labels", {})
        rule: dict[str, Any] = {"alert": name, "expr": expr}
        rule.update(kw)
        rule["labels"] = {"severity": severity, "model": model, "namespace": namespace}
        rule["labels"].update(extra_labels)
        rule["annotations"] = {
            "summary": summary,
            "description": description,
            "report_url": report_url,
        }
        return rule

    errors = f"sum {by} (rate({s.requests_total}{{{sel},{s.error_matcher}}}[{t.rate_window}]))"
    total = f"sum {by} (rate({s.requests_total}{{{sel}}}[{t.rate_window}]))"
    buckets = f"sum by (le, model, namespace) (rate({s.latency_bucket}{{{sel}}}[{t.rate_window}]))"
    p95 = f"histogram_quantile(0.95, {buckets}) * {s.latency_unit_seconds:g}"
    last_run = f"max {by} (driftline_last_run_timestamp_seconds{{{sel}}})"
    serving_rules = [
        alert(
            "DriftlineHighErrorRate",
            f"{errors} / {total} > {t.error_rate:g}",
            "critical",
            f"{model}: error rate above {t.error_rate:.0%}",
            "{{ $value | humanizePercentage }} of requests to "
            f"{namespace}/{model} failed over {t.rate_window}.",
            **{"for": t.serving_for},
        ),
        alert(
            "DriftlineHighLatencyP95",
            f"{p95} > {t.latency_p95_seconds:g}",
            "warning",
            f"{model}: p95 latency above {t.latency_p95_seconds:g}s",
            "p95 request latency of "
            f"{namespace}/{model} is {{{{ $value | humanizeDuration }}}} over {t.rate_window}.",
            **{"for": t.serving_for},
        ),
    ]
    monitoring = [
        alert(
            "DriftlineDataDrift",
            f"max {by} (driftline_drift_share{{{sel}}}) > {t.drift_share:g}",
            "warning",
            f"{model}: data drift",
            "{{ $value | humanizePercentage }} of the monitored columns of "
            f"{namespace}/{model} drifted (threshold {t.drift_share:.0%}).",
        ),
        alert(
            "DriftlineValidationFailed",
            f'max {by} (driftline_validation_violations{{{sel},severity="error"}}) > 0',
            "critical",
            f"{model}: data validation failed",
            "The last monitoring window of "
            f"{namespace}/{model} has {{{{ $value }}}} validation error(s).",
        ),
        alert(
            "DriftlinePerformanceDegraded",
            f"max {by} (driftline_performance_degraded{{{sel}}}) > 0",
            "critical",
            f"{model}: model performance dropped",
            f"The latest labelled window of {namespace}/{model} performs below its baseline.",
        ),
        alert(
            "DriftlineMonitoringRunMissing",
            f"time() - {last_run} > {stale_after}",
            "warning",
            f"{model}: no monitoring run reported",
            f"No monitoring run of {namespace}/{model} reported for "
            f"{{{{ $value | humanizeDuration }}}} (more than twice the schedule interval).",
            labels={"reason": "stale"},
        ),
        alert(
            "DriftlineMonitoringRunMissing",
            f"absent(driftline_last_run_timestamp_seconds{{{sel}}})",
            "warning",
            f"{model}: no monitoring run reported",
            f"No monitoring run of {namespace}/{model} has ever reported "
            "(none for more than twice the schedule interval).",
            labels={"reason": "never-reported"},
            **{"for": f"{stale_after}s"},
        ),
    ]
    return [
        {"name": f"driftline.{namespace}.{model}.serving", "rules": serving_rules},
        {"name": f"driftline.{namespace}.{model}.monitoring", "rules": monitoring},
    ]


def rule_file(groups: list[dict[str, Any]]) -> str:
    """A Prometheus rule file (the `rule_files:` format promtool checks)."""
    return yaml.safe_dump({"groups": groups}, sort_keys=False, width=1000)
