"""Open an MLMD `MetadataStore` from a `StoreLocation`, with clear errors."""

from __future__ import annotations

import os
from typing import Any

from driftline.errors import InputError, StoreError
from driftline.lineage.mlmd.existing import HOW_TO_CREATE, check_sqlite_store
from driftline.lineage.store_uri import StoreLocation

GRPC_TIMEOUT_SEC = 30.0


def connection_config(location: StoreLocation, *, read_only: bool = False) -> Any:
    """The MLMD config message (`ConnectionConfig` or `MetadataStoreClientConfig`).

    `read_only` opens SQLite read-only and keeps MySQL from creating a missing database.
    """
    from ml_metadata.proto import metadata_store_pb2 as mlmd_pb

    if location.scheme == "sqlite":
        modes = mlmd_pb.SqliteMetadataSourceConfig
        config = mlmd_pb.ConnectionConfig()
        config.sqlite.filename_uri = location.path
        config.sqlite.connection_mode = modes.READONLY if read_only else modes.READWRITE_OPENCREATE
        return config
    if location.scheme == "mysql":
        config = mlmd_pb.ConnectionConfig()
        mysql = config.mysql
        mysql.database = location.database
        mysql.skip_db_creation = read_only
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


def connect(location: StoreLocation, *, upgrade: bool = False, read_only: bool = False) -> Any:
    """Connect and probe the store; raise `StoreError` naming the store and the cause.

    A writer creates a missing SQLite file or MySQL database (and MLMD's tables); a reader
    (`read_only`) never creates or changes anything: a missing or foreign store is an
    `InputError` that says so.
    """
    from ml_metadata import errors as mlmd_errors
    from ml_metadata.metadata_store import metadata_store

    where = location.display()
    if read_only and upgrade:
        raise InputError("a store opened read-only cannot be upgraded", param="upgrade")
    if location.scheme == "sqlite" and read_only:
        check_sqlite_store(location.path, where)
    elif location.scheme == "sqlite":
        folder = os.path.dirname(os.path.abspath(location.path))
        if not os.path.isdir(folder):
            raise StoreError(f"cannot open lineage store {where}: folder {folder} does not exist")
    try:
        store = metadata_store.MetadataStore(
            connection_config(location, read_only=read_only), enable_upgrade_migration=upgrade
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
        if read_only and "Unknown database" in message:
            raise InputError(
                f"`store` {where}: database {location.database!r} does not exist, and reading "
                f"never creates one: give an ML Metadata database ({HOW_TO_CREATE})",
                param="store",
            ) from None
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
        "driftline.lineage.open_store(uri, upgrade=True) (SQLite/MySQL only), a newer one "
        "needs a newer ml-metadata"
    )
