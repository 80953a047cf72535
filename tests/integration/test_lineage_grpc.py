"""The gRPC path: a real MLMD gRPC server process (MetadataStoreService forwarded to a real
SQLite MetadataStore) reached through grpc:// and KFP's METADATA_GRPC_SERVICE_* env names."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftline.errors import StoreError
from driftline.lineage import open_store, record_monitoring_result, resolve_baseline
from tests.unit.lineage.support import drift_report, seed_training, start_grpc_server, write_json

pytestmark = pytest.mark.integration


@pytest.fixture
def grpc_port(tmp_path: Path):
    process, port = start_grpc_server(str(tmp_path / "served.sqlite"), str(tmp_path))
    yield port
    process.terminate()
    process.wait(timeout=30)


def test_resolve_and_record_over_grpc(grpc_port: int, tmp_path: Path):
    store = open_store(f"grpc://127.0.0.1:{grpc_port}")
    run = seed_training(store)
    assert store.resolve(run.model_id).dataset.uri.endswith("hour-1.csv")  # type: ignore[union-attr]
    report = write_json(tmp_path / "drift.json", drift_report(0.5, 2))
    first = record_monitoring_result(store, run.model_id, [report], run_id="m", task="t")
    again = record_monitoring_result(store, run.model_id, [report], run_id="m", task="t")
    assert first == again
    # The same records, read through the served SQLite file directly.
    direct = open_store(f"sqlite://{tmp_path}/served.sqlite")
    [record] = direct.history(run.model_id)
    assert record.execution_id == first and record.drift_share == 0.5


def test_default_store_from_kfp_env_names(grpc_port: int, monkeypatch):
    monkeypatch.delenv("DRIFTLINE_MLMD_STORE", raising=False)
    monkeypatch.setenv("METADATA_GRPC_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("METADATA_GRPC_SERVICE_PORT", str(grpc_port))
    run = seed_training(open_store())
    assert resolve_baseline(None, run.model_id)["model_id"] == run.model_id


def test_server_gone_is_a_store_error(tmp_path: Path):
    process, port = start_grpc_server(str(tmp_path / "s.sqlite"), str(tmp_path))
    store = open_store(f"grpc://127.0.0.1:{port}")
    process.terminate()
    process.wait(timeout=30)
    with pytest.raises(StoreError, match=r"lineage store grpc://127\.0\.0\.1.*Unavailable"):
        store.resolve(1)
