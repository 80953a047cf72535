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

EVENT_TYPE = "io.driftline.monitoring.alert"
TOKEN_ENV = "DRIFTLINE_WEBHOOK_TOKEN"


@dataclass(frozen=True)
class AlertMessage:
    """What a monitoring alert says."""

    model: str
    window_start: str
    window_end: str
    reasons: list[str]
    drifted_columns: list[str] = field(default_factory=list)
    drift_share: float | None = None
    validation_status: str | None = None
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
    drift_report: dict[str, Any] | None = None,
    validation_report: dict[str, Any] | None = None,
    performance_report: dict[str, Any] | None = None,
    report_uri: str = "",
    run_id: str = "",
) -> AlertMessage | None:
    """The alert the reports call for, or None when nothing is wrong."""
    reasons: list[str] = []
    drifted: list[str] = []
    drift_share = None
    status = None
    if drift_report is not None:
        drift_share = float(drift_report.get("drift_share", 0.0))
        drifted = [c["name"] for c in drift_report.get("columns", []) if c.get("drift_detected")]
        if drift_report.get("drift_detected"):
            reasons.append(
                f"drift in {len(drifted)} column(s) ({drift_share:.0%}): {', '.join(drifted[:5])}"
            )
    if validation_report is not None:
        status = str(validation_report.get("status"))
        if status == "fail":
            errors = validation_report.get("counts", {}).get("error", 0)
            reasons.append(f"validation failed with {errors} error(s)")
    if performance_report is not None and performance_report.get("degraded"):
        reasons.append("model performance degraded")
    if not reasons:
        return None
    return AlertMessage(
        model=model,
        window_start=window_start,
        window_end=window_end,
        reasons=reasons,
        drifted_columns=drifted,
        drift_share=drift_share,
        validation_status=status,
        report_uri=report_uri,
        run_id=run_id,
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


def _read_json(path: str) -> dict[str, Any] | None:
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            document: dict[str, Any] = json.load(handle)
    except FileNotFoundError:
        raise InputError(f"report file not found: {path}", param="report") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"report {path} is not valid JSON: {exc}", param="report") from None
    return document


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
    """Read the report files; returns the alert they call for (None: all is well).

    The alert is sent to `url` when one is given.
    """
    message = build_alert(
        model=model,
        window_start=window_start,
        window_end=window_end,
        drift_report=_read_json(drift_report_path),
        validation_report=_read_json(validation_report_path),
        performance_report=_read_json(performance_report_path),
        report_uri=report_uri,
        run_id=run_id,
    )
    if message is not None and url:
        send_alert(message, url)
    return message
