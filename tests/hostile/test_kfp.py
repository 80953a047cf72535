"""Issue 12, "Shipping to a real KFP": one test per defect a KFP user found."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import driftline.components as components
from driftline.cli import main
from driftline.component_io import COMPONENT_OUTPUTS
from driftline.errors import InputError
from driftline.platforms.kfp.local import VENV_RUNNER_MESSAGE

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens there


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DRIFTLINE_IMAGE"}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def _documented_outputs(text: str) -> dict[str, set[str]]:
    """{component: output names} from a markdown table whose last column lists the outputs."""
    found: dict[str, set[str]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        name = re.fullmatch(r"`(\w+)`", cells[0]) if len(cells) >= 2 else None
        if name and name[1] in COMPONENT_OUTPUTS:
            found[name[1]] = set(re.findall(r"`(\w+)`", cells[-1]))
    return found


@pytest.mark.parametrize("document", ["README.md", "docs/components.md"])
def test_output_names_match_the_docs(document: str) -> None:
    """ "The README says `compute_performance` returns `degraded` ... but the actual key is
    `outputs["Output"]`, and `outputs["degraded"]` raises `KeyError`.\""""
    documented = _documented_outputs((ROOT / document).read_text())
    assert set(documented) == set(COMPONENT_OUTPUTS), f"{document} misses components"
    for name, outputs in documented.items():
        actual = set(getattr(components, name).component_spec.outputs)
        assert outputs == actual == set(COMPONENT_OUTPUTS[name]), (document, name)
        loaded = set(components.load(name).component_spec.outputs)
        assert loaded == actual, f"{name}: the shipped YAML is stale"
    assert "Output" not in {o for outs in COMPONENT_OUTPUTS.values() for o in outs}


def test_a_mixed_pipeline_ships_one_image(tmp_path: Path) -> None:
    """ "The imported ones got the new image, while the YAML ones kept
    `ghcr.io/driftline/driftline:0.1.0`, so the pipeline shipped two images.\""""
    image = "registry.example.com/ml/driftline:7.7.7"
    code = (
        "import sys\n"
        "from kfp import compiler, dsl\n"
        "from driftline.components import load, profile_baseline\n"
        "validate_data = load('validate_data')\n"
        "@dsl.pipeline(name='mixed')\n"
        "def mixed(training: str, window: str):\n"
        "    base = dsl.importer(artifact_uri=training, artifact_class=dsl.Dataset)\n"
        "    current = dsl.importer(artifact_uri=window, artifact_class=dsl.Dataset)\n"
        "    profile = profile_baseline(dataset=base.output)\n"
        "    validate_data(window=current.output, baseline_profile=profile.outputs['profile'])\n"
        "compiler.Compiler().compile(mixed, sys.argv[1])\n"
    )
    out = tmp_path / "mixed.yaml"
    subprocess.run(
        [sys.executable, "-c", code, str(out)],
        check=True,
        env=_clean_env(DRIFTLINE_IMAGE=image),
        cwd=tmp_path,
    )
    executors = yaml.safe_load(out.read_text())["deploymentSpec"]["executors"].values()
    containers = [e["container"] for e in executors if "container" in e]
    assert len(containers) == 2  # one imported, one loaded (the importers run no container)
    assert {c["image"] for c in containers} == {image}


def test_compile_with_image_writes_a_catalogue_in_that_image(tmp_path: Path) -> None:
    """ "`driftline compile --image REF --out DIR` must keep producing a catalogue in which
    every file carries REF.\""""
    image = "registry.example.com/ml/driftline:8.8.8"
    subprocess.run(
        [sys.executable, "-m", "driftline", "compile", "--image", image, "--out", str(tmp_path)],
        check=True,
        env=_clean_env(),
        capture_output=True,
    )
    files = sorted(tmp_path.glob("*/*.yaml"))
    assert len(files) == len(COMPONENT_OUTPUTS) + 3
    for path in files:
        spec = next(yaml.safe_load_all(path.read_text()))
        images = {e["container"]["image"] for e in spec["deploymentSpec"]["executors"].values()}
        assert images == {image}, path


@pytest.mark.parametrize(
    ("args", "params", "message"),
    [
        (["run"], "no_such_parameter: 1\n", "unknown pipeline parameter 'no_such_parameter'"),
        (["run"], "model: 3\n", "pipeline parameter 'model' must be STRING"),
        (["run"], "source_uri: s3://b/logs/\n", "missing required pipeline parameters: model"),
        (["schedule", "--cron", "every day"], None, "cron expression 'every day' must have"),
        (["schedule", "--interval", "often"], None, "interval 'often' must be a positive"),
        (["schedule", "--interval", "1h", "--max-concurrency", "0"], None, "between 1 and 10"),
        (["schedule", "--interval", "1h", "--start", "tomorrow"], None, "RFC 3339"),
        (["schedule", "--interval", "1h", "--experiment", " "], None, "--experiment is empty"),
        (["run", "--run-name", " "], None, "--run-name is empty"),
    ],
)
def test_bad_parameters_fail_before_the_host_is_contacted(
    tmp_path: Path, args: list[str], params: str | None, message: str
) -> None:
    """ "`driftline run/schedule ... --params bad.yaml` and `--cron "every day"` report a
    connection error (exit 1) when the host is down.\""""
    extra: list[str] = []
    if params is not None:
        (tmp_path / "p.yaml").write_text(params)
        extra = ["--params", str(tmp_path / "p.yaml")]
    elif args[0] == "run" or "--cron" in args or "--interval" in args:
        (tmp_path / "p.yaml").write_text("model: '2'\nsource_uri: s3://b/logs/\n")
        extra = ["--params", str(tmp_path / "p.yaml")]
    command, *options = args
    result = CliRunner().invoke(
        main, [command, "scheduled_monitoring", *options, *extra, "--host", UNREACHABLE]
    )
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "cannot reach" not in result.stderr


def test_release_workflow_publishes_both_images_and_the_yaml() -> None:
    """ "The README must say what image a user gets and where it comes from. Add a release
    workflow ... builds and pushes the runtime and sink images (amd64 + arm64) and attaches
    the compiled YAML to the release. Lint it in CI.\""""
    path = ROOT / ".github" / "workflows" / "release.yml"
    workflow = yaml.safe_load(path.read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert triggers["push"]["tags"] == ["v*"]
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    uses = {s.get("uses", "").split("@")[0] for s in steps}
    assert {"docker/setup-qemu-action", "docker/setup-buildx-action"} <= uses
    builds = [s["with"] for s in steps if s.get("uses", "").startswith("docker/build-push-action")]
    assert {b["file"] for b in builds} == {"images/runtime/Dockerfile", "images/sink/Dockerfile"}
    assert all(b["platforms"] == "linux/amd64,linux/arm64" and b["push"] for b in builds)
    text = path.read_text()
    assert "components/yaml/*.yaml" in text and "pipelines/yaml/*.yaml" in text
    readme = (ROOT / "README.md").read_text()
    assert "ghcr.io/driftline/driftline:<version>" in readme
    assert ".github/workflows/release.yml" in readme
    lint = subprocess.run(
        [str(Path(sys.executable).parent / "actionlint"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "actionlint" in (ROOT / "Makefile").read_text()


@pytest.fixture
def venv_runner(tmp_path: Path) -> Any:
    from kfp import local

    root = tmp_path / "pipeline_root"
    local.init(runner=local.SubprocessRunner(), pipeline_root=str(root))
    yield root
    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(root))


@pytest.mark.parametrize("what", ["imported", "loaded", "pipeline"])
def test_the_default_subprocess_runner_fails_early_with_one_line(
    venv_runner: Path, what: str
) -> None:
    """ "`kfp.local.SubprocessRunner()` with its default `use_venv=True` fails with
    `No module named 'kfp'`.\""""
    from driftline.pipelines.scheduled_monitoring import monitor_window

    call = {
        "imported": lambda: components.profile_baseline(dataset=None),
        "loaded": lambda: components.load("profile_baseline")(dataset=None),
        "pipeline": lambda: monitor_window(model="1", source_uri="x", window_end="2012-01-01"),
    }[what]
    with pytest.raises(InputError) as caught:
        call()
    assert str(caught.value) == VENV_RUNNER_MESSAGE
    assert "\n" not in VENV_RUNNER_MESSAGE and "use_venv=False" in VENV_RUNNER_MESSAGE
    assert not venv_runner.exists()  # no task started


@dataclass(frozen=True)
class Twin:
    """A component and its CLI command: parameter -> option ("!" = the negated flag)."""

    command: tuple[str, ...]
    options: dict[str, str]
    component_only: dict[str, str] = field(default_factory=dict)
    cli_only: dict[str, str] = field(default_factory=dict)
    same_default: dict[str, tuple[Any, Any]] = field(default_factory=dict)


OUT = "the output artifact the KFP launcher provides"
QUIET = "a terminal's live progress line; a component logs progress lines instead"
WINDOW_CUT = "the component gets a window load_window already cut"
TWINS = {
    "profile_baseline": Twin(
        ("profile",),
        {
            "dataset": "data",
            "data_format": "format_",
            "columns": "columns",
            "kinds": "kinds",
            "calibration_window": "calibration_window",
            "timestamp_column": "timestamp_column",
            "calibration_method": "method",
        },
        component_only={"recorded_profile": "reuses the profile resolve_baseline found"},
        same_default={"calibration_method": ("auto", None)},  # --method unset means auto
        cli_only={
            "out": OUT,
            "like": "profiles a window instead (profile_window)",
            "quiet": QUIET,
        },
    ),
    "profile_window": Twin(
        ("profile",),
        {
            "window": "data",
            "baseline_profile": "like",
            "data_format": "format_",
            "columns": "columns",
        },
        cli_only={
            "out": OUT,
            "kinds": "a window takes its baseline profile's kinds",
            "quiet": QUIET,
            **dict.fromkeys(
                ("calibration_window", "timestamp_column", "method"),
                "a baseline's calibration (profile_baseline); a window profile stores none",
            ),
        },
    ),
    "validate_data": Twin(
        ("validate",),
        {
            "window": "current",
            "baseline_profile": "profile_path",
            "constraints_path": "constraints_path",
            "data_format": "format_",
            "columns": "columns",
            "expected_rows": "expected_rows",
        },
        cli_only={
            "quiet": QUIET,
            "out_dir": OUT,
            "timestamp_column": WINDOW_CUT,
            "start": WINDOW_CUT,
            "end": WINDOW_CUT,
            "fail_on_error": "a pipeline branches on the `passed` output instead",
        },
    ),
    "check_drift": Twin(
        ("drift",),
        {
            "current": "current",
            "reference": "reference",
            "method": "method",
            "method_overrides": "method",
            "threshold": "threshold",
            "threshold_overrides": "threshold",
            "columns": "columns",
            "drift_share": "drift_share",
            "prediction_column": "prediction_column",
            "timestamp_column": "timestamp_column",
            "data_format": "format_",
            "thresholds": "thresholds",
            "threshold_quantile": "threshold_quantile",
            "calibration_window": "calibration_window",
            "multivariate": "multivariate",
        },
        component_only=dict.fromkeys(
            ("reference_rows", "current_rows"),
            "rows for the multivariate methods when the baseline or the window is a profile",
        ),
        cli_only={
            "quiet": QUIET,
            "reference_profile": "the component tells a profile from a table by its content",
            "out_dir": OUT,
            "start": WINDOW_CUT,
            "end": WINDOW_CUT,
            "fail_on_drift": "a pipeline branches on the `drift_detected` output instead",
        },
        same_default={"method": ("auto", None)},  # --method unset means auto
    ),
    "compute_performance": Twin(
        ("performance",),
        {
            "predictions": "predictions",
            "labels_uri": "labels",
            "task": "task",
            "id_column": "id_column",
            "timestamp_column": "timestamp_column",
            "prediction_column": "prediction_column",
            "label_column": "label_column",
            "label_timestamp_column": "label_timestamp_column",
            "score_columns": "score_columns",
            "segment_columns": "segment_columns",
            "classes": "classes",
            "positive_label": "positive_label",
            "window": "window",
            "baseline_metrics": "baseline_file",
            "reference_uri": "reference",
            "min_labelled_rows": "min_labelled_rows",
            "degradation_threshold": "degradation_threshold",
            "degradation_mode": "degradation_mode",
            "degradation_metrics": "degradation_metrics",
            "duplicate_labels": "duplicate_labels",
            "label_map": "label_map",
            "estimate": "!no_estimate",
            "data_format": "format",
            "timezone": "timezone",
            "calibration_method": "calibration_method",
            "include_estimated": "include_estimated",
            "feature_columns": "feature_columns",
        },
        component_only={
            "calibration": "the CLI reads the calibration recorded in its --baseline file",
            "loss_model": "the CLI reads the loss model recorded in its --baseline file",
        },
        cli_only={
            "quiet": QUIET,
            "out_dir": OUT,
            "fail_on_degradation": "a pipeline branches on the `degraded` output instead",
        },
    ),
    "publish_metrics": Twin(
        ("publish-metrics",),
        {
            "drift_report": "drift_report",
            "validation_report": "validation_report",
            "performance_report": "performance_report",
            "model_name": "model",
            "namespace": "namespace",
            "pushgateway_url": "pushgateway_url",
            "pipeline_name": "pipeline",
            "sagemaker_endpoint": "sagemaker_endpoint",
            "monitoring_schedule": "monitoring_schedule",
        },
        component_only={"model": "the label falls back to the model reference a pipeline has"},
        cli_only={"out_path": OUT},
    ),
    "setup_monitoring": Twin(
        ("setup-monitoring",),
        {
            "isvc_name": "isvc",
            "namespace": "namespace",
            "logger_mode": "logger_mode",
            "sink_url": "sink_url",
            "component": "component",
            "monitor_kind": "monitor_kind",
            "metrics_ports": "metrics_ports",
            "scrape_interval": "scrape_interval",
            "drift_share_threshold": "drift_share_threshold",
            "error_rate_threshold": "error_rate_threshold",
            "latency_p95_seconds": "latency_p95_seconds",
            "schedule_interval_seconds": "schedule_interval",
            "labels": "labels",
            "dashboard_namespace": "dashboard_namespace",
            "report_url": "report_url",
            "dry_run": "dry_run",
        },
        cli_only={"out_dir": OUT},
    ),
    "resolve_baseline": Twin(
        ("lineage", "show"),
        {"model": "model", "store": "store", "dataset_name": "dataset_name"},
        component_only={"require": "what the pipeline needs to go on; `show` prints what is"},
        cli_only={"as_json": "printing only"},
    ),
    "render_history": Twin(
        ("history",),
        {"model": "model", "store": "store", "limit": "limit"},
        cli_only={"as_json": "printing only", "html_out": OUT},
        same_default={"limit": (0, None)},  # both: every run
    ),
}
NO_CLI_TWIN = {
    "load_window": "the CLI commands take --start/--end on any source instead",
    "render_evidently_report": "Evidently's page is a KFP UI view",
    "deploy_model": "deployment is a cluster job (kubectl or the deployment pipeline)",
    "record_baseline": "writes KFP lineage records of a pipeline task",
    "record_monitoring_result": "writes KFP lineage records of a pipeline task",
    "send_notification": "alerts from a pipeline run",
    "schedule_monitoring": "`driftline schedule` is its CLI form, by pipeline file",
    "start_retraining": "`driftline run` is its CLI form, by pipeline file",
    "plan_partitions": "a step of a fanned-out pipeline run (one process: `driftline profile`)",
    "profile_partition": "a step of a fanned-out pipeline run (one process: `driftline profile`)",
    "merge_profiles": "a step of a fanned-out pipeline run (one process: `driftline profile`)",
    "score_partition": "a step of a fanned-out run (one process: `driftline performance`)",
    "merge_performance": "a step of a fanned-out run (one process: `driftline performance`)",
}


PARAMETER_TYPES = {"String", "Integer", "Float", "Boolean", "List", "Dict"}


def _unset(value: Any) -> Any:
    """None for every spelling of "not given" (click's UNSET, None, empty values)."""
    if value is None or "UNSET" in repr(value) or value in ("", (), [], {}):
        return None
    return value


def _cli_default(param: Any, negated: bool) -> Any:
    default = _unset(param.default)
    if getattr(param, "is_flag", False):
        default = bool(default)
    return (not default) if negated else default


def test_cli_and_components_offer_the_same_options() -> None:
    """ "The CLI and the components offer the same options: `validate` has no `--columns` or
    `--expected-rows`. Defaults agree too: the component's `expected_rows` defaults to -1,
    the pipeline's to 0.\""""
    assert set(TWINS) | set(NO_CLI_TWIN) == set(COMPONENT_OUTPUTS)
    for name, twin in TWINS.items():
        command: Any = main
        for word in twin.command:
            command = command.commands[word]
        cli = {p.name: p for p in command.params if p.name != "help"}
        inputs = getattr(components, name).component_spec.inputs
        assert set(inputs) == set(twin.options) | set(twin.component_only), name
        assert set(cli) == {o.lstrip("!") for o in twin.options.values()} | set(twin.cli_only)
        for parameter, option in twin.options.items():
            param = cli[option.lstrip("!")]
            if param.required or inputs[parameter].type not in PARAMETER_TYPES:
                continue  # an artifact, or an option the CLI requires
            pair = (_unset(inputs[parameter].default), _cli_default(param, option[0] == "!"))
            expected = twin.same_default.get(parameter, (pair[0], pair[0]))
            assert pair == tuple(map(_unset, expected)), (name, parameter, pair)
    path = ROOT / "pipelines" / "yaml" / "scheduled_monitoring.yaml"
    pipeline = next(yaml.safe_load_all(path.read_text()))
    declared = pipeline["root"]["inputDefinitions"]["parameters"]["expected_rows"]
    component = components.validate_data.component_spec.inputs["expected_rows"]
    assert declared["defaultValue"] == component.default == 0
