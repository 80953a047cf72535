"""Find a model's storage URI in a KServe InferenceService, and the URIs MLMD may know it by."""

from __future__ import annotations

import os
from typing import Any

from driftline import storage
from driftline.errors import InputError, LineageError
from driftline.serving.inference_service import predictor_storage_uri

# KFP records MinIO objects as minio://bucket/key; KServe reads the same object as s3://bucket/key.
SCHEME_ALIASES = {"s3": "minio", "minio": "s3"}


def uri_variants(uri: str) -> list[str]:
    """`uri` and the same object under its alias scheme (s3:// <-> minio://)."""
    out = [uri]
    scheme, sep, rest = uri.partition("://")
    if sep and scheme in SCHEME_ALIASES:
        out.append(f"{SCHEME_ALIASES[scheme]}://{rest}")
    return out


def storage_uri(reference: str) -> str:
    """The predictor storageUri of an InferenceService: a manifest file (YAML/JSON, possibly
    several documents) or `NAMESPACE/NAME` of one in the current Kubernetes cluster."""
    if os.path.isfile(reference):
        return predictor_storage_uri(_load_manifest(reference), reference)
    if reference.count("/") == 1 and "://" not in reference:
        return predictor_storage_uri(_fetch(*reference.split("/")), f"inferenceservice {reference}")
    raise InputError(
        f"InferenceService {reference!r} is neither a manifest file nor NAMESPACE/NAME",
        param="model",
    )


def _load_manifest(path: str) -> dict[str, Any]:
    import yaml

    try:
        text = storage.read_text(path, what="InferenceService manifest")
        documents = [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]
    except yaml.YAMLError as exc:
        raise InputError(
            f"InferenceService manifest {path} is unreadable: {exc}", param="model"
        ) from None
    services = [d for d in documents if d.get("kind") == "InferenceService"]
    if len(services) != 1:
        raise InputError(
            f"manifest {path} holds {len(services)} InferenceService documents, expected one",
            param="model",
        )
    return services[0]


def _fetch(namespace: str, name: str) -> dict[str, Any]:
    """Read an InferenceService from the cluster (in-cluster config, else kubeconfig)."""
    from kubernetes import client

    from driftline.serving.kube import cluster_client

    try:
        api = client.CustomObjectsApi(cluster_client())
        found = api.get_namespaced_custom_object(
            "serving.kserve.io", "v1beta1", namespace, "inferenceservices", name
        )
    except Exception as exc:  # kubernetes raises many unrelated types; one message for all
        raise LineageError(
            f"cannot read InferenceService {namespace}/{name} from Kubernetes: "
            f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        ) from None
    return dict(found)
