"""Facts about the Kubernetes pod a component runs in."""

from __future__ import annotations

import os

from driftline import storage
from driftline.errors import InputError

NAMESPACE_ENV = "POD_NAMESPACE"
SA_NAMESPACE_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"


def default_namespace(namespace: str = "") -> str:
    """`namespace`, else $POD_NAMESPACE, else the pod's service-account namespace."""
    if namespace:
        return namespace
    if os.environ.get(NAMESPACE_ENV):
        return os.environ[NAMESPACE_ENV]
    if storage.exists(SA_NAMESPACE_FILE):
        return storage.read_text(SA_NAMESPACE_FILE, what="namespace file").strip()
    raise InputError(
        f"`namespace` is required outside a pod (or set {NAMESPACE_ENV})", param="namespace"
    )
