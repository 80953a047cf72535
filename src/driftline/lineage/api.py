"""The lineage operations components and the CLI call: one function per job."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from driftline.errors import InputError, LineageError
from driftline.lineage.interface import LineageStore, open_store
from driftline.lineage.records import ModelRef
from driftline.lineage.summaries import summarize_profile, summarize_report

StoreArg = LineageStore | str | None


def resolve_baseline(
    store: StoreArg,
    model: ModelRef | str | int,
    *,
    dataset_name: str | None = None,
    require: str = "any",
) -> dict[str, Any]:
    """Resolve a model to its baseline: training dataset and/or recorded profile, metrics.

    `require` is "dataset", "profile" or "any" (at least one of them). Returns a flat,
    JSON-able dict: model_id, model_uri, model_type, pipeline_name, training_run_id,
    training_execution_id, dataset_id, dataset_uri, dataset_name, profile_id, profile_uri,
    metrics ({name: value}).
    """
    if require not in ("dataset", "profile", "any"):
        raise InputError(
            f"`require` {require!r} is not one of dataset, profile, any", param="require"
        )
    with _opened(store, read_only=True) as lineage_store:
        lineage = lineage_store.resolve(model, dataset_name=dataset_name)
    missing = {
        "dataset": lineage.dataset is None,
        "profile": lineage.profile is None,
        "any": lineage.dataset is None and lineage.profile is None,
    }[require]
    if missing:
        what = {"any": "training dataset or baseline profile"}.get(require, require)
        raise LineageError(
            f"model {lineage.model.id} ({lineage.model.uri}) has no {what} in its lineage"
        )
    return {
        "model_id": lineage.model.id,
        "model_uri": lineage.model.uri,
        "model_type": lineage.model.type,
        "pipeline_name": lineage.pipeline_name or "",
        "training_run_id": lineage.run_id or "",
        "training_execution_id": lineage.training.id if lineage.training else None,
        "dataset_id": lineage.dataset.id if lineage.dataset else None,
        "dataset_uri": lineage.dataset.uri if lineage.dataset else "",
        "dataset_name": lineage.dataset.name if lineage.dataset else "",
        "profile_id": lineage.profile.id if lineage.profile else None,
        "profile_uri": lineage.profile.uri if lineage.profile else "",
        "metrics": dict(lineage.metrics),
    }


def record_monitoring_result(
    store: StoreArg,
    model: ModelRef | str | int,
    reports: Sequence[tuple[str, str | None]] | Sequence[str],
    *,
    run_id: str,
    task: str,
    baseline_ids: Sequence[int] = (),
    window_uri: str | None = None,
    window_start: str | None = None,
    window_end: str | None = None,
    pages: Mapping[str, str] | None = None,
) -> int:
    """Record one monitoring result; `reports` are report JSON paths or (path, uri) pairs
    (the uri is what MLMD records, e.g. the KFP artifact's minio:// URI); `pages` the reports'
    HTML pages by kind (MLflow stores them beside the JSON). Returns the
    `driftline.MonitoringRun` execution id (MLflow: the window's step); a retried (run_id,
    task) returns the first one."""
    summaries = [summarize_report(*_pair(r)) for r in reports if _pair(r)[0]]
    with _opened(store) as lineage_store:
        return lineage_store.record_monitoring_result(
            model,
            summaries,
            run_id=run_id,
            task=task,
            baseline_ids=list(baseline_ids),
            window_uri=window_uri or None,
            window_start=window_start or None,
            window_end=window_end or None,
            pages={k: v for k, v in (pages or {}).items() if v},
        )


def record_baseline_profile(
    store: StoreArg,
    model: ModelRef | str | int,
    profile_uri: str,
    profile: Mapping[str, Any] | str,
    *,
    run_id: str,
    task: str,
    dataset_ids: Sequence[int] = (),
) -> int:
    """Record the model's baseline profile (a profile document, or the path of its JSON) stored
    at `profile_uri`; returns the profile artifact id. `resolve` finds it afterwards."""
    summary = summarize_profile(profile, profile_uri)
    with _opened(store) as lineage_store:
        return lineage_store.record_baseline_profile(
            model, summary, run_id=run_id, task=task, dataset_ids=list(dataset_ids)
        )


class _opened:
    """Use a given store as is, or open (and then close) the one a URI names."""

    def __init__(self, store: StoreArg, *, read_only: bool = False) -> None:
        self._given = store if not isinstance(store, str | type(None)) else None
        self._uri = store if isinstance(store, str | type(None)) else None
        self._read_only = read_only
        self._store: LineageStore | None = None

    def __enter__(self) -> LineageStore:
        self._store = self._given or open_store(self._uri, read_only=self._read_only)
        return self._store

    def __exit__(self, *exc: object) -> None:
        if self._given is None and self._store is not None:
            self._store.close()


def _pair(report: tuple[str, str | None] | str) -> tuple[str, str | None]:
    return (report, None) if isinstance(report, str) else (report[0], report[1] or None)
