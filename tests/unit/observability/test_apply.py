"""Server-side apply through the real kubernetes client against a loopback API stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from driftline.errors import DriftlineError, InputError
from driftline.serving.kube import apply_objects, object_path
from driftline.serving.setup import build_manifests, setup_monitoring
from tests.unit.observability.fake_apiserver import FakeApiServer, running

ISVC_PATH = "/apis/serving.kserve.io/v1beta1/namespaces/ml/inferenceservices/bike"
DEPLOYED = {
    "apiVersion": "serving.kserve.io/v1beta1",
    "kind": "InferenceService",
    "metadata": {"name": "bike", "namespace": "ml"},
    "spec": {"predictor": {"sklearn": {"storageUri": "gs://models/bike"}, "minReplicas": 1}},
}


def api_client(url: str) -> client.ApiClient:
    config = client.Configuration(host=url)
    config.api_key = {"authorization": "test-token"}
    config.api_key_prefix = {"authorization": "Bearer"}
    config.retries = False
    return client.ApiClient(config)


@pytest.fixture
def apiserver() -> Iterator[tuple[FakeApiServer, Any]]:
    with running() as (fake, url):
        fake.put(ISVC_PATH, DEPLOYED)
        yield fake, api_client(url)


def test_apply_creates_objects_and_patches_only_the_logger(apiserver: Any, tmp_path: Path) -> None:
    fake, api = apiserver
    result = setup_monitoring("bike", "ml", out_dir=tmp_path, api_client=api)
    states = {a.kind: (a.created, a.changed) for a in result.applied}
    assert states == {
        "InferenceService": (False, True),
        "PodMonitor": (True, True),
        "PrometheusRule": (True, True),
        "ConfigMap": (True, True),
    }
    isvc = fake.objects[ISVC_PATH]
    assert isvc["spec"]["predictor"]["sklearn"] == {"storageUri": "gs://models/bike"}
    assert isvc["spec"]["predictor"]["minReplicas"] == 1
    assert isvc["spec"]["predictor"]["logger"] == {
        "mode": "all",
        "url": "http://driftline-sink.ml.svc.cluster.local/",
    }
    patches = [r for r in fake.requests if r[0] == "PATCH"]
    assert len(patches) == 4
    for _, _, query, headers in patches:
        assert query == {"fieldManager": ["driftline"], "force": ["true"]}
        assert headers["content-type"] == "application/apply-patch+yaml"
    assert {Path(p).name for p in result.files} >= {"podmonitor.yaml", "configmap.yaml"}


def test_reapplying_changes_nothing(apiserver: Any) -> None:
    fake, api = apiserver
    objects = build_manifests("bike", "ml")
    first = apply_objects(objects, api_client=api)
    versions = {path: obj["metadata"]["resourceVersion"] for path, obj in fake.objects.items()}
    second = apply_objects(objects, api_client=api)
    assert all(a.changed for a in first)
    assert not any(a.changed or a.created for a in second)
    assert [a.resource_version for a in second] == [a.resource_version for a in first]
    assert versions == {p: o["metadata"]["resourceVersion"] for p, o in fake.objects.items()}


def test_a_missing_inferenceservice_is_bad_input_and_nothing_is_written(apiserver: Any) -> None:
    fake, api = apiserver
    with pytest.raises(InputError, match="InferenceService ml/other not found"):
        apply_objects(build_manifests("other", "ml"), api_client=api)
    assert not [r for r in fake.requests if r[0] == "PATCH"]


def test_api_errors_and_unreachable_servers_are_one_clear_error(apiserver: Any) -> None:
    fake, api = apiserver
    fake.fail_with = 403
    with pytest.raises(DriftlineError, match="403"):
        apply_objects(build_manifests("bike", "ml"), api_client=api)
    closed = api_client("http://127.0.0.1:9")  # discard port: nothing listens
    with pytest.raises(DriftlineError, match="unreachable"):
        apply_objects(build_manifests("bike", "ml"), api_client=closed)


def test_unknown_kinds_are_rejected() -> None:
    with pytest.raises(InputError, match="known kinds"):
        object_path({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {}})
