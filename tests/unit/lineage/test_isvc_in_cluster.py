"""isvc:NAMESPACE/NAME resolves through the Kubernetes API (loopback stand-in, kubeconfig)."""

from typing import Any

import pytest

from driftline.errors import LineageError
from driftline.lineage import open_store
from driftline.serving.inference_service import build_inference_service
from tests.unit.lineage.support import MODEL_URI, seed_training

PATH = "/apis/serving.kserve.io/v1beta1/namespaces/ml/inferenceservices/bike"


def test_model_named_by_its_inference_service(kube: Any, tmp_path: Any) -> None:
    store = open_store(f"sqlite://{tmp_path / 'mlmd.sqlite'}")
    run = seed_training(store)
    # KServe serves the object KFP recorded as minio://... under its s3:// name.
    served = MODEL_URI.format(n=1).replace("minio://", "s3://")
    kube.put(PATH, build_inference_service(name="bike", namespace="ml", model_uri=served))

    lineage = store.resolve("isvc:ml/bike")
    assert lineage.model.id == run.model_id
    assert lineage.dataset is not None and lineage.dataset.id == run.dataset_ids["dataset"]


def test_missing_inference_service_is_a_lineage_error(kube: Any, tmp_path: Any) -> None:
    store = open_store(f"sqlite://{tmp_path / 'mlmd.sqlite'}")
    seed_training(store)
    with pytest.raises(LineageError, match="cannot read InferenceService ml/absent"):
        store.resolve("isvc:ml/absent")
