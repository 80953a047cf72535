"""Glue of the lineage components: resolve_baseline, record_baseline, record_monitoring_result.

The only components that talk to the lineage store (ML Metadata by default).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from driftline import component_io as io
from driftline.component_io import given, given_number
from driftline.errors import InputError

PINNED_FORMS = ("models:/", "runs:/")


class BaselineOutputs(NamedTuple):
    """resolve_baseline's returned outputs."""

    model_id: int
    dataset_uri: str
    profile_uri: str
    metrics: dict[str, float]


class RecordedProfile(NamedTuple):
    """record_baseline's returned outputs."""

    profile_id: int


class RecordedRun(NamedTuple):
    """record_monitoring_result's returned outputs."""

    monitoring_run_id: int


def resolve_baseline_outputs(
    baseline: Any,
    training_metrics: Any,
    *,
    model: str | None,
    store: str | None = None,
    dataset_name: str | None = None,
    require: str = "any",
) -> BaselineOutputs:
    """Resolve the model and fill the outputs: `baseline` gets the training data's URI and
    the lineage facts as metadata, `training_metrics` the training-time metrics."""
    from driftline.lineage.api import resolve_baseline

    found = resolve_baseline(
        given(store), _required_model(model), dataset_name=given(dataset_name), require=require
    )
    if found[io.DATASET_URI]:
        baseline.uri = found[io.DATASET_URI]
    baseline.metadata.update(
        {k: v for k, v in found.items() if k != io.BASELINE_METRICS and v not in (None, "")}
    )
    for name, value in found[io.BASELINE_METRICS].items():
        training_metrics.log_metric(name, value)
    metrics = {str(k): float(v) for k, v in found[io.BASELINE_METRICS].items()}
    return BaselineOutputs(
        int(found[io.MODEL_ID]), str(found[io.DATASET_URI]), str(found[io.PROFILE_URI]), metrics
    )


def record_monitoring_result_outputs(
    reports: list[Any],
    *,
    baseline: Any = None,
    window: Any = None,
    model: str | None = None,
    store: str | None = None,
    run_id: str | None = None,
    task: str | None = None,
    window_uri: str | None = None,
    window_start: str | None = None,
    window_end: str | None = None,
    pages: dict[str, Any] | None = None,
) -> RecordedRun:
    """Record a monitoring result from KFP input artifacts (None = not connected): the model
    defaults to the `model_id` in the baseline's metadata (as `resolve_baseline` wrote it);
    the window's URI and bounds default to the `window` artifact's (as `load_window` wrote
    them)."""
    from driftline.lineage.api import record_monitoring_result

    window_meta = dict(getattr(window, "metadata", None) or {})
    meta = dict(getattr(baseline, "metadata", None) or {})
    baseline_ids = [int(meta[k]) for k in (io.DATASET_ID, io.PROFILE_ID) if meta.get(k)]
    recorded = record_monitoring_result(
        given(store),
        _model_of(model, meta),
        [(r.path, r.uri) for r in reports if r is not None],
        run_id=given(run_id) or "",
        task=given(task) or "",
        baseline_ids=baseline_ids,
        window_uri=given(window_uri) or (window.uri if window is not None else ""),
        window_start=given(window_start) or str(window_meta.get(io.WINDOW_START, "")),
        window_end=given(window_end) or str(window_meta.get(io.WINDOW_END, "")),
        pages={kind: page.path for kind, page in (pages or {}).items() if page is not None},
    )
    return RecordedRun(recorded)


def record_baseline_outputs(
    baseline: Any,
    profile: Any,
    *,
    model: str | None = None,
    store: str | None = None,
    run_id: str | None = None,
    task: str | None = None,
) -> RecordedProfile:
    """Record the profile artifact as the model's baseline profile, its input the training
    dataset named in the baseline's metadata (as `resolve_baseline` wrote it); the model
    defaults to the baseline's `model_id`."""
    from driftline.lineage.api import record_baseline_profile

    meta = dict(getattr(baseline, "metadata", None) or {})
    dataset_ids = [int(meta[io.DATASET_ID])] if meta.get(io.DATASET_ID) else []
    profile_id = record_baseline_profile(
        given(store),
        _model_of(model, meta),
        profile.uri,
        profile.path,
        run_id=given(run_id) or "",
        task=given(task) or "",
        dataset_ids=dataset_ids,
    )
    return RecordedProfile(profile_id)


class RenderedHistory(NamedTuple):
    monitoring_runs: int


def render_history_outputs(
    history_html: Any, *, model: str | None, store: str | None = None, limit: int | None = None
) -> RenderedHistory:
    """Write the model's history page to the `history_html` artifact's path."""
    from driftline.lineage import open_store
    from driftline.lineage.history_page import model_label, write_history_page

    name = _required_model(model)
    lineage_store = open_store(given(store), read_only=True)
    try:
        runs = lineage_store.history(name, limit=given_number(limit))
        found = lineage_store.resolve(name)
    finally:
        lineage_store.close()
    write_history_page(history_html.path, model_label(found), runs)
    return RenderedHistory(len(runs))


def _required_model(model: str | None) -> str:
    if not given(model):
        raise InputError(
            "`model` is empty: give an MLMD artifact id, an artifact URI or isvc:NAMESPACE/NAME",
            param="model",
        )
    return str(model)


def _model_of(model: str | None, baseline_metadata: dict[str, Any]) -> str:
    pinned = str(baseline_metadata.get(io.MODEL_URI) or "")
    if pinned.startswith(PINNED_FORMS):
        # MLflow: the version resolve_baseline found (models:/NAME@ALIAS resolved once), so a
        # result lands on the version whose baseline it used even if the alias moved since.
        return pinned
    if given(model):
        return str(model)
    if io.MODEL_ID in baseline_metadata:
        return str(int(baseline_metadata[io.MODEL_ID]))
    raise InputError("no model: pass `model`, or a baseline from resolve_baseline", param="model")
