"""The committed component/pipeline YAML is what `make compile` produces, and it loads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from kfp import components

from driftline.errors import DriftlineError, InputError
from driftline.platforms.kfp import compile as compile_mod
from driftline.platforms.kfp.compile import compile_all, discover_components, discover_pipelines

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_COMPONENTS = "tests.pipelines.sample.components"
SAMPLE_PIPELINES = "tests.pipelines.sample.pipelines"
COMMITTED = {"components": ROOT / "components" / "yaml", "pipelines": ROOT / "pipelines" / "yaml"}


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DRIFTLINE_IMAGE"}
    env["PYTHONPATH"] = str(ROOT)
    return env


def _yaml_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.yaml"))}


def test_discovery_finds_every_component_module() -> None:
    modules = {
        p.stem
        for p in (ROOT / "components").glob("*.py")
        if not p.stem.startswith("_") and p.stem not in {"image", "loader"}
    }
    assert set(discover_components()) == modules


def test_discovery_finds_the_sample_component_and_pipeline() -> None:
    assert list(discover_components(SAMPLE_COMPONENTS)) == ["count_rows"]
    assert list(discover_pipelines(SAMPLE_PIPELINES)) == ["count_rows_pipeline"]


def test_tool_modules_of_the_pipelines_package_are_not_pipelines() -> None:
    assert not {"compile", "publish"} & set(discover_pipelines())


def test_a_component_module_without_its_component_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = tmp_path / "badcomponents"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "check_things.py").write_text("def other():\n    return 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(
        DriftlineError, match=r"badcomponents\.check_things must define a component"
    ):
        discover_components("badcomponents")


def test_committed_yaml_is_up_to_date(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "driftline", "compile", "--out", str(tmp_path)],
        check=True,
        env=_clean_env(),
        cwd=ROOT,
        capture_output=True,
    )
    for kind, committed_dir in COMMITTED.items():
        fresh, committed = _yaml_files(tmp_path / kind), _yaml_files(committed_dir)
        for name in sorted(set(fresh) | set(committed)):
            where = f"{kind}/yaml/{name}"
            assert name in committed, f"{where} is missing: run make compile"
            assert name in fresh, f"{where} has no module any more: run make compile"
            assert fresh[name] == committed[name], f"{where} is stale: run make compile"


def test_compiling_is_deterministic(tmp_path: Path) -> None:
    runs = []
    for run in ("a", "b"):
        compile_all(
            tmp_path / run, components_package=SAMPLE_COMPONENTS, pipelines_package=SAMPLE_PIPELINES
        )
        runs.append({k: _yaml_files(tmp_path / run / k) for k in COMMITTED})
    assert runs[0] == runs[1]
    assert set(runs[0]["components"]) == {"count_rows.yaml"}


def test_every_compiled_yaml_loads_as_a_component(tmp_path: Path) -> None:
    compile_all(tmp_path, components_package=SAMPLE_COMPONENTS, pipelines_package=SAMPLE_PIPELINES)
    files = [p for d in COMMITTED.values() for p in sorted(d.glob("*.yaml"))]
    files += sorted(tmp_path.glob("*/*.yaml"))
    for path in files:
        loaded = components.load_component_from_file(str(path))
        assert loaded.name, path
    assert len(files) >= 2


def test_image_override_reaches_every_executor(tmp_path: Path) -> None:
    image = "registry.example.com/ml/driftline:9.9.9"
    code = (
        "import sys; from pathlib import Path;"
        "from driftline.platforms.kfp.compile import compile_all;"
        f"compile_all(Path(sys.argv[1]), image={image!r}, components_package={SAMPLE_COMPONENTS!r},"
        f" pipelines_package={SAMPLE_PIPELINES!r})"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], check=True, env=_clean_env(), cwd=ROOT
    )
    for path in sorted(tmp_path.glob("*/*.yaml")):
        spec = next(yaml.safe_load_all(path.read_text()))
        executors = spec["deploymentSpec"]["executors"].values()
        images = {e["container"]["image"] for e in executors if "container" in e}
        assert images == {image}, path


def test_default_image_is_the_package_version() -> None:
    from driftline import __version__
    from driftline.components.image import DEFAULT_REGISTRY

    code = "from driftline.components.image import IMAGE; print(IMAGE)"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, env=_clean_env(), capture_output=True, text=True
    )
    assert out.stdout.strip() == f"{DEFAULT_REGISTRY}/driftline:{__version__}"


def test_installed_driftline_needs_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compile_mod, "source_yaml_dirs", lambda: None)
    with pytest.raises(InputError, match="give --out DIR"):
        compile_all(None)


def test_source_checkout_is_detected() -> None:
    assert compile_mod.source_yaml_dirs() == (COMMITTED["components"], COMMITTED["pipelines"])
