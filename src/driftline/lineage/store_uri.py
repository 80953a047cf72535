"""Store URIs: one string that says where the lineage store is.

Forms (documented in docs/lineage.md):

- `sqlite:///abs/path/mlmd.sqlite` (file-URI style: three slashes, then the absolute path) or
  `sqlite:rel/path.sqlite` - embedded SQLite file (created when missing); a bare file path
  ending in `.sqlite`/`.sqlite3`/`.db` means the same.
- `mysql://user[:password]@host[:port]/database` or `mysql://user@/database?socket=/path` -
  MySQL/MariaDB; the password may instead come from `DRIFTLINE_MLMD_PASSWORD` so that it never
  appears in a pipeline parameter.
- `grpc://host[:port]` - the MLMD gRPC service (KFP's metadata-grpc-service).
- `mlflow+http://host[:port][/path]` or `mlflow+https://...` - an MLflow tracking server (its
  Model Registry and runs); credentials come from MLflow's own environment variables
  (`MLFLOW_TRACKING_TOKEN`, or `MLFLOW_TRACKING_USERNAME`/`MLFLOW_TRACKING_PASSWORD`).
- empty - the in-cluster service from `METADATA_GRPC_SERVICE_HOST`/`_PORT` (the names KFP's
  `metadata-grpc-configmap` sets), else `metadata-grpc-service.kubeflow:8080`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from driftline.errors import InputError

DEFAULT_GRPC_HOST = "metadata-grpc-service.kubeflow"
DEFAULT_GRPC_PORT = 8080
DEFAULT_MYSQL_PORT = 3306
HOST_ENV = "METADATA_GRPC_SERVICE_HOST"
PORT_ENV = "METADATA_GRPC_SERVICE_PORT"
PASSWORD_ENV = "DRIFTLINE_MLMD_PASSWORD"
STORE_ENV = "DRIFTLINE_MLMD_STORE"
VALID_FORMS = (
    "sqlite:///path/mlmd.sqlite, mysql://user:pass@host:port/db, grpc://host:port, "
    "mlflow+http(s)://host:port"
)
MLFLOW_SCHEMES = ("mlflow+http", "mlflow+https")


@dataclass(frozen=True)
class StoreLocation:
    """A parsed store URI: `scheme` is "sqlite", "mysql", "grpc" or "mlflow" (`path` is then
    the tracking server's http(s) URL)."""

    scheme: str
    path: str = ""
    host: str = ""
    port: int = 0
    database: str = ""
    user: str = ""
    password: str = field(default="", repr=False)
    socket: str = ""

    def display(self) -> str:
        """The URI without any password, for messages."""
        if self.scheme == "sqlite":
            return f"sqlite://{self.path}" if self.path.startswith("/") else f"sqlite:{self.path}"
        if self.scheme == "grpc":
            return f"grpc://{self.host}:{self.port}"
        if self.scheme == "mlflow":
            return f"mlflow+{self.path}"
        where = self.socket or f"{self.host}:{self.port}"
        return f"mysql://{self.user}@{where}/{self.database}"


def default_store_uri(env: Mapping[str, str] | None = None) -> str:
    """The store a component uses when given none: `DRIFTLINE_MLMD_STORE`, else KFP's env names."""
    env = os.environ if env is None else env
    if env.get(STORE_ENV):
        return env[STORE_ENV]
    host = env.get(HOST_ENV) or DEFAULT_GRPC_HOST
    port = env.get(PORT_ENV) or str(DEFAULT_GRPC_PORT)
    return f"grpc://{host}:{port}"


def parse_store_uri(uri: str | None, env: Mapping[str, str] | None = None) -> StoreLocation:
    """Parse a store URI (empty: the default from the environment) into a `StoreLocation`."""
    env = os.environ if env is None else env
    text = (uri or "").strip() or default_store_uri(env)
    if text.lower().startswith("sqlite:"):
        return StoreLocation("sqlite", path=_sqlite_path(text))
    if "://" not in text:
        if text.endswith((".sqlite", ".db", ".sqlite3")):
            return StoreLocation("sqlite", path=text)
        raise InputError(
            f"store URI {text!r} has no scheme; valid forms: {VALID_FORMS}", param="store"
        )
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError as exc:
        raise InputError(f"store URI {text!r} has a bad port: {exc}", param="store") from None
    if scheme in MLFLOW_SCHEMES:
        if not parts.hostname or parts.username or parts.password:
            raise InputError(
                f"store URI {_without_password(text)!r} must name a host and no credentials, "
                "e.g. mlflow+https://mlflow.example.com (credentials come from "
                "MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/_PASSWORD)",
                param="store",
            )
        return StoreLocation("mlflow", path=text.split("+", 1)[1].rstrip("/"))
    if scheme == "grpc":
        if not parts.hostname:
            raise InputError(
                f"store URI {text!r} names no host; e.g. grpc://host:8080", param="store"
            )
        return StoreLocation("grpc", host=parts.hostname, port=port or DEFAULT_GRPC_PORT)
    if scheme in ("mysql", "mariadb"):
        query = parse_qs(parts.query)
        socket = query.get("socket", [""])[0]
        database = parts.path.lstrip("/")
        if not database:
            raise InputError(
                f"store URI {text!r} names no database (mysql://.../DB)", param="store"
            )
        if not parts.hostname and not socket:
            raise InputError(f"store URI {text!r} names no host or ?socket=", param="store")
        password = unquote(parts.password or "") or env.get(PASSWORD_ENV, "")
        return StoreLocation(
            "mysql",
            host=parts.hostname or "",
            port=port or DEFAULT_MYSQL_PORT,
            database=database,
            user=unquote(parts.username or ""),
            password=password,
            socket=socket,
        )
    raise InputError(
        f"store URI scheme {scheme!r} is not supported; valid forms: {VALID_FORMS}", param="store"
    )


def _sqlite_path(text: str) -> str:
    """`sqlite:///abs/file` -> `/abs/file` (file-URI style); `sqlite:rel/file` -> `rel/file`."""
    rest = unquote(text[len("sqlite:") :])
    if rest.startswith("//"):
        rest = "/" + rest.lstrip("/")
    if not rest.strip("/"):
        raise InputError(f"store URI {text!r} names no SQLite file", param="store")
    return rest


def _without_password(text: str) -> str:
    parts = urlsplit(text)
    if not parts.password:
        return text
    return text.replace(f":{parts.password}@", ":***@", 1)
