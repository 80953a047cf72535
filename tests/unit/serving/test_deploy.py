"""deploy_model through the real kubernetes client against the loopback API stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from driftline.errors import DriftlineError, InputError
from driftline.serving import pod as pod_module
from driftline.serving.deploy import deploy_model
from driftline.serving.pod import default_namespace
from driftline.serving.setup import setup_monitoring
from tests.unit.observability.fake_apiserver import FakeApiServer, running
from tests.unit.observability.schemas import crd_errors
from tests.unit.observability.test_apply import api_client

ISVC_PATH = "/apis/serving.kserve.io/v1beta1/namespaces/ml/inferenceservices/bike"
URL = "http://bike.ml.example.com"


@pytest.fixture
def apiserver() -> Iterator[tuple[FakeApiServer, Any]]:
    with running() as (fake, url):
        yield fake, api_client(url)


def deploy(api: Any, **changes: Any) -> Any:
    args: dict[str, Any] = {
        "name": "bike",
        "namespace": "ml",
        "model_uri": "s3://models/bike/v1",
        "poll_seconds": 0.01,
        "wait_timeout_seconds": 5,
        "api_client": api,
    }
    return deploy_model(**{**args, **changes})


def test_creates_the_service_waits_for_ready_and_returns_its_url(
    apiserver: Any, tmp_path: Path
) -> None:
    fake, api = apiserver
    fake.roll_out(ISVC_PATH, ready_after=3, url=URL)
    result = deploy(api, manifest_path=tmp_path / "isvc.yaml")
    assert result.url == URL
    assert (result.applied.created, result.applied.changed) == (True, True)
    live = fake.objects[ISVC_PATH]
    assert crd_errors(live) == []
    assert live["spec"]["predictor"]["model"]["storageUri"] == "s3://models/bike/v1"
    assert live["spec"]["predictor"]["logger"]["url"].startswith("http://driftline-sink.ml.")
    gets = [r for r in fake.requests if r[0] == "GET"]
    assert len(gets) == 1 + 4  # the apply's existence check, then 3 pending polls and Ready
    assert yaml.safe_load((tmp_path / "isvc.yaml").read_text()) == result.manifest
    assert result.summary()["created"] and not result.summary()["dry_run"]


def test_redeploying_the_same_model_changes_nothing_and_keeps_other_fields(apiserver: Any) -> None:
    fake, api = apiserver
    fake.roll_out(ISVC_PATH, ready_after=0, url=URL)
    deploy(api)
    fake.objects[ISVC_PATH]["spec"]["predictor"]["maxReplicas"] = 4  # another owner's field
    again = deploy(api)
    assert (again.applied.created, again.applied.changed) == (False, False)
    assert fake.objects[ISVC_PATH]["spec"]["predictor"]["maxReplicas"] == 4


def test_an_update_waits_for_the_new_generation(apiserver: Any) -> None:
    fake, api = apiserver
    fake.roll_out(ISVC_PATH, ready_after=0, url=URL)
    deploy(api)
    assert fake.objects[ISVC_PATH]["metadata"]["generation"] == 1
    fake.roll_out(ISVC_PATH, ready_after=2, url=URL)
    updated = deploy(api, model_uri="s3://models/bike/v2")
    assert updated.applied.changed
    live = fake.objects[ISVC_PATH]
    assert live["metadata"]["generation"] == 2
    assert live["status"]["observedGeneration"] == 2


def test_stale_ready_status_of_an_older_generation_is_not_ready(apiserver: Any) -> None:
    fake, api = apiserver
    fake.roll_out(ISVC_PATH, ready_after=0, url=URL)
    deploy(api)
    del fake.rollouts[ISVC_PATH]  # the controller stops reconciling
    with pytest.raises(DriftlineError, match="older generation"):
        deploy(api, model_uri="s3://models/bike/v2", wait_timeout_seconds=0.2)


def test_timeout_names_the_failing_condition(apiserver: Any) -> None:
    fake, api = apiserver
    pending = {
        "type": "Ready",
        "status": "False",
        "reason": "RevisionMissing",
        "message": "Revision bike-predictor-00001 failed with message: model not found",
    }
    fake.roll_out(ISVC_PATH, ready_after=10_000, pending=pending)
    with pytest.raises(DriftlineError) as caught:
        deploy(api, wait_timeout_seconds=0.2)
    message = str(caught.value)
    assert "InferenceService ml/bike not Ready after 0.2 s" in message
    assert "RevisionMissing: Revision bike-predictor-00001 failed" in message


def test_no_controller_means_no_conditions_in_the_error(apiserver: Any) -> None:
    _, api = apiserver
    with pytest.raises(DriftlineError, match="no status conditions yet"):
        deploy(api, wait_timeout_seconds=0.1)


def test_setup_monitoring_after_deploy_keeps_the_deployed_model(apiserver: Any) -> None:
    fake, api = apiserver
    fake.roll_out(ISVC_PATH, ready_after=0, url=URL)
    deployed = deploy(api)
    result = setup_monitoring("bike", "ml", api_client=api)
    assert not result.applied[0].changed  # the logger was already on, as monitoring sets it
    assert (
        fake.objects[ISVC_PATH]["spec"]["predictor"]["model"]
        == deployed.manifest["spec"]["predictor"]["model"]
    )


def test_dry_run_writes_the_manifest_only(tmp_path: Path) -> None:
    result = deploy_model(
        name="bike",
        namespace="ml",
        model_uri="s3://models/bike",
        dry_run=True,
        manifest_path=tmp_path / "isvc.yaml",
        api_client=api_client("http://127.0.0.1:9"),  # would fail if it were used
    )
    assert result.dry_run and result.url == "" and result.applied is None
    assert yaml.safe_load((tmp_path / "isvc.yaml").read_text())["metadata"]["name"] == "bike"


def test_errors_are_clear_and_nothing_is_applied_on_bad_input(apiserver: Any) -> None:
    fake, api = apiserver
    with pytest.raises(InputError, match="wait_timeout_seconds"):
        deploy(api, wait_timeout_seconds=0)
    with pytest.raises(InputError, match="isvc_name"):
        deploy(api, name="Bike")
    assert fake.requests == []
    fake.fail_with = 403
    with pytest.raises(DriftlineError, match="403"):
        deploy(api)
    with pytest.raises(DriftlineError, match="unreachable"):
        deploy(api_client("http://127.0.0.1:9"))


def test_default_namespace(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sa_file = tmp_path / "namespace"
    monkeypatch.setattr(pod_module, "SA_NAMESPACE_FILE", str(sa_file))
    monkeypatch.delenv("POD_NAMESPACE", raising=False)
    assert default_namespace("given") == "given"
    with pytest.raises(InputError, match="namespace is required"):
        default_namespace("")
    sa_file.write_text("team-b\n")
    assert default_namespace("") == "team-b"
    monkeypatch.setenv("POD_NAMESPACE", "team-a")
    assert default_namespace("") == "team-a"


def test_rbac_for_the_deployment_pipeline() -> None:
    from tests.unit.observability.schemas import core_errors

    rbac = Path(__file__).resolve().parents[3] / "deploy" / "rbac" / "deployment.yaml"
    docs = {d["kind"]: d for d in yaml.safe_load_all(rbac.read_text())}
    models = {
        "ServiceAccount": "V1ServiceAccount",
        "Role": "V1Role",
        "RoleBinding": "V1RoleBinding",
    }
    assert set(docs) == set(models)
    for kind, model in models.items():
        assert core_errors(docs[kind], model) == [], kind
    grants = {
        (group, resource): set(rule["verbs"])
        for rule in docs["Role"]["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
    }
    assert grants[("serving.kserve.io", "inferenceservices")] >= {"get", "create", "patch"}
    for resource in ("podmonitors", "servicemonitors", "prometheusrules"):
        assert grants[("monitoring.coreos.com", resource)] >= {"get", "create", "patch"}
    assert docs["RoleBinding"]["subjects"][0]["name"] == docs["ServiceAccount"]["metadata"]["name"]
