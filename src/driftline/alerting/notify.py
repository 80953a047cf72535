"""Send a monitoring alert as a CloudEvent to an HTTP webhook or CloudEvent sink.

The event is structured-mode JSON (`application/cloudevents+json`), so a
Knative broker, an Argo Events webhook or a plain HTTP endpoint all accept it.
Its data has a one-line `text` too, which Slack and Teams incoming webhooks show.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from driftline.errors import DriftlineError, InputError
from driftline.report import DriftReport, PerformanceReport, ValidationReport

EVENT_TYPE = "io.driftline.monitoring.alert"
TOKEN_ENV = "DRIFTLINE_WEBHOOK_TOKEN"


@dataclass(frozen=True)
class AlertMessage:
    """What a monitoring alert says; `performance` is the current performance (the newest
    judged window's metrics, between `performance_window_start` and `_end`)."""

    model: str
    window_start: str
    window_end: str
    reasons: list[str]
    drifted_columns: list[str] = field(default_factory=list)
    drift_share: float | None = None
    validation_status: str | None = None
    performance: dict[str, float] = field(default_factory=dict)
    performance_window_start: str = ""
    performance_window_end: str = ""
    report_uri: str = ""
    run_id: str = ""

    @property
    def text(self) -> str:
        """One line for chat tools."""
        what = "; ".join(self.reasons) or "monitoring alert"
        where = f" Report: {self.report_uri}" if self.report_uri else ""
        return (
            f"driftline: model {self.model}, window {self.window_start} to {self.window_end}: "
            f"{what}.{where}"
        )


def build_alert(
    *,
    model: str,
    window_start: str,
    window_end: str,
    drift_report: DriftReport | None = None,
    validation_report: ValidationReport | None = None,
    performance_report: PerformanceReport | None = None,
    report_uri: str = "",
    run_id: str = "",
) -> AlertMessage | None:
    """The alert the reports call for, or None when nothing is wrong."""
    reasons: list[str] = []
    if drift_report is not None and drift_report.drift_detected:
        drifted = drift_report.drifted_columns
        reasons.append(
            f"drift in {len(drifted)} column(s) ({drift_report.drift_share:.0%}): "
            f"{', '.join(drifted[:5])}"
        )
    if validation_report is not None and validation_report.status == "fail":
        reasons.append(f"validation failed with {validation_report.counts['error']} error(s)")
    if performance_report is not None and performance_report.degraded:
        reasons.append(_degradation(performance_report))
    if performance_report is not None and performance_report.estimated_degraded:
        reasons.append(_estimated_degradation(performance_report))
    if not reasons:
        return None
    current = performance_report.current if performance_report is not None else None
    return AlertMessage(
        model=model,
        window_start=window_start,
        window_end=window_end,
        reasons=reasons,
        drifted_columns=drift_report.drifted_columns if drift_report is not None else [],
        drift_share=drift_report.drift_share if drift_report is not None else None,
        validation_status=validation_report.status if validation_report is not None else None,
        performance=current.metrics if current else {},
        performance_window_start=current.start if current else "",
        performance_window_end=current.end if current else "",
        report_uri=report_uri,
        run_id=run_id,
    )


def _degradation(report: PerformanceReport) -> str:
    """The reason line, with the current performance against the training-time baseline."""
    current = report.current
    if current is None:
        return "model performance degraded"
    baseline = report.baseline or {}
    names = [n for n in current.metrics if n in baseline] or list(current.metrics)
    numbers = ", ".join(
        f"{n} {current.metrics[n]:.4g}"
        + (f" (training {baseline[n]:.4g})" if n in baseline else "")
        for n in names[:4]
    )
    starts = report.degraded_windows
    listed = ", ".join(starts[:3]) + (f" and {len(starts) - 3} more" if len(starts) > 3 else "")
    earlier = "" if current.degraded else f" in the window(s) starting {listed}"
    return (
        f"model performance degraded{earlier}; current window {current.start}..{current.end}: "
        f"{numbers}"
    )


def _estimated_degradation(report: PerformanceReport) -> str:
    """The reason line of an estimated degradation: the newest such window's estimates."""
    start = report.estimated_degraded_windows[-1]
    window = next(w for w in report.windows if w.start == start)
    judged = (window.model_extra or {}).get("estimated_degradation", {})
    numbers = ", ".join(
        f"{name} estimated {d['value']:.4g} [{d['low']:.4g}, {d['high']:.4g}] "
        f"(training {d['baseline']:.4g})"
        for name, d in judged.items()
        if d["degraded"]
    )
    count = len(report.estimated_degraded_windows)
    return (
        f"model performance degraded by estimate (CBPE, labels not in yet) in {count} "
        f"window(s); newest {window.start}..{window.end}: {numbers}"
    )


def to_cloudevent(message: AlertMessage, source: str = "driftline") -> dict[str, Any]:
    """The structured-mode CloudEvent (spec 1.0) for `message`."""
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": f"{source}/{message.model}",
        "type": EVENT_TYPE,
        "subject": message.model,
        "time": datetime.now(UTC).isoformat(),
        "datacontenttype": "application/json",
        "data": {**asdict(message), "text": message.text},
    }


def send_alert(
    message: AlertMessage, url: str, *, token: str | None = None, timeout: float = 10.0
) -> dict[str, Any]:
    """POST `message` as a CloudEvent to `url`; returns the event sent.

    The bearer token comes from `token` or the DRIFTLINE_WEBHOOK_TOKEN environment
    variable (in KFP: a Kubernetes secret mapped to env, never a parameter).
    """
    import requests

    if not url.startswith(("http://", "https://")):
        raise InputError(
            f"notification URL must start with http:// or https://, got {url!r}", param="url"
        )
    event = to_cloudevent(message)
    headers = {"Content-Type": "application/cloudevents+json; charset=utf-8"}
    token = token or os.environ.get(TOKEN_ENV)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = requests.post(url, data=json.dumps(event), headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        raise DriftlineError(f"cannot reach notification URL {url}: {exc}") from exc
    if response.status_code >= 300:
        raise DriftlineError(
            f"notification URL {url} answered {response.status_code}: {response.text[:200]}"
        )
    return event


def notify_from_reports(
    *,
    url: str,
    model: str,
    window_start: str,
    window_end: str,
    drift_report_path: str = "",
    validation_report_path: str = "",
    performance_report_path: str = "",
    report_uri: str = "",
    run_id: str = "",
) -> AlertMessage | None:
    """Load the reports (files, folders or URIs; empty: none); returns the alert they call
    for (None: all is well).

    The alert is sent to `url` when one is given.
    """
    message = build_alert(
        model=model,
        window_start=window_start,
        window_end=window_end,
        drift_report=DriftReport.load(drift_report_path) if drift_report_path else None,
        validation_report=(
            ValidationReport.load(validation_report_path) if validation_report_path else None
        ),
        performance_report=(
            PerformanceReport.load(performance_report_path) if performance_report_path else None
        ),
        report_uri=report_uri,
        run_id=run_id,
    )
    if message is not None and url:
        send_alert(message, url)
    return message
