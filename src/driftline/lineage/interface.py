"""The lineage-store interface components and the CLI program against, and `open_store`.

Two backends: MLMD (sqlite, mysql, grpc URIs) and MLflow (`mlflow+http(s)://` URIs). Another
one (KFP's artifact API) implements the same protocol and gets a URI scheme here, without any
component changing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from driftline.lineage.records import ModelLineage, ModelRef, MonitoringRecord
from driftline.lineage.store_uri import parse_store_uri
from driftline.lineage.summaries import ReportSummary


class LineageStore(Protocol):
    """Where model lineage is read from and monitoring results are written to."""

    @property
    def uri(self) -> str: ...

    def resolve(
        self, model: ModelRef | str | int, *, dataset_name: str | None = None
    ) -> ModelLineage: ...

    def history(
        self, model: ModelRef | str | int, *, limit: int | None = None
    ) -> list[MonitoringRecord]: ...

    def record_monitoring_result(
        self, model: ModelRef | str | int, reports: Sequence[ReportSummary], **kwargs: Any
    ) -> int: ...

    def record_baseline_profile(
        self, model: ModelRef | str | int, profile: ReportSummary, **kwargs: Any
    ) -> int: ...

    def close(self) -> None: ...


def open_store(
    uri: str | None = None, *, upgrade: bool = False, read_only: bool = False
) -> LineageStore:
    """Open the store a URI names (see `driftline.lineage.store_uri`); empty = the default
    in-cluster MLMD service. A writer creates a missing store; `read_only` never creates or
    changes one (a missing or foreign store is an error). `upgrade` migrates an older MLMD
    schema (SQLite/MySQL)."""
    location = parse_store_uri(uri)
    if location.scheme == "mlflow":
        from driftline.lineage.mlflow.backend import MlflowLineageStore

        return MlflowLineageStore(location, read_only=read_only)
    from driftline.lineage.mlmd.backend import MlmdLineageStore

    return MlmdLineageStore(location, upgrade=upgrade, read_only=read_only)
