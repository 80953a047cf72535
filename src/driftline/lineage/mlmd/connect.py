"""Open an MLMD `MetadataStore` from a `StoreLocation`, with clear errors."""

from __future__ import annotations

import os
from typing import Any

from driftline.errors import StoreError
from driftline.lineage.store_uri import StoreLocation

GRPC_TIMEOUT_SEC = 30.0


def connection_config(location: StoreLocation) -> Any:
    """The MLMD config message (`ConnectionConfig` or `MetadataStoreClientConfig`)."""
    from ml_metadata.proto import metadata_store_pb2 as mlmd_pb

    if location.scheme == "sqlite":
        config = mlmd_pb.ConnectionConfig()
        config.sqlite.filename_uri = location.path
        config.sqlite.connection_mode = mlmd_pb.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
        return config
    if location.scheme == "mysql":
        config = mlmd_pb.ConnectionConfig()
        mysql = config.mysql
        mysql.database = location.database
        mysql.user = location.user
        if location.password:
            mysql.password = location.password
        if location.socket:
            mysql.socket = location.socket
        else:
            mysql.host = location.host
            mysql.port = location.port
        return config
    client = mlmd_pb.MetadataStoreClientConfig(host=location.host, port=location.port)
    client.client_timeout_sec = GRPC_TIMEOUT_SEC
    return client


def connect(location: StoreLocation, *, upgrade: bool = False) -> Any:
    """Connect and probe the store; raise `StoreError` naming the store and the cause."""
    from ml_metadata import errors as mlmd_errors
    from ml_metadata.metadata_store import metadata_store

    where = location.display()
    if location.scheme == "sqlite":
        folder = os.path.dirname(os.path.abspath(location.path))
        if not os.path.isdir(folder):
            raise StoreError(f"cannot open lineage store {where}: folder {folder} does not exist")
    try:
        store = metadata_store.MetadataStore(
            connection_config(location), enable_upgrade_migration=upgrade
        )
        # gRPC channels connect lazily: one cheap call surfaces an unreachable server now.
        store.get_context_types_by_id([])
        store.get_context_type("system.PipelineRun")
    except mlmd_errors.NotFoundError:
        return store
    except mlmd_errors.FailedPreconditionError as exc:
        raise StoreError(incompatible_message(where, str(exc))) from None
    except (mlmd_errors.StatusError, RuntimeError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "version" in message.lower() and ("schema" in message or "library version" in message):
            raise StoreError(incompatible_message(where, message)) from None
        raise StoreError(f"cannot reach lineage store {where}: {message}") from None
    return store


def incompatible_message(where: str, detail: str) -> str:
    """The error text for a database written by another MLMD schema version."""
    from ml_metadata import __version__ as mlmd_version

    return (
        f"lineage store {where} has an MLMD schema this ml-metadata {mlmd_version} cannot use "
        f"({detail.strip().splitlines()[0]}); an older schema can be migrated with "
        "--upgrade / open_store(upgrade=True) (SQLite/MySQL only), a newer one needs a newer "
        "ml-metadata"
    )
