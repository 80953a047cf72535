"""Model lineage in a lineage store (ML Metadata first): read a model's history, write results.

Entry points: `open_store(uri)` -> `LineageStore` (`resolve`, `history`,
`record_monitoring_result`, `record_baseline_profile`), and the one-call helpers in
`driftline.lineage.api`. `record_training_run` (KFP-shaped MLMD records) lives in
`driftline.lineage.mlmd.kfp_records`.
"""

from driftline.lineage.api import (
    record_baseline_profile,
    record_monitoring_result,
    resolve_baseline,
)
from driftline.lineage.interface import LineageStore, open_store
from driftline.lineage.records import (
    ArtifactRecord,
    ExecutionRecord,
    ModelLineage,
    ModelRef,
    MonitoringRecord,
    parse_model_ref,
)
from driftline.lineage.store_uri import StoreLocation, default_store_uri, parse_store_uri

__all__ = [
    "ArtifactRecord",
    "ExecutionRecord",
    "LineageStore",
    "ModelLineage",
    "ModelRef",
    "MonitoringRecord",
    "StoreLocation",
    "default_store_uri",
    "open_store",
    "parse_model_ref",
    "parse_store_uri",
    "record_baseline_profile",
    "record_monitoring_result",
    "resolve_baseline",
]
