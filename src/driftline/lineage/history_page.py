"""The monitoring-history page of one model: "since when, and what changed".

Built from a lineage store's monitoring records (any backend) and the reports they link
to: drift share per window with its top drifted columns, validation status, performance
against the training baseline, the alerts the reports called for, and links to each
window's reports. One self-contained HTML page, like the reports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape

from driftline.alerting.notify import build_alert
from driftline.errors import DriftlineError
from driftline.lineage.records import ModelLineage, MonitoringRecord
from driftline.report import DriftReport, PerformanceReport, ValidationReport, charts, load_report
from driftline.report.html import cards, number, page, share, table

TOP_COLUMNS = 3
CHART_METRICS = 3
_STATUS_CLASS = {"ok": "ok", "warning": "warn", "fail": "bad"}
# KFP writes a component's outputs side by side, named after the outputs: the report's
# page sits beside its JSON (`.../check-drift/report` -> `.../check-drift/report_html`).
_JSON_OUTPUT, _HTML_OUTPUT = "report", "report_html"


@dataclass
class WindowHistory:
    """One monitoring run and the reports it recorded (None: not recorded or unreadable)."""

    record: MonitoringRecord
    drift: DriftReport | None = None
    validation: ValidationReport | None = None
    performance: PerformanceReport | None = None
    unreadable: dict[str, str] = field(default_factory=dict)

    @property
    def start(self) -> datetime:
        """The window's start (the run's time when the record names no window)."""
        if self.record.window_start:
            return _parse_time(self.record.window_start)
        return datetime.fromtimestamp(self.record.created_ms / 1000, tz=UTC)

    @property
    def alert(self) -> list[str]:
        """The reasons of the alert these reports call for (empty: no alert)."""
        message = build_alert(
            model="",
            window_start=self.record.window_start or "",
            window_end=self.record.window_end or "",
            drift_report=self.drift,
            validation_report=self.validation,
            performance_report=self.performance,
        )
        return message.reasons if message else []


def load_windows(runs: list[MonitoringRecord]) -> list[WindowHistory]:
    """Each run with the reports its record links to; a report that cannot be read is noted
    on the page instead of hiding the whole history."""
    windows = []
    for run in runs:
        window = WindowHistory(run)
        for kind, uri in run.reports.items():
            if kind not in ("drift", "validation", "performance"):
                continue
            try:
                setattr(window, kind, load_report(uri))
            except DriftlineError as exc:
                window.unreadable[kind] = str(exc)
        windows.append(window)
    return windows


def model_label(lineage: ModelLineage) -> str:
    """How the page names a model: its URI's last folder name and its lineage-store id."""
    uri = lineage.model.uri.rstrip("/")
    return f"{uri.rsplit('/', 1)[-1] or uri} (id {lineage.model.id})"


def render_history_html(model: str, windows: list[WindowHistory]) -> str:
    """The history page of `model` over `windows` (oldest first)."""
    if not windows:
        empty = "<p>No monitoring results are recorded for this model yet.</p>"
        return page(f"Monitoring history: {model}", "no monitoring runs", empty)
    starts = [w.start for w in windows]
    alerts = [w.alert for w in windows]
    drift = [w.record.drift_share for w in windows]
    threshold = next(
        (w.drift.drift_share_threshold for w in reversed(windows) if w.drift is not None), None
    )
    body = [
        _summary(windows, alerts),
        "<h2>Drift share per window</h2>",
        charts.share_bars(starts, drift, threshold=threshold, alerts=[bool(a) for a in alerts]),
        *_performance_charts(windows, starts),
        "<h2>Windows</h2>",
        table(
            [
                "window",
                "validation",
                "drift share",
                "top drifted columns",
                "performance",
                "alert",
                "reports",
            ],
            [_row(w, a) for w, a in zip(windows, alerts, strict=True)],
            numeric={2},
        ),
    ]
    first, last = windows[0].record, windows[-1].record
    subtitle = (
        f"{len(windows)} monitoring runs, windows from {_day(first.window_start)} to "
        f"{_day(last.window_end)}"
    )
    return page(f"Monitoring history: {model}", subtitle, "".join(body))


def _summary(windows: list[WindowHistory], alerts: list[list[str]]) -> str:
    raised = [w for w, a in zip(windows, alerts, strict=True) if a]
    since = _first_of_last_streak(alerts)
    latest = windows[-1].record
    items = [
        ("monitoring runs", str(len(windows)), ""),
        ("alerts raised", str(len(raised)), "bad" if raised else "ok"),
        (
            "alerting since",
            _day(windows[since].record.window_start) if since is not None else "–",
            "bad" if since is not None else "ok",
        ),
        ("latest validation", latest.validation_status or "–", _status(latest)),
        (
            "latest drift share",
            share(latest.drift_share) if latest.drift_share is not None else "–",
            "bad" if latest.drift_detected else "ok",
        ),
    ]
    return cards(items)


def _first_of_last_streak(alerts: list[list[str]]) -> int | None:
    """Index of the first window of the newest unbroken run of alerting windows."""
    if not alerts or not alerts[-1]:
        return None
    index = len(alerts) - 1
    while index > 0 and alerts[index - 1]:
        index -= 1
    return index


def _performance_charts(windows: list[WindowHistory], starts: list[datetime]) -> list[str]:
    """The current performance of each run against the training baseline, per metric."""
    baseline: dict[str, float] = {}
    for window in windows:
        if window.performance is not None and window.performance.baseline:
            baseline = window.performance.baseline
    names = [n for n in baseline if any(n in w.record.performance for w in windows)]
    if not names:
        names = list(dict.fromkeys(n for w in windows for n in w.record.performance))
    out = []
    for name in names[:CHART_METRICS]:
        out.append(f"<h2>{escape(name)} against the training baseline</h2>")
        out.append(
            charts.metric_over_time(
                name,
                starts,
                [w.record.performance.get(name) for w in windows],
                baseline=baseline.get(name),
                degraded=[bool(w.record.performance_degraded) for w in windows],
            )
        )
    return out


def _row(window: WindowHistory, alert: list[str]) -> list[str]:
    record = window.record
    status = record.validation_status or "–"
    if window.validation is not None and window.validation.violations:
        status += f" ({len(window.validation.violations)})"
    drifted = window.drift.drifted_columns[:TOP_COLUMNS] if window.drift is not None else []
    return [
        f"{escape(_day(record.window_start))}<br>"
        f"<span class='meta'>to {escape(_day(record.window_end))}</span>",
        f"<span class='{_status(record)}'>{escape(status)}</span>",
        share(record.drift_share) if record.drift_share is not None else "–",
        escape(", ".join(drifted)) or "–",
        _performance(window),
        _alert(alert),
        _links(window),
    ]


def _alert(reasons: list[str]) -> str:
    """Each reason's headline (the full text on hover)."""
    if not reasons:
        return "–"
    heads = [reason.split(":")[0].split(";")[0] for reason in reasons]
    full = escape(" | ".join(reasons), quote=True)
    return f"<span class='bad' title='{full}'>{escape('; '.join(heads))}</span>"


def _performance(window: WindowHistory) -> str:
    record = window.record
    if not record.performance:
        return "–"
    baseline = (window.performance.baseline if window.performance else None) or {}
    parts = []
    shown = [n for n in baseline if n in record.performance] or list(record.performance)
    for name in shown[:1]:
        value = record.performance[name]
        text = f"{name} {number(value)}"
        if name in baseline and math.isfinite(baseline[name]):
            text += f" (training {number(baseline[name])})"
        parts.append(text)
    css = "bad" if record.performance_degraded else ""
    return f"<span class='{css}'>{escape('; '.join(parts))}</span>"


def _links(window: WindowHistory) -> str:
    links = []
    for kind, uri in window.record.reports.items():
        page_uri = html_page_of(uri)
        label = f"<a href='{escape(page_uri, quote=True)}'>{escape(kind)}</a>"
        label += f" (<a href='{escape(uri, quote=True)}'>json</a>)"
        if kind in window.unreadable:
            label += (
                f" <span class='warn' title='{escape(window.unreadable[kind])}'>unreadable</span>"
            )
        links.append(label)
    return "<br>".join(links) or "–"


def html_page_of(uri: str) -> str:
    """The HTML page recorded beside a report's JSON output (KFP's artifact layout), or the
    JSON itself when the URI does not follow it."""
    head, _, last = uri.rstrip("/").rpartition("/")
    return f"{head}/{_HTML_OUTPUT}" if head and last == _JSON_OUTPUT else uri


def _status(record: MonitoringRecord) -> str:
    return _STATUS_CLASS.get(record.validation_status or "", "")


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(text: str | None) -> str:
    return text[:10] if text else "?"


def write_history_page(out: str, model: str, runs: list[MonitoringRecord]) -> str:
    """Read the reports `runs` link to, render the history page of `model`, and publish it
    at `out` (a path or URI) whole; returns `out`."""
    from driftline import storage

    return storage.write_text(out, render_history_html(model, load_windows(runs)))
