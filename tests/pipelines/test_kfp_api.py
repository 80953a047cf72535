"""The one KFP API client (runs, recurring runs by name) against the strict v2beta1 stand-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from driftline.errors import InputError, PlatformError
from driftline.platforms.kfp.api import KfpApiClient
from driftline.platforms.kfp.recurring import (
    disable_recurring_run,
    ensure_recurring_run,
    recurring_run_body,
    schedule_monitoring,
)
from driftline.platforms.kfp.runs import start_run
from driftline.platforms.kfp.triggers import normalize_cron, parse_interval
from tests.pipelines.conftest import kfp_api, kfp_env  # noqa: F401  fixtures
from tests.pipelines.kfp_api_server import KfpApiServer

SPEC = "pipelineInfo:\n  name: monitor\nroot:\n  dag:\n    tasks: {}\n"


def upload(api: KfpApiServer, name: str = "monitor") -> tuple[str, str]:
    status, pipeline = api.op_post_pipelines_upload(SPEC, {"display_name": name}, None)
    assert status == 200
    return pipeline["pipeline_id"], api.versions[pipeline["pipeline_id"]][-1]["pipeline_version_id"]


def schedule(api: KfpApiServer, pipeline_id: str = "", host: str | None = None, **changes: Any):
    settings: dict[str, Any] = {
        "display_name": "driftline-monitoring-bike",
        "pipeline_id": pipeline_id,
        "parameters": {"model": "s3://models/bike", "window_hours": 24},
        "cron": "0 * * * *",
        **changes,
    }
    client = KfpApiClient(api.url if host is None else host)
    return ensure_recurring_run(client, recurring_run_body(**settings))


def test_start_run_uses_the_latest_version_and_default_experiment(
    kfp_api: KfpApiServer,  # noqa: F811
) -> None:
    pipeline_id, version_id = upload(kfp_api)
    run_id, started = start_run(
        KfpApiClient(kfp_api.url, token="t0ken"),
        pipeline_id=pipeline_id,
        display_name="retrain bike",
        parameters={"model": "s3://models/bike"},
    )
    run = kfp_api.runs[run_id]
    assert started
    assert run["pipeline_version_reference"]["pipeline_version_id"] == version_id
    assert run["runtime_config"]["parameters"] == {"model": "s3://models/bike"}
    assert kfp_api.experiments[run["experiment_id"]]["display_name"] == "Default"
    assert kfp_api.requests[-1]["headers"]["authorization"] == "Bearer t0ken"


def test_a_run_started_once_is_found_by_its_name(kfp_api: KfpApiServer) -> None:  # noqa: F811
    pipeline_id, _ = upload(kfp_api)
    client = KfpApiClient(kfp_api.url)
    args = {"pipeline_id": pipeline_id, "display_name": "retrain bike after run-7", "once": True}
    first, started = start_run(client, **args)
    again, started_again = start_run(client, **args)
    assert (started, started_again) == (True, False)
    assert first == again and list(kfp_api.runs) == [first]


def test_start_run_errors(kfp_api: KfpApiServer) -> None:  # noqa: F811
    client = KfpApiClient(kfp_api.url)
    with pytest.raises(InputError, match="pipeline_id"):
        start_run(client, pipeline_id="", display_name="x")
    with pytest.raises(PlatformError, match=r"answered 400 .* start the run: .*does not exist"):
        start_run(client, pipeline_id="nope", display_name="x")
    kfp_api.errors.clear()  # the stand-in recorded the rejected request
    with pytest.raises(PlatformError, match="cannot reach the KFP API"):
        start_run(KfpApiClient("http://127.0.0.1:9"), pipeline_id="p", display_name="x")


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
        assert schedule(api, pipeline_id, host="").action == "created"
        token.write_text("wrong")
        with pytest.raises(PlatformError, match="401"):
            schedule(api, pipeline_id, host="")
    assert api.errors == []


def test_a_named_token_file_must_exist(tmp_path: Path) -> None:
    client = KfpApiClient("http://127.0.0.1:9", sa_token_path=str(tmp_path / "none"))
    with pytest.raises(InputError, match=r"service-account token file .* does not exist"):
        client.check_token()


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


def test_changed_settings_update_the_schedule(kfp_api: KfpApiServer) -> None:  # noqa: F811
    pipeline_id, _ = upload(kfp_api)
    first = schedule(kfp_api, pipeline_id)
    other = schedule(kfp_api, pipeline_id, display_name="another-model")
    changed = schedule(
        kfp_api, pipeline_id, cron=None, interval=86400, catchup=False, enabled=False
    )
    assert changed.action == "updated"
    assert changed.replaced == (first.recurring_run_id,)
    assert set(kfp_api.recurring_runs) == {changed.recurring_run_id, other.recurring_run_id}
    new = kfp_api.recurring_runs[changed.recurring_run_id]
    assert new["trigger"] == {"periodic_schedule": {"interval_second": "86400"}}
    assert (new["no_catchup"], new["mode"], new["status"]) == (True, "DISABLE", "DISABLED")


def test_start_and_end_times_are_part_of_the_trigger(kfp_api: KfpApiServer) -> None:  # noqa: F811
    pipeline_id, _ = upload(kfp_api)
    done = schedule(
        kfp_api,
        pipeline_id,
        start_time="2027-01-01T00:00:00Z",
        end_time="2027-02-01T00:00:00+00:00",
    )
    trigger = kfp_api.recurring_runs[done.recurring_run_id]["trigger"]["cron_schedule"]
    assert (trigger["start_time"], trigger["end_time"]) == (
        "2027-01-01T00:00:00Z",
        "2027-02-01T00:00:00Z",
    )


def test_disable_recurring_run_by_name(kfp_api: KfpApiServer) -> None:  # noqa: F811
    pipeline_id, _ = upload(kfp_api)
    client = KfpApiClient(kfp_api.url)
    assert disable_recurring_run(client, "driftline-monitoring-bike") is None
    created = schedule(kfp_api, pipeline_id)
    disabled = disable_recurring_run(client, "driftline-monitoring-bike")
    assert disabled is not None and disabled.recurring_run_id == created.recurring_run_id
    assert kfp_api.recurring_runs[created.recurring_run_id]["status"] == "DISABLED"
    calls = len(kfp_api.requests)
    assert disable_recurring_run(client, "driftline-monitoring-bike") is not None
    posts = [r for r in kfp_api.requests[calls:] if r["method"] == "POST"]
    assert posts == []  # already disabled: nothing to do


def test_schedule_monitoring_names_the_run_after_the_model(kfp_api: KfpApiServer) -> None:  # noqa: F811
    pipeline_id, _ = upload(kfp_api)
    client = KfpApiClient(kfp_api.url)
    assert schedule_monitoring(client, pipeline_id=None) is None
    done = schedule_monitoring(
        client, pipeline_id=pipeline_id, model="s3://m/bike", store="sqlite:///x", model_name="b"
    )
    assert done is not None and done.display_name == "driftline monitoring s3://m/bike"
    params = kfp_api.recurring_runs[done.recurring_run_id]["runtime_config"]["parameters"]
    assert params == {"model_name": "b", "model": "s3://m/bike", "store": "sqlite:///x"}
    trigger = kfp_api.recurring_runs[done.recurring_run_id]["trigger"]
    assert trigger == {"periodic_schedule": {"interval_second": "3600"}}


def test_recurring_runs_are_found_across_pages_and_duplicates_are_removed(
    kfp_api: KfpApiServer,  # noqa: F811
) -> None:
    pipeline_id, _ = upload(kfp_api)
    for number in range(3):  # e.g. created by hand or by an older driftline
        schedule(kfp_api, pipeline_id, description=f"by hand {number}")
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
        ({"cron": None, "interval": None}, "interval"),
        ({"interval": 60}, "cron"),
        ({"cron": "every hour"}, "cron"),
        ({"cron": None, "interval": -5}, "interval"),
        ({"max_concurrency": 11}, "max_concurrency"),
        ({"start_time": "2027-01-01"}, "start_time"),
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
