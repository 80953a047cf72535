"""`MlflowLineageStore`: the `LineageStore` interface on an MLflow tracking server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from driftline.lineage.mlflow import resolve as _resolve
from driftline.lineage.mlflow import results as _results
from driftline.lineage.mlflow.client import connect
from driftline.lineage.records import ModelLineage, ModelRef, MonitoringRecord
from driftline.lineage.store_uri import StoreLocation
from driftline.lineage.summaries import ReportSummary


class MlflowLineageStore:
    """Lineage from the MLflow Model Registry and runs; results back to the source run.

    Models are named `models:/NAME@ALIAS`, `models:/NAME/VERSION` or `runs:/RUN_ID/PATH`.
    """

    def __init__(self, location: StoreLocation, *, read_only: bool = False) -> None:
        self.location = location
        self.read_only = read_only
        self.client: Any = connect(location.path)

    @property
    def uri(self) -> str:
        """The store URI (`mlflow+http(s)://...`)."""
        return self.location.display()

    def resolve(
        self, model: ModelRef | str | int, *, dataset_name: str | None = None
    ) -> ModelLineage:
        """The model version's lineage: source run, datasets (baseline chosen), metrics."""
        return _resolve.resolve(self.client, self.uri, _text(model), dataset_name=dataset_name)

    def history(
        self, model: ModelRef | str | int, *, limit: int | None = None
    ) -> list[MonitoringRecord]:
        """The monitoring results recorded on the model's source run, oldest first."""
        return _results.history(self.client, self.uri, _text(model), limit=limit)

    def record_monitoring_result(
        self, model: ModelRef | str | int, reports: Sequence[ReportSummary], **kwargs: Any
    ) -> int:
        """Record one window's result on the source run; returns the window's step."""
        return _results.record_monitoring_result(
            self.client, self.uri, _text(model), reports, **kwargs
        )

    def record_baseline_profile(
        self, model: ModelRef | str | int, profile: ReportSummary, **kwargs: Any
    ) -> int:
        """Store the baseline profile on the source run (returns 0: no artifact ids)."""
        return _results.record_baseline_profile(
            self.client, self.uri, _text(model), profile, **kwargs
        )

    def close(self) -> None:
        """Nothing to release: each call is one HTTP request."""


def _text(model: ModelRef | str | int) -> str:
    return model.value if isinstance(model, ModelRef) else str(model)
