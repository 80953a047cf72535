"""Server-side apply of driftline's objects with the kubernetes client.

Only the endpoints every API server has are used: GET an object, and PATCH it
with `application/apply-patch+yaml` and a `fieldManager` (server-side apply,
which creates missing objects and leaves an unchanged object untouched).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from driftline.errors import DriftlineError, InputError

FIELD_MANAGER = "driftline"
#: (apiVersion, kind) -> resource plural: the kinds setup-monitoring writes.
RESOURCES: dict[tuple[str, str], str] = {
    ("serving.kserve.io/v1beta1", "InferenceService"): "inferenceservices",
    ("monitoring.coreos.com/v1", "PodMonitor"): "podmonitors",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "servicemonitors",
    ("monitoring.coreos.com/v1", "PrometheusRule"): "prometheusrules",
    ("v1", "ConfigMap"): "configmaps",
}
#: Kinds that must already exist: driftline patches them, it never creates them.
MUST_EXIST = ("InferenceService",)


@dataclass(frozen=True)
class Applied:
    """One applied object: whether the server changed it, and its new resourceVersion."""

    kind: str
    namespace: str
    name: str
    created: bool
    changed: bool
    resource_version: str


def object_path(obj: Mapping[str, Any]) -> str:
    """The REST path of a namespaced object, e.g. /apis/<group>/<v>/namespaces/<ns>/<plural>/<n>."""
    key = (obj.get("apiVersion", ""), obj.get("kind", ""))
    if key not in RESOURCES:
        valid = ", ".join(f"{k} ({v})" for v, k in RESOURCES)
        raise InputError(f"cannot apply {key[1]!r} of {key[0]!r}; known kinds: {valid}")
    meta = obj.get("metadata") or {}
    name, namespace = meta.get("name"), meta.get("namespace")
    if not name or not namespace:
        raise InputError(f"{key[1]} needs metadata.name and metadata.namespace, got {meta!r}")
    prefix = "/api/v1" if key[0] == "v1" else f"/apis/{key[0]}"
    return f"{prefix}/namespaces/{namespace}/{RESOURCES[key]}/{name}"


def cluster_client() -> Any:
    """An ApiClient from the pod's service account, or else from the local kubeconfig."""
    from kubernetes import client, config

    try:
        config.load_incluster_config()
    except config.ConfigException:
        try:  # KUBECONFIG read now: the client library reads it once, when first imported
            config.load_kube_config(config_file=os.environ.get("KUBECONFIG"))
        except (config.ConfigException, OSError) as exc:
            raise DriftlineError(
                f"no Kubernetes credentials: not in a pod and no usable kubeconfig ({exc})"
            ) from None
    return client.ApiClient()


def apply_objects(
    objects: Iterable[Mapping[str, Any]],
    *,
    api_client: Any = None,
    field_manager: str = FIELD_MANAGER,
    must_exist: Collection[str] = MUST_EXIST,
) -> list[Applied]:
    """Server-side apply each object (force: driftline owns the fields it writes).

    Objects of the kinds in `must_exist` (default: InferenceService, which
    setup-monitoring only patches) must exist already: a missing one raises
    InputError before anything is written. Other kinds are created when missing.
    """
    objects = list(objects)
    api = api_client if api_client is not None else cluster_client()
    paths = [object_path(obj) for obj in objects]
    before = {path: _get(api, path) for path in paths}
    for obj, path in zip(objects, paths, strict=True):
        if obj["kind"] in must_exist and before[path] is None:
            meta = obj["metadata"]
            raise InputError(
                f"{obj['kind']} {meta['namespace']}/{meta['name']} not found; "
                "deploy the model first or check `isvc`/`namespace`",
                param="isvc",
            )
    applied = []
    for obj, path in zip(objects, paths, strict=True):
        result = _call(
            api,
            path,
            "PATCH",
            body=dict(obj),
            query=[("fieldManager", field_manager), ("force", "true")],
            content_type="application/apply-patch+yaml",
        )
        old_version = _version(before[path])
        new_version = _version(result)
        applied.append(
            Applied(
                kind=obj["kind"],
                namespace=obj["metadata"]["namespace"],
                name=obj["metadata"]["name"],
                created=before[path] is None,
                changed=old_version != new_version,
                resource_version=new_version,
            )
        )
    return applied


def get_object(obj: Mapping[str, Any], *, api_client: Any = None) -> dict[str, Any] | None:
    """The live object named by `obj`'s apiVersion/kind/metadata, or None when it does not exist."""
    api = api_client if api_client is not None else cluster_client()
    found: dict[str, Any] | None = _get(api, object_path(obj))
    return found


def _version(obj: Mapping[str, Any] | None) -> str:
    return str(((obj or {}).get("metadata") or {}).get("resourceVersion", ""))


def _get(api: Any, path: str) -> dict[str, Any] | None:
    return _call(api, path, "GET", missing_ok=True)


def _call(
    api: Any,
    path: str,
    method: str,
    *,
    body: Any = None,
    query: list[tuple[str, str]] | None = None,
    content_type: str = "application/json",
    missing_ok: bool = False,
) -> Any:
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    try:
        return api.call_api(
            path,
            method,
            query_params=query or [],
            header_params={"Accept": "application/json", "Content-Type": content_type},
            body=body,
            response_type="object",
            auth_settings=["BearerToken"],
            _return_http_data_only=True,
            _preload_content=True,
        )
    except ApiException as exc:
        if missing_ok and exc.status == 404:
            return None
        raise DriftlineError(
            f"Kubernetes API {method} {path} failed: {exc.status} {exc.reason}: "
            f"{(exc.body or '')[:300]!s}"
        ) from None
    except (OSError, HTTPError) as exc:  # connection refused, DNS, TLS, retries exhausted
        raise DriftlineError(f"Kubernetes API {method} {path} unreachable: {exc}") from None
