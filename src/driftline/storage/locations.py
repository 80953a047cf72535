"""Where data lives: map a path or URI to a pyarrow filesystem and a path inside it.

Supported: local paths, `file://`, `s3://bucket/key`, `gs://bucket/key` and
`minio://bucket/key` (the S3 API at an endpoint from `storage_options` or the
environment; KFP's default artifact store). Credentials come from
`storage_options` or the usual environment (AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; Google application default credentials).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyarrow.fs as pafs

from driftline.errors import InputError, UnknownNameError

Target = str | os.PathLike[str]

SCHEMES = ("file", "s3", "gs", "minio")
# storage_options keys, with the fsspec/s3fs spellings users already know as aliases.
OPTIONS = ("endpoint_url", "access_key", "secret_key", "session_token", "region", "anonymous")
_ALIASES = {
    "key": "access_key",
    "secret": "secret_key",
    "token": "session_token",
    "endpoint": "endpoint_url",
    "endpoint_override": "endpoint_url",
}
_ENDPOINT_ENV = {
    "s3": ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
    "minio": ("MINIO_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
    "gs": ("STORAGE_EMULATOR_HOST",),
}
# Where the KFP launcher puts an artifact with such a URI (kfp.dsl.Artifact.path).
KFP_MOUNTS = {"/minio/": "minio://", "/s3/": "s3://", "/gcs/": "gs://"}


def _options(storage_options: Mapping[str, Any] | None) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for key, value in (storage_options or {}).items():
        name = _ALIASES.get(key, key)
        if name not in OPTIONS:
            raise UnknownNameError("storage option", key, OPTIONS + tuple(_ALIASES))
        options[name] = value
    return options


def _endpoint(scheme: str, options: Mapping[str, Any]) -> tuple[str, str] | None:
    """(scheme, host[:port]) of the endpoint override, or None for the cloud default."""
    url = options.get("endpoint_url")
    if not url:
        url = next((os.environ[v] for v in _ENDPOINT_ENV[scheme] if os.environ.get(v)), None)
    if not url:
        return None
    parts = urlsplit(url if "://" in url else f"//{url}")
    if not parts.netloc:
        raise InputError(
            f"bad endpoint {url!r}; expected host:port or http(s)://host:port",
            param="endpoint_url",
        )
    default_scheme = "http" if scheme == "minio" else "https"
    return parts.scheme or default_scheme, parts.netloc


def _s3(scheme: str, options: Mapping[str, Any]) -> pafs.FileSystem:
    endpoint = _endpoint(scheme, options)
    if scheme == "minio" and endpoint is None:
        raise InputError(
            "minio:// needs an endpoint: pass `storage_options={'endpoint_url': "
            "'http://host:9000'}` or set MINIO_ENDPOINT (or AWS_ENDPOINT_URL)",
            param="endpoint_url",
        )
    kwargs: dict[str, Any] = {
        "region": options.get("region")
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or "us-east-1",
        "connect_timeout": 10,
        "request_timeout": 60,
        "retry_strategy": pafs.AwsStandardS3RetryStrategy(max_attempts=3),
    }
    if endpoint is not None:
        kwargs["scheme"], kwargs["endpoint_override"] = endpoint
    if options.get("anonymous"):
        kwargs["anonymous"] = True
    elif options.get("access_key") or options.get("secret_key"):
        if not (options.get("access_key") and options.get("secret_key")):
            raise InputError(
                "`storage_options` needs both access_key and secret_key (or neither, to use "
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)",
                param="storage_options",
            )
        kwargs["access_key"] = options["access_key"]
        kwargs["secret_key"] = options["secret_key"]
        if options.get("session_token"):
            kwargs["session_token"] = options["session_token"]
    return pafs.S3FileSystem(**kwargs)


def _gcs(options: Mapping[str, Any]) -> pafs.FileSystem:
    kwargs: dict[str, Any] = {"retry_time_limit": timedelta(seconds=60)}
    endpoint = _endpoint("gs", options)
    if endpoint is not None:
        kwargs["scheme"], kwargs["endpoint_override"] = endpoint
    if options.get("anonymous"):
        kwargs["anonymous"] = True
    return pafs.GcsFileSystem(**kwargs)


def split(target: Target) -> tuple[str, str]:
    """(scheme, rest) of a path or URI; the scheme of a plain local path is ""."""
    text = os.fspath(target)
    scheme, sep, rest = text.partition("://")
    if not sep or (len(scheme) == 1 and scheme.isalpha()):  # plain path (or C:\ on Windows)
        return "", text
    scheme = scheme.lower()
    if scheme not in SCHEMES:
        raise UnknownNameError("URI scheme", scheme, SCHEMES)
    return scheme, rest


def is_local(target: Target) -> bool:
    """True for a plain path or a `file://` URI."""
    return split(target)[0] in ("", "file")


def unmounted(target: Target) -> str:
    """The URI KFP derived `target` from, when `target` is an artifact path the launcher did
    not download into this pod (`/minio/b/k` -> `minio://b/k`, also `/s3/`, `/gcs/`); else
    `target` itself.

    KFP gives components `artifact.path`; the artifact lives at `artifact.uri` whether or
    not it was copied into the pod, so reading it must not depend on that copy.
    """
    text = os.fspath(target)
    for mount, scheme in KFP_MOUNTS.items():
        if text.startswith(mount) and not os.path.lexists(text):
            return scheme + text[len(mount) :]
    return text


def join(base: Target, *names: str) -> str:
    """`names` appended to the folder `base`, a path or URI (`s3://b/out` + `a.json`)."""
    text = os.fspath(base)
    if is_local(text):
        return os.path.join(text, *names)
    return "/".join([text.rstrip("/"), *names])


def resolve(
    source: Target, storage_options: Mapping[str, Any] | None = None
) -> tuple[pafs.FileSystem, str]:
    """The filesystem holding `source` and the path of `source` inside it, for reading: a KFP
    artifact path that is not in this pod reads from its URI (see `unmounted`)."""
    return resolve_output(unmounted(source), storage_options)


def resolve_output(
    target: Target, storage_options: Mapping[str, Any] | None = None
) -> tuple[pafs.FileSystem, str]:
    """The filesystem and path to write `target` to (a KFP output path stays local: the
    launcher uploads it)."""
    text = os.fspath(target)
    options = _options(storage_options)
    scheme, rest = split(text)
    if not scheme:
        return pafs.LocalFileSystem(), str(Path(text).expanduser().absolute())
    if scheme == "file":
        return pafs.LocalFileSystem(), str(Path(urlsplit(text).path).absolute())
    path = rest.strip("/")
    if not path:
        raise InputError(
            f"{text!r} names no bucket; expected {scheme}://bucket/path", param="source"
        )
    if scheme == "gs":
        return _gcs(options), path
    return _s3(scheme, options), path


def uri_of(source: Target, filesystem: pafs.FileSystem, path: str) -> str:
    """The path or URI of `path` on the filesystem `source` resolved to, spelled like `source`
    (`minio://` stays `minio://`), for listings and messages."""
    scheme = split(source)[0]
    if not scheme or isinstance(filesystem, pafs.LocalFileSystem):
        return path
    return f"{scheme}://{path}"
