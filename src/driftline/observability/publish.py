"""Publish one monitoring run's metrics: Pushgateway push + exposition-format text file."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import basic_auth_handler, default_handler, push_to_gateway

from driftline import storage
from driftline.errors import DriftlineError, InputError
from driftline.observability.metrics import build_registry
from driftline.report import DriftReport, PerformanceReport, Report, ValidationReport

JOB = "driftline"
ENV_USERNAME = "DRIFTLINE_PUSHGATEWAY_USERNAME"
ENV_PASSWORD = "DRIFTLINE_PUSHGATEWAY_PASSWORD"
ENV_TOKEN = "DRIFTLINE_PUSHGATEWAY_TOKEN"

ReportInput = Report | Mapping[str, Any] | str | Path | None
R = TypeVar("R", bound=Report)
Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class PublishResult:
    """What `publish_monitoring_metrics` did: the exposition text and where it went."""

    text: str
    grouping_key: dict[str, str]
    pushed_to: str | None
    written_to: str | None
    run_timestamp: float


def publish_monitoring_metrics(
    model: str,
    namespace: str,
    drift_report: ReportInput = None,
    validation_report: ReportInput = None,
    performance_report: ReportInput = None,
    pushgateway_url: str | None = None,
    out_path: str | Path | None = None,
    *,
    pipeline: str = "scheduled-monitoring",
    run_timestamp: float | None = None,
    timeout: float = 10.0,
    env: Mapping[str, str] | None = None,
) -> PublishResult:
    """Publish a monitoring run's reports as Prometheus metrics.

    Reports are report objects, documents (dicts), or paths or URIs of their JSON file or
    of a folder holding `<kind>_report.json`. The metrics are pushed to `pushgateway_url`
    (when given) with job `driftline` and grouping key {model, namespace,
    pipeline}, so each model's latest run replaces its previous one; they are
    also written in the text exposition format to `out_path` (when given).
    Pushgateway credentials come from the environment: DRIFTLINE_PUSHGATEWAY_TOKEN
    (bearer) or DRIFTLINE_PUSHGATEWAY_USERNAME/_PASSWORD (basic auth).
    """
    if not pipeline or "/" in pipeline:
        raise InputError(f"pipeline must be a non-empty name without '/', got {pipeline!r}")
    run_timestamp = time.time() if run_timestamp is None else run_timestamp
    registry = build_registry(
        model,
        namespace,
        drift_report=load_report(drift_report, DriftReport),
        validation_report=load_report(validation_report, ValidationReport),
        performance_report=load_report(performance_report, PerformanceReport),
        run_timestamp=run_timestamp,
    )
    text = generate_latest(registry).decode("utf-8")
    grouping_key = {"model": model, "namespace": namespace, "pipeline": pipeline}
    if pushgateway_url:
        push(registry, pushgateway_url, grouping_key, timeout=timeout, env=env)
    written = storage.write_text(out_path, text) if out_path is not None else None
    return PublishResult(text, grouping_key, pushgateway_url or None, written, run_timestamp)


def load_report(source: ReportInput, cls: type[R]) -> R | None:
    """The report of class `cls` from a report object, a document (dict), a JSON file, a
    folder holding `<kind>_report.json`, or a URI of either."""
    if source is None or isinstance(source, cls):
        return source
    if isinstance(source, Mapping):
        return cls.from_document(source, f"{cls.KIND}_report")
    if isinstance(source, Report):
        raise InputError(
            f"{cls.KIND}_report must be a {cls.KIND} report, got a {source.KIND} report",
            param=f"{cls.KIND}_report",
        )
    return cls.load(source)


def push(
    registry: CollectorRegistry,
    url: str,
    grouping_key: Mapping[str, str],
    *,
    timeout: float = 10.0,
    env: Mapping[str, str] | None = None,
) -> None:
    """PUT the registry to the Pushgateway group (replaces the group's previous metrics)."""
    scheme = urlparse(url).scheme
    if scheme not in ("http", "https"):
        raise InputError(
            f"`pushgateway_url` must be an http:// or https:// URL, got {url!r}",
            param="pushgateway_url",
        )
    try:
        push_to_gateway(
            url,
            job=JOB,
            registry=registry,
            grouping_key=dict(grouping_key),
            timeout=timeout,
            handler=auth_handler(os.environ if env is None else env),
        )
    except OSError as exc:  # URLError and HTTPError are OSErrors
        raise DriftlineError(f"pushing metrics to the Pushgateway {url} failed: {exc}") from None


def auth_handler(env: Mapping[str, str]) -> Callable[..., Callable[[], None]]:
    """The prometheus-client push handler for the credentials found in `env`."""
    token = env.get(ENV_TOKEN)
    username, password = env.get(ENV_USERNAME), env.get(ENV_PASSWORD)
    if token:

        def bearer(
            url: str, method: str, timeout: float | None, headers: Headers, data: bytes
        ) -> Callable[[], None]:
            headers = [*headers, ("Authorization", f"Bearer {token}")]
            return default_handler(url, method, timeout, headers, data)

        return bearer
    if username:

        def basic(
            url: str, method: str, timeout: float | None, headers: Headers, data: bytes
        ) -> Callable[[], None]:
            return basic_auth_handler(url, method, timeout, headers, data, username, password)

        return basic
    return default_handler
