"""What the lineage store answers with: plain dataclasses, no MLMD types."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any

from driftline.errors import InputError

MODEL_REF_FORMS = "an MLMD artifact id (42 or id:42), an artifact URI, or isvc:<manifest file>"


@dataclass(frozen=True)
class ModelRef:
    """How the user named a model: `kind` is "id", "uri" or "isvc" (a manifest file)."""

    kind: str
    value: str

    def __str__(self) -> str:
        return self.value if self.kind == "uri" else f"{self.kind}:{self.value}"


def parse_model_ref(ref: ModelRef | str | int) -> ModelRef:
    """Parse `42`, `id:42`, `isvc:path/isvc.yaml`, a manifest path (.yaml/.json) or a URI."""
    if isinstance(ref, ModelRef):
        return ref
    if isinstance(ref, int) and not isinstance(ref, bool):
        return ModelRef("id", str(ref))
    text = str(ref).strip()
    if not text:
        raise InputError(f"no model given; name one by {MODEL_REF_FORMS}", param="model")
    lowered = text.lower()
    if lowered.startswith("id:"):
        number = text[3:].strip()
        if not number.isdigit():
            raise InputError(f"model id {number!r} is not a whole number", param="model")
        return ModelRef("id", number)
    if text.isdigit():
        return ModelRef("id", text)
    if lowered.startswith("isvc:"):
        return ModelRef("isvc", text[5:].strip())
    if "://" not in text and lowered.endswith((".yaml", ".yml", ".json")) and os.path.isfile(text):
        return ModelRef("isvc", text)
    return ModelRef("uri", text)


@dataclass(frozen=True)
class ArtifactRecord:
    """One MLMD artifact: `name` is the event key that linked it (input/output name)."""

    id: int
    type: str
    uri: str
    name: str = ""
    properties: dict[str, Any] = field(default_factory=dict)
    created_ms: int = 0


@dataclass(frozen=True)
class ExecutionRecord:
    """One MLMD execution (the training task, a monitoring run)."""

    id: int
    type: str
    name: str
    state: str
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelLineage:
    """A model and where it came from.

    `dataset` is the baseline training data (None when the training run read none, or when the
    model was imported); `datasets` are all the training run's dataset inputs; `metrics` the
    training-time scalar metrics (system.Metrics / system.ClassificationMetrics outputs);
    `profile` the newest baseline profile recorded for the model, if any.
    """

    model: ArtifactRecord
    training: ExecutionRecord | None = None
    pipeline_name: str | None = None
    run_id: str | None = None
    datasets: tuple[ArtifactRecord, ...] = ()
    dataset: ArtifactRecord | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    metrics_artifacts: tuple[ArtifactRecord, ...] = ()
    profile: ArtifactRecord | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict of everything above."""
        return asdict(self)


@dataclass(frozen=True)
class MonitoringRecord:
    """One recorded monitoring result, with its headline numbers.

    `performance` is the current performance: the metrics of the newest performance window
    that had enough labels to be judged, `performance_window_start/end` its bounds.
    """

    execution_id: int
    run_id: str
    task: str
    created_ms: int
    window_start: str | None = None
    window_end: str | None = None
    validation_status: str | None = None
    drift_detected: bool | None = None
    drift_share: float | None = None
    drifted_columns: int | None = None
    performance_degraded: bool | None = None
    performance: dict[str, float] = field(default_factory=dict)
    performance_window_start: str | None = None
    performance_window_end: str | None = None
    reports: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict of everything above."""
        return asdict(self)
