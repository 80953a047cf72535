"""`MlmdLineageStore`: the `LineageStore` interface on ML Metadata (SQLite, MySQL, gRPC)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from driftline.errors import StoreError
from driftline.lineage.mlmd import history as _history
from driftline.lineage.mlmd import resolve as _resolve
from driftline.lineage.mlmd import write as _write
from driftline.lineage.mlmd.connect import connect
from driftline.lineage.records import ModelLineage, ModelRef, MonitoringRecord
from driftline.lineage.store_uri import StoreLocation, parse_store_uri
from driftline.lineage.summaries import ReportSummary


class MlmdLineageStore:
    """Lineage store backed by an MLMD `MetadataStore`; MLMD errors become `StoreError`."""

    def __init__(
        self, location: StoreLocation, *, upgrade: bool = False, read_only: bool = False
    ) -> None:
        self.location = location
        self.mlmd = connect(location, upgrade=upgrade, read_only=read_only)

    @property
    def uri(self) -> str:
        """The store URI without password."""
        return self.location.display()

    def resolve(
        self, model: ModelRef | str | int, *, dataset_name: str | None = None
    ) -> ModelLineage:
        """The model's lineage (see `ModelLineage`)."""
        return self._call(_resolve.resolve, model, dataset_name=dataset_name)

    def history(
        self, model: ModelRef | str | int, *, limit: int | None = None
    ) -> list[MonitoringRecord]:
        """The model's recorded monitoring runs, oldest first."""
        return self._call(_history.history, model, limit=limit)

    def record_monitoring_result(
        self, model: ModelRef | str | int, reports: Sequence[ReportSummary], **kwargs: Any
    ) -> int:
        """Record one monitoring run atomically; returns the execution id (idempotent)."""
        return self._call(_write.record_monitoring_result, model, reports, **kwargs)

    def record_baseline_profile(
        self, model: ModelRef | str | int, profile: ReportSummary, **kwargs: Any
    ) -> int:
        """Record a baseline profile for the model; returns the profile's artifact id."""
        return self._call(_write.record_baseline_profile, model, profile, **kwargs)

    def close(self) -> None:
        """Release the connection."""
        self.mlmd = None

    def __enter__(self) -> MlmdLineageStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        from ml_metadata import errors as mlmd_errors

        try:
            return function(self.mlmd, *args, **kwargs)
        except mlmd_errors.StatusError as exc:
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(f"lineage store {self.uri}: {type(exc).__name__}: {detail}") from None


def raw_store(store: Any) -> Any:
    """The MLMD `MetadataStore` behind a `MlmdLineageStore`, a store URI, or itself."""
    if isinstance(store, MlmdLineageStore):
        return store.mlmd
    if isinstance(store, str):
        return MlmdLineageStore(parse_store_uri(store)).mlmd
    if store is None:
        raise StoreError("no lineage store given")
    return store
