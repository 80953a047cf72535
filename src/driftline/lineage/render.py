"""Plain-text views of lineage for the CLI: the lineage tree and the history table."""

from __future__ import annotations

from driftline.lineage.records import ArtifactRecord, ModelLineage, MonitoringRecord

MLFLOW_TYPES = ("mlflow.ModelVersion", "mlflow.Run")


def lineage_tree(lineage: ModelLineage, runs: list[MonitoringRecord]) -> str:
    """The model, its training run, datasets, metrics, baseline profile and monitoring runs."""
    model = lineage.model
    if model.type in MLFLOW_TYPES:
        lines = _mlflow_chain(lineage)
    else:
        lines = [f"model {model.id} [{model.type}] {model.uri}", *_training(lineage)]
    profile = lineage.profile
    lines.append(f"├── baseline profile: {_artifact(profile) if profile else 'none recorded'}")
    lines.append(f"└── monitoring runs: {len(runs)}")
    for index, record in enumerate(runs):
        branch = "└──" if index == len(runs) - 1 else "├──"
        lines.append(f"    {branch} {_summary(record)}")
    return "\n".join(lines)


def _mlflow_chain(lineage: ModelLineage) -> list[str]:
    """Registered model and version (aliases, stage), source run and experiment, parameters,
    datasets (the baseline marked) and metrics."""
    model, run = lineage.model, lineage.training
    p = model.properties
    if model.type == "mlflow.ModelVersion":
        aliases = ", ".join(p.get("aliases") or ()) or "none"
        head = (
            f"registered model {p['registered_model']} version {p['version']} ({model.uri}); "
            f"aliases: {aliases}; stage: {p.get('stage') or 'None'}; status: {p.get('status')}"
        )
    else:
        head = f"run {model.uri}"
    lines = [head]
    if run is not None:
        lines.append(
            f"├── source run {lineage.run_id} ({run.name}, {run.state}) in experiment "
            f"{run.properties.get('experiment_name')} (id {run.properties.get('experiment_id')})"
        )
        for name, value in sorted((run.properties.get("params") or {}).items()):
            lines.append(f"│   ├── param {name} = {value}")
    for dataset in lineage.datasets:
        mark = " (baseline)" if dataset == lineage.dataset else ""
        context = dataset.properties.get("context") or "no context"
        digest = dataset.properties.get("digest", "")
        lines.append(f"│   ├── dataset {dataset.name} {dataset.uri} ({context}, {digest}){mark}")
    for name, value in sorted(lineage.metrics.items()):
        lines.append(f"│   ├── metric {name} = {value:g}")
    return lines


def _training(lineage: ModelLineage) -> list[str]:
    lines = []
    if lineage.training is None:
        lines.append("├── training run: none recorded (imported or registered by hand)")
    else:
        run = lineage.training
        task = run.properties.get("task_name") or run.properties.get("display_name") or "?"
        lines.append(f"├── trained by execution {run.id} [{run.type}] task {task} ({run.state})")
        lines.append(
            f"│   ├── pipeline {lineage.pipeline_name or '?'}, run {lineage.run_id or '?'}"
        )
        for dataset in lineage.datasets:
            mark = " (baseline)" if lineage.dataset and dataset.id == lineage.dataset.id else ""
            lines.append(f"│   ├── input {_artifact(dataset)}{mark}")
        for name, value in sorted(lineage.metrics.items()):
            lines.append(f"│   ├── metric {name} = {value:g}")
    return lines


def history_table(runs: list[MonitoringRecord]) -> str:
    """One line per monitoring run: window, validation status, drift, performance."""
    headers = ["execution", "run", "window", "validation", "drift share", "drifted", "perf"]
    rows = [
        [
            str(r.execution_id),
            r.run_id,
            f"{r.window_start or '?'} .. {r.window_end or '?'}",
            r.validation_status or "-",
            "-" if r.drift_share is None else f"{r.drift_share:.3f}",
            "-" if r.drifted_columns is None else str(r.drifted_columns),
            _performance(r),
        ]
        for r in runs
    ]
    widths = [max(len(x) for x in column) for column in zip(headers, *rows, strict=False)]
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in out)


def _artifact(artifact: ArtifactRecord) -> str:
    name = f"{artifact.name} " if artifact.name else ""
    return f"{name}{artifact.id} [{artifact.type}] {artifact.uri}"


def _summary(record: MonitoringRecord) -> str:
    parts = [f"execution {record.execution_id} run {record.run_id}"]
    if record.window_start or record.window_end:
        parts.append(f"window {record.window_start or '?'}..{record.window_end or '?'}")
    if record.validation_status:
        parts.append(f"validation {record.validation_status}")
    if record.drift_share is not None:
        parts.append(f"drift share {record.drift_share:.3f} ({record.drifted_columns} drifted)")
    if record.performance_degraded is not None:
        window = ""
        if record.performance_window_start:
            window = f" in {record.performance_window_start}..{record.performance_window_end}"
        parts.append(f"performance {_performance(record)}{window}")
    return ", ".join(parts)


def _performance(record: MonitoringRecord) -> str:
    if record.performance_degraded is None:
        return "-"
    metrics = " ".join(f"{k}={v:g}" for k, v in sorted(record.performance.items()))
    state = "degraded" if record.performance_degraded else "ok"
    return f"{state} {metrics}".strip()
