"""The InferenceService manifest, validated against KServe's real v1beta1 CRD schema."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from driftline.errors import InputError
from driftline.serving.inference_service import (
    build_inference_service,
    is_ready,
    not_ready_reason,
    storage_uri_of,
    url_of,
)
from driftline.serving.setup import build_manifests
from tests.unit.observability.schemas import REFERENCE, crd_errors

SAMPLE = REFERENCE / "kserve/payloads/sklearn-logging-isvc.yaml"


def manifest(**changes: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"name": "bike", "namespace": "ml", "model_uri": "s3://models/bike"}
    return build_inference_service(**{**args, **changes})


def test_manifest_matches_the_crd_and_logs_to_the_driftline_sink() -> None:
    isvc = manifest(runtime="kserve-sklearnserver", service_account="sa", min_replicas=1)
    assert crd_errors(isvc) == []
    predictor = isvc["spec"]["predictor"]
    assert predictor["model"] == {
        "modelFormat": {"name": "sklearn"},
        "protocolVersion": "v2",
        "runtime": "kserve-sklearnserver",
        "storageUri": "s3://models/bike",
    }
    assert predictor["logger"] == {
        "mode": "all",
        "url": "http://driftline-sink.ml.svc.cluster.local/",
    }
    assert predictor["serviceAccountName"] == "sa"
    assert predictor["minReplicas"] == 1
    assert isvc["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "driftline"}


def test_the_logger_agrees_with_what_setup_monitoring_applies() -> None:
    deployed = manifest(logger_mode="request", logger_url="https://sink.example.com/log")
    patch = build_manifests("bike", "ml")[0]
    assert deployed["spec"]["predictor"]["logger"]["mode"] == "request"
    assert set(deployed["spec"]["predictor"]["logger"]) == set(patch["spec"]["predictor"]["logger"])
    assert manifest()["spec"]["predictor"]["logger"] == patch["spec"]["predictor"]["logger"]


def test_the_crd_check_can_fail() -> None:
    """The validator catches a misspelt field and a wrong type (it is not vacuous)."""
    bad = manifest()
    bad["spec"]["predictor"]["model"]["storageURI"] = "s3://typo"
    bad["spec"]["predictor"]["minReplicas"] = "one"
    errors = crd_errors(bad)
    assert any("storageURI" in e for e in errors)
    assert any("minReplicas" in e for e in errors)


def test_storage_uri_of_new_style_and_upstream_sample() -> None:
    assert storage_uri_of(manifest()) == "s3://models/bike"
    sample = yaml.safe_load(SAMPLE.read_text())
    assert storage_uri_of(sample) == sample["spec"]["predictor"]["sklearn"]["storageUri"]


@pytest.mark.parametrize(
    ("changes", "param"),
    [
        ({"name": "Bike_Model"}, "isvc_name"),
        ({"name": "a" * 64}, "isvc_name"),
        ({"namespace": ""}, "namespace"),
        ({"model_uri": ""}, "model_uri"),
        ({"model_format": ""}, "model_format"),
        ({"protocol_version": "v3"}, "protocol_version"),
        ({"min_replicas": -1}, "min_replicas"),
        ({"logger_url": "ftp://sink"}, "sink_url"),
    ],
)
def test_bad_input_names_the_parameter(changes: dict[str, Any], param: str) -> None:
    with pytest.raises(InputError) as caught:
        manifest(**changes)
    assert caught.value.param == param


def test_bad_logger_mode_lists_the_valid_modes() -> None:
    with pytest.raises(ValueError, match="all, request, response"):
        manifest(logger_mode="everything")


def test_status_readers() -> None:
    live = copy.deepcopy(manifest())
    assert not is_ready(live)
    assert "no status conditions" in not_ready_reason(live)
    live["status"] = {
        "address": {"url": "http://bike.ml.svc.cluster.local"},
        "conditions": [
            {"type": "PredictorReady", "status": "False", "reason": "RevisionFailed",
             "message": "image pull back-off"},
            {"type": "Ready", "status": "False", "reason": "RevisionFailed"},
        ],
    }  # fmt: skip
    assert crd_errors(live) == []
    assert not is_ready(live)
    assert not_ready_reason(live) == (
        "Ready=False (RevisionFailed); PredictorReady=False (RevisionFailed: image pull back-off)"
    )
    assert url_of(live) == "http://bike.ml.svc.cluster.local"
    live["status"]["url"] = "http://bike.ml.example.com"
    live["status"]["conditions"][1]["status"] = "True"
    assert is_ready(live)
    assert url_of(live) == "http://bike.ml.example.com"
