"""KFP REST calls (runs, recurring runs) against the strict local KFP v2beta1 API stand-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from driftline.alerting.kfp_rest import (
    ensure_recurring_run,
    normalize_cron,
    parse_interval,
    start_pipeline_run,
)
from driftline.errors import DriftlineError, InputError
from tests.pipelines.conftest import kfp_api, kfp_env  # noqa: F401  fixtures
from tests.pipelines.kfp_api_server import KfpApiServer

SPEC = "pipelineInfo:\n  name: monitor\nroot:\n  dag:\n    tasks: {}\n"


def upload(api: KfpApiServer, name: str = "monitor") -> tuple[str, str]:
    status, pipeline = api.op_post_pipelines_upload(SPEC, {"display_name": name}, None)
    assert status == 200
    return pipeline["pipeline_id"], api.versions[pipeline["pipeline_id"]][-1]["pipeline_version_id"]


def schedule(api: KfpApiServer, pipeline_id: str = "", **changes: Any) -> Any:
    args: dict[str, Any] = {
        "display_name": "driftline-monitoring-bike",
        "pipeline_id": pipeline_id,
        "parameters": {"model": "s3://models/bike", "window_hours": 24},
        "cron": "0 * * * *",
        "host": api.url,
    }
    return ensure_recurring_run(**{**args, **changes})


def test_start_pipeline_run_uses_the_latest_version_and_default_experiment(
    kfp_api: KfpApiServer,  # noqa: F811
) -> None:
    pipeline_id, version_id = upload(kfp_api)
    run_id = start_pipeline_run(
        pipeline_id=pipeline_id,
        display_name="retrain bike",
        parameters={"model": "s3://models/bike"},
        host=kfp_api.url,
        token="t0ken",
    )
    run = kfp_api.runs[run_id]
    assert run["pipeline_version_reference"]["pipeline_version_id"] == version_id
    assert run["runtime_config"]["parameters"] == {"model": "s3://models/bike"}
    assert kfp_api.experiments[run["experiment_id"]]["display_name"] == "Default"
    assert kfp_api.requests[-1]["headers"]["authorization"] == "Bearer t0ken"


def test_start_pipeline_run_errors(kfp_api: KfpApiServer) -> None:  # noqa: F811
    with pytest.raises(InputError, match="pipeline_id"):
        start_pipeline_run(pipeline_id="", display_name="x", host=kfp_api.url)
    with pytest.raises(DriftlineError, match=r"refused to start the run \(400\).*does not exist"):
        start_pipeline_run(pipeline_id="nope", display_name="x", host=kfp_api.url)
    kfp_api.errors.clear()  # the stand-in recorded the rejected request
    with pytest.raises(DriftlineError, match="cannot reach the KFP API"):
        start_pipeline_run(pipeline_id="p", display_name="x", host="http://127.0.0.1:9")


def test_service_account_token_file_is_the_default_bearer(
    kfp_env: None,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = tmp_path / "token"
    token.write_text("projected-sa-token\n")
    monkeypatch.setenv("KF_PIPELINES_SA_TOKEN_PATH", str(token))
    with KfpApiServer(token="projected-sa-token") as api:
        pipeline_id, _ = upload(api)
        monkeypatch.setenv("KF_PIPELINES_ENDPOINT", api.url)
        result = schedule(api, pipeline_id, host="")
        assert result.action == "created"
        token.write_text("wrong")
        with pytest.raises(DriftlineError, match="401"):
            schedule(api, pipeline_id, host="")
    assert api.errors == []


def test_recurring_run_is_created_once_then_left_unchanged(kfp_api: KfpApiServer) -> None:  # noqa: F811
    pipeline_id, version_id = upload(kfp_api)
    first = schedule(kfp_api, pipeline_id, pipeline_version_id=version_id, max_concurrency=2)
    assert first.action == "created"
    created = kfp_api.recurring_runs[first.recurring_run_id]
    assert created["trigger"] == {"cron_schedule": {"cron": "0 0 * * * *"}}
    assert created["max_concurrency"] == "2"
    assert created["no_catchup"] is False
    assert created["mode"] == "ENABLE"
    assert created["runtime_config"]["parameters"]["window_hours"] == 24
    assert created["pipeline_version_reference"]["pipeline_version_id"] == version_id
    again = schedule(kfp_api, pipeline_id, pipeline_version_id=version_id, max_concurrency=2)
    assert (again.action, again.recurring_run_id) == ("unchanged", first.recurring_run_id)
    assert len(kfp_api.recurring_runs) == 1
    listed = [r for r in kfp_api.requests if r["method"] == "GET"][-1]
    assert '"display_name"' in listed["query"]["filter"]


def test_changed_settings_replace_the_schedule(kfp_api: KfpApiServer) -> None:  # noqa: F811
    pipeline_id, _ = upload(kfp_api)
    first = schedule(kfp_api, pipeline_id)
    other = schedule(kfp_api, pipeline_id, display_name="another-model")
    changed = schedule(
        kfp_api, pipeline_id, cron="", interval_seconds=86400, catchup=False, enabled=False
    )
    assert changed.action == "replaced"
    assert changed.replaced == (first.recurring_run_id,)
    assert set(kfp_api.recurring_runs) == {changed.recurring_run_id, other.recurring_run_id}
    new = kfp_api.recurring_runs[changed.recurring_run_id]
    assert new["trigger"] == {"periodic_schedule": {"interval_second": "86400"}}
    assert (new["no_catchup"], new["mode"], new["status"]) == (True, "DISABLE", "DISABLED")


def test_recurring_runs_are_found_across_pages_and_duplicates_are_removed(
    kfp_api: KfpApiServer,  # noqa: F811
) -> None:
    pipeline_id, _ = upload(kfp_api)
    for _ in range(3):  # e.g. created by hand or by an older driftline
        schedule(kfp_api, pipeline_id, description=f"by hand {_}")
    kept = schedule(kfp_api, pipeline_id, description="by hand 2")
    assert kept.action == "unchanged"
    assert list(kfp_api.recurring_runs) == [kept.recurring_run_id]


def test_experiment_scope(kfp_api: KfpApiServer) -> None:  # noqa: F811
    pipeline_id, _ = upload(kfp_api)
    _, experiment = kfp_api.op_post_experiments({"display_name": "bike-monitoring"})
    scoped = schedule(kfp_api, pipeline_id, experiment_id=experiment["experiment_id"])
    unscoped = schedule(kfp_api, pipeline_id)
    assert scoped.recurring_run_id != unscoped.recurring_run_id
    listed = [r for r in kfp_api.requests if r["method"] == "GET"]
    assert listed[0]["query"]["experiment_id"] == experiment["experiment_id"]


@pytest.mark.parametrize(
    ("changes", "param"),
    [
        ({"pipeline_id": ""}, "pipeline_id"),
        ({"display_name": ""}, "display_name"),
        ({"cron": "", "interval_seconds": 0}, "interval_seconds"),
        ({"interval_seconds": 60}, "cron"),
        ({"cron": "every hour"}, "cron"),
        ({"cron": "", "interval_seconds": -5}, "interval"),
        ({"max_concurrency": 11}, "max_concurrency"),
    ],
)
def test_bad_schedules_are_input_errors_and_nothing_is_sent(
    kfp_api: KfpApiServer,  # noqa: F811
    changes: dict[str, Any],
    param: str,
) -> None:
    with pytest.raises(InputError) as caught:
        schedule(kfp_api, **{"pipeline_id": "p", **changes})
    assert caught.value.param == param
    assert kfp_api.requests == []


def test_cron_and_interval_parsing() -> None:
    assert normalize_cron("*/15 * * * *") == "0 */15 * * * *"
    assert normalize_cron("30 0 6 * * 1") == "30 0 6 * * 1"
    assert parse_interval("1h") == 3600
    assert parse_interval(900) == 900
