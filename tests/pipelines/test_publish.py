"""`driftline upload | schedule | run` against the strict local KFP v2beta1 API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from click.testing import CliRunner, Result

from driftline.cli import main
from tests.pipelines.kfp_api_server import KfpApiServer


def cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def published(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def changed_copy(src: Path, dst: Path, default: str) -> Path:
    docs = list(yaml.safe_load_all(src.read_text()))
    params = docs[0]["root"]["inputDefinitions"]["parameters"]
    params["table_format"]["defaultValue"] = default
    dst.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return dst


def test_upload_is_idempotent_by_content(
    kfp_api: KfpApiServer, pipeline_yaml: Path, tmp_path: Path
) -> None:
    first = published(cli("upload", str(pipeline_yaml), "--host", kfp_api.url))
    assert first["action"] == "created"
    assert first["pipeline_name"] == "count-rows-pipeline"
    pid = first["pipeline_id"]
    assert (
        first["url"]
        == f"{kfp_api.url}/#/pipelines/details/{pid}/version/{first['pipeline_version_id']}"
    )

    again = published(cli("upload", str(pipeline_yaml), "--host", kfp_api.url))
    assert again["action"] == "unchanged"
    assert again["pipeline_version_id"] == first["pipeline_version_id"]
    assert len(kfp_api.versions[pid]) == 1

    edited = changed_copy(pipeline_yaml, tmp_path / "edited.yaml", "parquet")
    new = published(cli("upload", str(edited), "--host", kfp_api.url))
    assert new["action"] == "new_version"
    assert new["pipeline_id"] == pid
    assert new["version_name"].startswith("count-rows-pipeline-")
    assert published(cli("upload", str(edited), "--host", kfp_api.url))["action"] == "unchanged"
    assert len(kfp_api.versions[pid]) == 2
    uploads = [r for r in kfp_api.requests if r["path"].endswith(("/upload", "/upload_version"))]
    assert len(uploads) == 2


def test_upload_with_name_and_description(kfp_api: KfpApiServer, pipeline_yaml: Path) -> None:
    out = published(
        cli(
            "upload",
            str(pipeline_yaml),
            "--name",
            "bikes",
            "--description",
            "demo",
            "--host",
            kfp_api.url,
        )
    )
    pipeline = kfp_api.pipelines[out["pipeline_id"]]
    assert (pipeline["display_name"], pipeline["description"]) == ("bikes", "demo")


def test_schedule_with_cron_and_params_file(
    kfp_api: KfpApiServer, pipeline_yaml: Path, tmp_path: Path
) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("table_uri: s3://bucket/window.parquet\ntable_format: parquet\n")
    out = published(
        cli(
            "schedule",
            str(pipeline_yaml),
            "--cron",
            "0 * * * *",
            "--max-concurrency",
            "2",
            "--experiment",
            "bike-monitoring",
            "--params",
            str(params),
            "--host",
            kfp_api.url,
        )
    )
    (recurring,) = kfp_api.recurring_runs.values()
    assert out["recurring_run_id"] == recurring["recurring_run_id"]
    assert out["url"].endswith(f"/#/recurringrun/details/{recurring['recurring_run_id']}")
    assert recurring["trigger"] == {"cron_schedule": {"cron": "0 0 * * * *"}}
    assert int(recurring["max_concurrency"]) == 2
    assert recurring["no_catchup"] is False
    assert recurring["mode"] == "ENABLE"
    assert recurring["runtime_config"]["parameters"] == {
        "table_uri": "s3://bucket/window.parquet",
        "table_format": "parquet",
    }
    assert recurring["pipeline_version_reference"] == {
        "pipeline_id": out["pipeline_id"],
        "pipeline_version_id": out["pipeline_version_id"],
    }
    (experiment,) = kfp_api.experiments.values()
    assert (
        experiment["display_name"]
        == "bike-monitoring"
        == kfp_api.experiments[out["experiment_id"]]["display_name"]
    )


def test_schedule_keeps_one_recurring_run_per_name(
    kfp_api: KfpApiServer, pipeline_yaml: Path
) -> None:
    def schedule(interval: str, *extra: str) -> dict[str, Any]:
        return published(
            cli(
                "schedule",
                str(pipeline_yaml),
                "--interval",
                interval,
                "--no-catchup",
                "--disabled",
                "--experiment",
                "nightly",
                "--host",
                kfp_api.url,
                *extra,
            )
        )

    first = schedule("1h")
    assert (first["action"], first["upload"]) == ("created", "created")
    assert first["recurring_run_name"] == "count-rows-pipeline"
    same = schedule("3600")
    assert (same["action"], same["upload"]) == ("unchanged", "unchanged")
    assert same["recurring_run_id"] == first["recurring_run_id"]
    changed = schedule("900")
    assert changed["action"] == "updated" and changed["replaced"] == [first["recurring_run_id"]]
    (run,) = kfp_api.recurring_runs.values()
    assert run["recurring_run_id"] == changed["recurring_run_id"]
    assert int(run["trigger"]["periodic_schedule"]["interval_second"]) == 900
    assert run["no_catchup"] is True and run["mode"] == "DISABLE"
    other = schedule("900", "--name", "second schedule")
    assert other["action"] == "created" and len(kfp_api.recurring_runs) == 2
    assert len(kfp_api.experiments) == 1
    assert len(kfp_api.pipelines) == 1


def test_run_starts_one_run(kfp_api: KfpApiServer, pipeline_yaml: Path, tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("table_uri: gs://b/t.csv\n")
    out = published(
        cli(
            "run",
            str(pipeline_yaml),
            "--params",
            str(params),
            "--run-name",
            "once",
            "--host",
            kfp_api.url,
        )
    )
    (run,) = kfp_api.runs.values()
    assert (out["run_id"], run["display_name"]) == (run["run_id"], "once")
    assert run["runtime_config"]["parameters"] == {"table_uri": "gs://b/t.csv"}
    assert kfp_api.experiments[run["experiment_id"]]["display_name"] == "Default"


def test_host_from_kfp_environment_variable(kfp_api: KfpApiServer, pipeline_yaml: Path) -> None:
    out = published(cli("upload", str(pipeline_yaml), env={"KF_PIPELINES_ENDPOINT": kfp_api.url}))
    assert out["pipeline_id"] in kfp_api.pipelines


def _authorized(server: KfpApiServer) -> set[str | None]:
    return {
        r["headers"].get("authorization")
        for r in server.requests
        if not r["path"].endswith("healthz")
    }


def test_existing_token_is_sent_as_bearer(kfp_env: None, pipeline_yaml: Path) -> None:
    with KfpApiServer(token="s3cret") as server:
        published(
            cli("upload", str(pipeline_yaml), "--host", server.url, "--existing-token", "s3cret")
        )
        assert _authorized(server) == {"Bearer s3cret"}
        refused = cli(
            "upload", str(pipeline_yaml), "--host", server.url, "--existing-token", "wrong"
        )
    assert refused.exit_code == 1
    assert "answered 401" in refused.stderr


def test_service_account_token_file(kfp_env: None, pipeline_yaml: Path, tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("projected-sa-token\n")
    with KfpApiServer(token="projected-sa-token") as server:
        published(
            cli("upload", str(pipeline_yaml), "--host", server.url, "--sa-token-path", str(token))
        )
        published(
            cli(
                "run",
                str(pipeline_yaml),
                "--host",
                server.url,
                "--sa-token",
                env={"KF_PIPELINES_SA_TOKEN_PATH": str(token)},
            )
        )
        assert _authorized(server) == {"Bearer projected-sa-token"}
    missing = cli("upload", str(pipeline_yaml), "--sa-token-path", str(tmp_path / "nope"))
    assert missing.exit_code == 2 and "service-account token file" in missing.stderr


@pytest.mark.parametrize(
    ("args", "params", "message"),
    [
        (["--cron", "0 * * *"], None, "cron expression '0 * * *' must have 5 fields"),
        (["--interval", "1y"], None, "interval '1y' must be a positive number"),
        (["--interval", "0"], None, "interval '0' must be a positive"),
        (["--cron", "0 * * * *", "--interval", "1h"], None, "exactly one of --cron and --interval"),
        ([], None, "exactly one of --cron and --interval"),
        (
            ["--interval", "1h"],
            "window: 3\n",
            "unknown pipeline parameter 'window'; valid: table_format, table_uri",
        ),
        (["--interval", "1h"], "table_uri: 3\n", "pipeline parameter 'table_uri' must be STRING"),
        (["--interval", "1h"], "- a\n- b\n", "must hold a mapping of parameter name to value"),
        (["--interval", "1h"], "a: [\n", "cannot read parameters file"),
        (
            ["--interval", "1h", "--max-concurrency", "0"],
            None,
            "--max-concurrency must be between 1 and 10",
        ),
    ],
)
def test_schedule_bad_input(
    kfp_api: KfpApiServer,
    pipeline_yaml: Path,
    tmp_path: Path,
    args: list[str],
    params: str | None,
    message: str,
) -> None:
    extra = []
    if params is not None:
        (tmp_path / "p.yaml").write_text(params)
        extra = ["--params", str(tmp_path / "p.yaml")]
    result = cli("schedule", str(pipeline_yaml), *args, *extra, "--host", kfp_api.url)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert kfp_api.recurring_runs == {} and kfp_api.pipelines == {}


def test_bad_pipeline_arguments(kfp_api: KfpApiServer, tmp_path: Path, pipeline_yaml: Path) -> None:
    missing = cli("upload", str(tmp_path / "nope.yaml"), "--host", kfp_api.url)
    assert (
        missing.exit_code == 2
        and "pipeline file" in missing.stderr
        and "does not exist" in missing.stderr
    )
    unknown = cli("upload", "no_such_pipeline", "--host", kfp_api.url)
    assert (
        unknown.exit_code == 2 and "unknown pipeline 'no_such_pipeline'; valid:" in unknown.stderr
    )
    junk = tmp_path / "junk.yaml"
    junk.write_text("hello: world\n")
    assert (
        "is not a compiled KFP pipeline" in cli("upload", str(junk), "--host", kfp_api.url).stderr
    )
    assert kfp_api.pipelines == {}


def test_unreachable_api_is_one_clear_error(kfp_env: None, pipeline_yaml: Path) -> None:
    with KfpApiServer() as server:
        url = server.url  # the port is closed once the server stops
    result = cli("upload", str(pipeline_yaml), "--host", url)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: cannot reach the KFP API at {url}")
    assert "Traceback" not in result.output


def test_the_test_server_rejects_what_the_real_api_rejects(kfp_api: KfpApiServer) -> None:
    url = f"{kfp_api.url}/apis/v2beta1/experiments"
    bad = requests.post(url, json={"display_name": "x", "displayName2": "y"}, timeout=5)
    assert bad.status_code == 400 and "unknown field 'displayName2'" in bad.json()["message"]
    wrong_type = requests.post(url, json={"display_name": 3}, timeout=5)
    assert wrong_type.status_code == 400
    bad_query = requests.get(url, params={"pagesize": 3}, timeout=5)
    assert bad_query.status_code == 400
    bad_enum = requests.post(
        f"{kfp_api.url}/apis/v2beta1/recurringruns", json={"mode": "SOMETIMES"}, timeout=5
    )
    assert bad_enum.status_code == 400
    assert len(kfp_api.errors) == 4
    kfp_api.errors.clear()


def test_upload_finds_an_older_version_by_its_content_name(
    kfp_api: KfpApiServer, pipeline_yaml: Path, tmp_path: Path
) -> None:
    a = changed_copy(pipeline_yaml, tmp_path / "a.yaml", "csv2")
    b = changed_copy(pipeline_yaml, tmp_path / "b.yaml", "parquet")
    published(cli("upload", str(pipeline_yaml), "--host", kfp_api.url))
    first_a = published(cli("upload", str(a), "--host", kfp_api.url))
    published(cli("upload", str(b), "--host", kfp_api.url))
    again_a = published(cli("upload", str(a), "--host", kfp_api.url))
    assert again_a["action"] == "unchanged"
    assert again_a["pipeline_version_id"] == first_a["pipeline_version_id"]
    named = published(cli("upload", str(a), "--version-name", "v2", "--host", kfp_api.url))
    assert (named["action"], named["version_name"]) == ("new_version", "v2")
