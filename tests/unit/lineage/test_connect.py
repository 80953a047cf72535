"""Store URIs and connections: parsing, env defaults, unreachable and incompatible stores."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from driftline.errors import InputError, StoreError
from driftline.lineage import open_store, parse_store_uri
from driftline.lineage.store_uri import default_store_uri
from tests.unit.lineage.support import free_port, seed_training


def test_uri_forms():
    assert parse_store_uri("sqlite:///tmp/m.sqlite", env={}).path == "/tmp/m.sqlite"
    assert parse_store_uri("sqlite:rel/m.sqlite", env={}).path == "rel/m.sqlite"
    assert parse_store_uri("m.db", env={}).scheme == "sqlite"
    grpc = parse_store_uri("grpc://mlmd.example:9090", env={})
    assert (grpc.scheme, grpc.host, grpc.port) == ("grpc", "mlmd.example", 9090)
    mysql = parse_store_uri("mysql://kf:s%40cret@db:3307/metadb", env={})
    assert (mysql.user, mysql.password, mysql.host, mysql.port, mysql.database) == (
        "kf",
        "s@cret",
        "db",
        3307,
        "metadb",
    )
    assert "s@cret" not in mysql.display() and "s@cret" not in repr(mysql)
    from_env = parse_store_uri("mysql://kf@db/metadb", env={"DRIFTLINE_MLMD_PASSWORD": "pw"})
    assert from_env.password == "pw" and from_env.port == 3306
    assert parse_store_uri("mysql://kf@/metadb?socket=/run/my.sock", env={}).socket


def test_default_is_kfp_in_cluster_service_overridable_by_kfp_env_names():
    assert default_store_uri({}) == "grpc://metadata-grpc-service.kubeflow:8080"
    env = {
        "METADATA_GRPC_SERVICE_HOST": "metadata-grpc-service",
        "METADATA_GRPC_SERVICE_PORT": "8081",
    }
    assert default_store_uri(env) == "grpc://metadata-grpc-service:8081"
    assert parse_store_uri("", env=env).port == 8081
    assert default_store_uri({**env, "DRIFTLINE_MLMD_STORE": "x.sqlite"}) == "x.sqlite"


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("postgres://h/db", "scheme 'postgres' is not supported"),
        ("nowhere", "has no scheme"),
        ("grpc://:80", "names no host"),
        ("mysql://u@h/", "names no database"),
        ("grpc://h:99999", "bad port"),
        ("sqlite://", "names no SQLite file"),
    ],
)
def test_bad_uris(uri, message):
    with pytest.raises(InputError, match=message):
        parse_store_uri(uri, env={})


def test_unreachable_stores(tmp_path: Path):
    with pytest.raises(StoreError, match=r"cannot reach lineage store grpc://127.0.0.1"):
        open_store(f"grpc://127.0.0.1:{free_port()}")
    with pytest.raises(StoreError, match=r"cannot reach lineage store mysql://"):
        open_store(f"mysql://root@127.0.0.1:{free_port()}/mlmd")
    with pytest.raises(StoreError, match=r"does not exist"):
        open_store(f"sqlite://{tmp_path}/missing/dir/m.sqlite")


def test_newer_schema_is_incompatible(tmp_path: Path):
    path = tmp_path / "m.sqlite"
    seed_training(open_store(f"sqlite://{path}"))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE MLMDEnv SET schema_version = schema_version + 50")
    with pytest.raises(StoreError, match=r"MLMD schema this ml-metadata .* cannot use"):
        open_store(f"sqlite://{path}")


def test_older_schema_needs_upgrade(tmp_path: Path):
    from ml_metadata.metadata_store import metadata_store

    from driftline.lineage.mlmd.connect import connection_config

    uri = f"sqlite://{tmp_path}/m.sqlite"
    run = seed_training(open_store(uri))
    metadata_store.downgrade_schema(connection_config(parse_store_uri(uri)), 8)
    with pytest.raises(StoreError, match=r"open_store\(uri, upgrade=True\)"):
        open_store(uri)
    upgraded = open_store(uri, upgrade=True)
    assert upgraded.resolve(run.model_id).model.id == run.model_id
