"""Glue between KFP artifact objects and the lineage API, without importing kfp.

KFP artifacts are duck-typed here: anything with `.uri`, `.path`, `.metadata` (and, for
metrics, `.log_metric`) works, so the library stays free of kfp (components -> library).
"""

from __future__ import annotations

from typing import Any

from driftline.errors import InputError
from driftline.lineage.api import (
    StoreArg,
    record_baseline_profile,
    record_monitoring_result,
    resolve_baseline,
)


def resolve_baseline_outputs(
    store: StoreArg,
    model: str,
    dataset_name: str,
    require: str,
    baseline: Any,
    training_metrics: Any,
) -> tuple[int, str, str, dict[str, float]]:
    """Resolve the model and fill the component's outputs: `baseline` gets the training data's
    URI and the lineage facts as metadata, `training_metrics` the training-time metrics.
    Returns (model_id, dataset_uri, profile_uri, training metrics)."""
    found = resolve_baseline(store, model, dataset_name=dataset_name or None, require=require)
    if found["dataset_uri"]:
        baseline.uri = found["dataset_uri"]
    baseline.metadata.update(
        {k: v for k, v in found.items() if k != "metrics" and v not in (None, "")}
    )
    for name, value in found["metrics"].items():
        training_metrics.log_metric(name, value)
    metrics = {str(k): float(v) for k, v in found["metrics"].items()}
    return int(found["model_id"]), str(found["dataset_uri"]), str(found["profile_uri"]), metrics


def record_from_artifacts(
    store: StoreArg,
    model: str,
    reports: list[Any],
    baseline: Any,
    *,
    run_id: str,
    task: str,
    window_uri: str = "",
    window_start: str = "",
    window_end: str = "",
    window: Any = None,
) -> int:
    """Record a monitoring result from KFP input artifacts (None = not connected): the model
    defaults to the `model_id` in the baseline's metadata (as `resolve_baseline` wrote it);
    the window's URI and bounds default to the `window` artifact's (as `load_window` wrote
    them)."""
    window_meta = dict(getattr(window, "metadata", None) or {})
    window_uri = window_uri or (window.uri if window is not None else "")
    window_start = window_start or str(window_meta.get("window_start", ""))
    window_end = window_end or str(window_meta.get("window_end", ""))
    meta = dict(getattr(baseline, "metadata", None) or {})
    model_ref = _model_of(model, meta)
    baseline_ids = [int(meta[k]) for k in ("dataset_id", "profile_id") if meta.get(k)]
    pairs = [(r.path, r.uri) for r in reports if r is not None]
    return record_monitoring_result(
        store,
        model_ref,
        pairs,
        run_id=run_id,
        task=task,
        baseline_ids=baseline_ids,
        window_uri=window_uri,
        window_start=window_start,
        window_end=window_end,
    )


def record_baseline_from_artifacts(
    store: StoreArg, model: str, baseline: Any, profile: Any, *, run_id: str, task: str
) -> int:
    """Record the profile artifact as the model's baseline profile, its input the training
    dataset named in the baseline's metadata (as `resolve_baseline` wrote it); the model
    defaults to the baseline's `model_id`. Returns the profile's MLMD artifact id."""
    meta = dict(getattr(baseline, "metadata", None) or {})
    dataset_ids = [int(meta["dataset_id"])] if meta.get("dataset_id") else []
    return record_baseline_profile(
        store,
        _model_of(model, meta),
        profile.uri,
        profile.path,
        run_id=run_id,
        task=task,
        dataset_ids=dataset_ids,
    )


def _model_of(model: str, baseline_metadata: dict[str, Any]) -> str:
    if model:
        return model
    if "model_id" in baseline_metadata:
        return str(int(baseline_metadata["model_id"]))
    raise InputError("no model: pass `model`, or a baseline from resolve_baseline", param="model")
