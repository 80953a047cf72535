"""Monitoring results back to the model's source run, written so that a retry duplicates nothing.

One monitoring result is one *window* of the run: its folder `driftline/windows/<window end>/`
holds the reports (`<kind>.json`) and, written last, `result.json`, the record `history` reads.
MLflow's metric history keeps every point it is sent, so the write goes in an order that a
retry can finish without repeating anything:

1. `result.json` exists: the window is recorded; nothing is written.
2. The reports and their HTML pages are uploaded (same path again = same file, not a second).
3. Each `production.*` metric is logged at step = the window end (Unix seconds), timestamp =
   the window end, unless the metric's history already has a point at that step.
4. The model version's tags (`driftline.last_*`) are set, unless a later window set them.
5. `result.json` is uploaded: the commit mark.

A task that dies between two steps leaves no `result.json`; its retry (or any later run of the
same window) skips the points already logged and completes the rest. Runs of the same window
at the same moment are not serialised: KFP retries a task after the failed attempt ended.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from typing import Any

from driftline import storage
from driftline.errors import InputError
from driftline.io.windows import as_utc
from driftline.lineage.mlflow.client import call
from driftline.lineage.mlflow.resolve import PROFILE_TAG, Target, find_target
from driftline.lineage.records import MonitoringRecord
from driftline.lineage.summaries import ReportSummary

WINDOWS_FOLDER = "driftline/windows"
PROFILE_PATH = "driftline/baseline"
RESULT_FILE = "result.json"
TAG_PREFIX = "driftline."


def window_step(window_end: str) -> int:
    """The metric step of a window: its end in Unix seconds."""
    return int(as_utc(window_end, "window_end").timestamp())


def window_folder(window_end: str) -> str:
    """`driftline/windows/20240102T000000Z` for a window ending 2024-01-02T00:00:00Z."""
    return f"{WINDOWS_FOLDER}/{as_utc(window_end, 'window_end').strftime('%Y%m%dT%H%M%SZ')}"


def production_metrics(reports: Sequence[ReportSummary]) -> dict[str, float]:
    """The headline numbers as `production.*` metrics (booleans as 0/1)."""
    found: dict[str, float] = {}
    for report in reports:
        h = report.headline
        if report.kind == "drift":
            found["production.drift_share"] = float(h["drift_share"])
            found["production.drifted_columns"] = float(h["drifted_columns"])
            found["production.drift_detected"] = float(bool(h["drift_detected"]))
        elif report.kind == "validation":
            found["production.validation_failed"] = float(h["status"] == "fail")
            found["production.validation_errors"] = float(h["errors"])
            found["production.validation_warnings"] = float(h["warnings"])
            found["production.rows"] = float(h["rows"])
        elif report.kind == "performance":
            found["production.performance_degraded"] = float(bool(h["degraded"]))
            for name, value in (h.get("metrics") or {}).items():
                found[f"production.{name}"] = float(value)
    return found


def verdict(record: MonitoringRecord) -> str:
    """`ok`, or the problems found: `invalid`, `drift`, `degraded` (comma-separated)."""
    problems = [
        name
        for name, found in (
            ("invalid", record.validation_status == "fail"),
            ("drift", bool(record.drift_detected)),
            ("degraded", bool(record.performance_degraded)),
        )
        if found
    ]
    return ",".join(problems) or "ok"


def record_monitoring_result(
    client: Any,
    where: str,
    model: Any,
    reports: Sequence[ReportSummary],
    *,
    run_id: str,
    task: str,
    baseline_ids: Sequence[int] = (),
    window_uri: str | None = None,
    window_start: str | None = None,
    window_end: str | None = None,
    pages: Mapping[str, str] | None = None,
) -> int:
    """Record one window's result on the model's source run (idempotent, see the module);
    returns the window's step."""
    del baseline_ids  # MLflow has no artifact ids: the baseline is the run itself
    _check_kinds(reports)
    perf = next((r.headline for r in reports if r.kind == "performance"), {})
    window_end = window_end or perf.get("window_end") or ""
    window_start = window_start or perf.get("window_start") or ""
    if not window_end:
        raise InputError(
            "`window_end` is needed to record a result in MLflow (it is the metrics' step)",
            param="window_end",
        )
    target = find_target(client, where, model)
    step, folder = window_step(window_end), window_folder(window_end)
    if _exists(client, where, target.run_id, folder, RESULT_FILE):
        return step
    record = _record(reports, step, run_id, task, window_start, window_end, folder, window_uri)
    with tempfile.TemporaryDirectory(prefix="driftline-mlflow-") as tmp:
        for report in reports:
            local = os.path.join(tmp, f"{report.kind}.json")
            storage.write_bytes(
                local, storage.read_bytes(report.path, what=f"{report.kind} report")
            )
            _upload(client, where, target.run_id, local, folder)
            page = (pages or {}).get(report.kind)
            if page:
                local_html = os.path.join(tmp, f"{report.kind}.html")
                storage.write_bytes(local_html, storage.read_bytes(page, what="report page"))
                _upload(client, where, target.run_id, local_html, folder)
        _log_new_points(client, where, target.run_id, production_metrics(reports), step)
        _tag_version(client, where, target, record)
        result = os.path.join(tmp, RESULT_FILE)
        storage.write_text(result, json.dumps(record.to_dict(), indent=2))
        _upload(client, where, target.run_id, result, folder)
    return step


def record_baseline_profile(
    client: Any,
    where: str,
    model: Any,
    profile: ReportSummary,
    *,
    run_id: str = "",
    task: str = "",
    dataset_ids: Sequence[int] = (),
) -> int:
    """Store the baseline profile on the source run (artifact `driftline/baseline/profile.json`)
    and name where it lives in the run tag `driftline.baseline_profile`, which `resolve` reads.
    Writing it again overwrites both (idempotent). Returns 0: MLflow has no artifact ids."""
    del run_id, task, dataset_ids
    if profile.kind != "profile":
        raise InputError(
            f"{profile.path} is a {profile.kind} report, not a profile", param="profile"
        )
    target = find_target(client, where, model)
    with tempfile.TemporaryDirectory(prefix="driftline-mlflow-") as tmp:
        local = os.path.join(tmp, "profile.json")
        source = profile.path if storage.exists(profile.path) else profile.uri
        storage.write_bytes(local, storage.read_bytes(source, what="profile"))
        _upload(client, where, target.run_id, local, PROFILE_PATH)
    call(where, f"run {target.run_id}", client.set_tag, target.run_id, PROFILE_TAG, profile.uri)
    return 0


def history(
    client: Any, where: str, model: Any, *, limit: int | None = None
) -> list[MonitoringRecord]:
    """The windows recorded on the model's source run, oldest first (the newest `limit`)."""
    target = find_target(client, where, model)
    folders = call(
        where, f"run {target.run_id}", client.list_artifacts, target.run_id, WINDOWS_FOLDER
    )
    records = []
    with tempfile.TemporaryDirectory(prefix="driftline-mlflow-") as tmp:
        for folder in folders:
            if not folder.is_dir or not _exists(
                client, where, target.run_id, folder.path, RESULT_FILE
            ):
                continue  # an unfinished write: not a result yet
            local = call(
                where, f"run {target.run_id}", client.download_artifacts,
                target.run_id, f"{folder.path}/{RESULT_FILE}", tmp,
            )  # fmt: skip
            document = json.loads(storage.read_text(local, what="monitoring result"))
            records.append(MonitoringRecord(**document))
    records.sort(key=lambda r: (r.window_end or "", r.execution_id))
    return records[-limit:] if limit else records


def _check_kinds(reports: Sequence[ReportSummary]) -> None:
    kinds = [r.kind for r in reports]
    if not kinds:
        raise InputError(
            "no report to record; give at least one of validation, drift, performance",
            param="reports",
        )
    if len(set(kinds)) != len(kinds) or "profile" in kinds:
        raise InputError(
            f"reports must be at most one each of validation, drift, performance; "
            f"got {', '.join(kinds)}",
            param="reports",
        )


def _record(
    reports: Sequence[ReportSummary],
    step: int,
    run_id: str,
    task: str,
    window_start: str,
    window_end: str,
    folder: str,
    window_uri: str | None,
) -> MonitoringRecord:
    by_kind = {r.kind: r.headline for r in reports}
    drift, validation, perf = (by_kind.get(k, {}) for k in ("drift", "validation", "performance"))
    uris = {r.kind: f"{folder}/{r.kind}.json" for r in reports}
    if window_uri:
        uris["window"] = window_uri
    return MonitoringRecord(
        execution_id=step,
        run_id=run_id,
        task=task,
        created_ms=int(time.time() * 1000),
        window_start=window_start or None,
        window_end=window_end,
        validation_status=validation.get("status"),
        drift_detected=drift.get("drift_detected"),
        drift_share=drift.get("drift_share"),
        drifted_columns=drift.get("drifted_columns"),
        performance_degraded=perf.get("degraded"),
        performance=dict(perf.get("metrics") or {}),
        performance_window_start=perf.get("current_window_start") or None,
        performance_window_end=perf.get("current_window_end") or None,
        reports=uris,
    )


def _exists(client: Any, where: str, run_id: str, folder: str, name: str) -> bool:
    listed = call(where, f"run {run_id}", client.list_artifacts, run_id, folder)
    return any(f.path == f"{folder}/{name}" for f in listed)


def _upload(client: Any, where: str, run_id: str, local: str, folder: str) -> None:
    call(where, f"run {run_id}", client.log_artifact, run_id, local, folder)


def _log_new_points(
    client: Any, where: str, run_id: str, metrics: dict[str, float], step: int
) -> None:
    from mlflow.entities import Metric

    timestamp = step * 1000
    new = [
        Metric(key, value, timestamp, step)
        for key, value in sorted(metrics.items())
        if not any(
            p.step == step
            for p in call(where, f"run {run_id}", client.get_metric_history, run_id, key)
        )
    ]
    if new:
        call(where, f"run {run_id}", client.log_batch, run_id, metrics=new, synchronous=True)


def _tag_version(client: Any, where: str, target: Target, record: MonitoringRecord) -> None:
    """The latest verdict on the model version, unless a later window is already there."""
    version = target.version
    if version is None:
        return
    current = call(where, target.pinned, client.get_model_version, version.name, version.version)
    last = (current.tags or {}).get(f"{TAG_PREFIX}last_window_end", "")
    if last and as_utc(last, "last_window_end") > as_utc(record.window_end or "", "window_end"):
        return
    tags = {
        "last_window_end": record.window_end or "",
        "last_window_start": record.window_start or "",
        "last_verdict": verdict(record),
        "last_drift_share": "" if record.drift_share is None else f"{record.drift_share:.4f}",
        "last_validation": record.validation_status or "",
    }
    for key, value in tags.items():
        if value:
            call(
                where, target.pinned, client.set_model_version_tag,
                version.name, version.version, f"{TAG_PREFIX}{key}", value,
            )  # fmt: skip
