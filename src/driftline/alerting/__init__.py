"""Alerting: tell people when a monitoring run finds a problem, and start retraining."""

from driftline.alerting.notify import AlertMessage, build_alert, notify_from_reports, send_alert

__all__ = ["AlertMessage", "build_alert", "notify_from_reports", "send_alert"]
