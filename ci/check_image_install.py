"""Prove the image recipe without a container engine.

Runs the Dockerfile's own install steps (images/runtime/install.sh: build the wheel,
install it with constraints.txt) into a fresh virtual environment, then, inside it:
`pip check`; import and compile every component and pipeline (`driftline compile`),
which must equal the committed YAML; import every component module; and run a real
component's command line (profile_baseline on the demo CSV) taken from its committed
YAML with a generated executor input, the way the KFP launcher runs it.

    python ci/check_image_install.py [--workdir DIR] [--reuse]

Takes about a minute with a warm pip cache; .ci/run runs it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
INSTALL_SH = ROOT / "images" / "runtime" / "install.sh"
DEMO_CSV = ROOT / "src" / "driftline" / "demo" / "data" / "hour.csv"
COMPONENT_YAML = ROOT / "components" / "yaml" / "profile_baseline.yaml"


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    print("+", " ".join(cmd[:6]), "..." if len(cmd) > 6 else "", flush=True)
    return subprocess.run(cmd, check=True, text=True, **kwargs)  # type: ignore[call-overload]


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without anything that points at this checkout."""
    drop = {"DRIFTLINE_IMAGE", "PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(extra)
    return env


def install(work: Path) -> Path:
    """The Dockerfile's two RUN steps, in a fresh venv; returns its python."""
    wheels, venv = work / "wheels", work / "venv"
    shutil.rmtree(wheels, ignore_errors=True)
    shutil.rmtree(venv, ignore_errors=True)
    run(
        ["sh", str(INSTALL_SH), "wheel", str(ROOT), str(wheels)],
        env=clean_env(PYTHON=sys.executable),
    )
    base_python = getattr(sys, "_base_executable", sys.executable)
    run([base_python, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    run(
        ["sh", str(INSTALL_SH), "install", str(wheels), str(ROOT / "constraints.txt")],
        env=clean_env(PYTHON=str(python)),
    )
    return python


def check_compile(python: Path, work: Path) -> None:
    """Every component and pipeline imports and compiles in the image env, as committed."""
    out = work / "yaml"
    shutil.rmtree(out, ignore_errors=True)
    run([str(python), "-m", "driftline", "compile", "--out", str(out)], env=clean_env(), cwd=work)
    for kind in ("components", "pipelines"):
        fresh = {p.name: p.read_bytes() for p in (out / kind).glob("*.yaml")}
        committed = {p.name: p.read_bytes() for p in (ROOT / kind / "yaml").glob("*.yaml")}
        if fresh != committed:
            differ = sorted(
                n for n in set(fresh) | set(committed) if fresh.get(n) != committed.get(n)
            )
            sys.exit(f"image env compiles different {kind} YAML: {differ} (run make compile)")
        print(f"ok: {len(fresh)} {kind} compile in the image env as committed")


def check_component_imports(python: Path, work: Path) -> None:
    """Every component module imports in the image env and defines its component."""
    code = (
        "import importlib, pkgutil\n"
        "import driftline.components as package\n"
        "from kfp.dsl.base_component import BaseComponent\n"
        "names = [m.name for m in pkgutil.iter_modules(package.__path__)\n"
        "         if m.name not in ('image', 'loader') and not m.name.startswith('_')]\n"
        "for name in names:\n"
        "    module = importlib.import_module(f'driftline.components.{name}')\n"
        "    assert isinstance(getattr(module, name), BaseComponent), name\n"
        "    assert getattr(package, name) is getattr(module, name), name\n"
        "print(' '.join(sorted(names)))\n"
    )
    done = subprocess.run(
        [str(python), "-c", code], env=clean_env(), cwd=work, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"component modules do not import in the image env:\n{done.stderr}")
    found = done.stdout.split()
    committed = sorted(p.stem for p in (ROOT / "components" / "yaml").glob("*.yaml"))
    if found != committed:
        sys.exit(f"image env has components {found}, components/yaml has {committed}")
    print(f"ok: all {len(found)} component modules import in the image env")


def executor_input(spec: dict[str, Any], work: Path) -> dict[str, Any]:
    """profile_baseline's executor input as the launcher builds it: every parameter from
    the YAML's defaults (data_format set to csv), the demo CSV as the dataset."""
    outputs = work / "outputs"
    shutil.rmtree(outputs, ignore_errors=True)
    outputs.mkdir()
    parameters = spec["root"]["inputDefinitions"]["parameters"]
    values = {name: p["defaultValue"] for name, p in parameters.items() if "defaultValue" in p}
    values["data_format"] = "csv"

    def artifact(name: str, schema: str, uri: Path) -> dict[str, object]:
        return {
            "artifacts": [
                {"name": name, "type": {"schemaTitle": schema}, "uri": str(uri), "metadata": {}}
            ]
        }

    return {
        "inputs": {
            "parameterValues": values,
            "artifacts": {"dataset": artifact("dataset", "system.Dataset", DEMO_CSV)},
        },
        "outputs": {
            "parameters": {"rows": {"outputFile": str(outputs / "rows")}},
            "artifacts": {"profile": artifact("profile", "system.Artifact", outputs / "profile")},
            "outputFile": str(outputs / "executor_output.json"),
        },
    }


def check_component_command(python: Path, work: Path) -> None:
    """Run profile_baseline exactly as its committed YAML says, with the image env's python3
    first on PATH, on the demo CSV; the profile must count what the csv module counts."""
    import yaml

    spec = next(yaml.safe_load_all(COMPONENT_YAML.read_text()))
    (container,) = [e["container"] for e in spec["deploymentSpec"]["executors"].values()]
    payload = executor_input(spec, work)
    args = [json.dumps(payload) if a == "{{$}}" else a for a in container["args"]]
    path = f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    run(container["command"] + args, env=clean_env(PATH=path), cwd=work)

    result = json.loads(Path(payload["outputs"]["outputFile"]).read_text())
    with DEMO_CSV.open(newline="") as f:
        header, *rows = list(csv.reader(f))
    got = result["parameterValues"]["rows"]
    (artifact,) = result["artifacts"]["profile"]["artifacts"]
    profile = json.loads(Path(artifact["uri"]).read_text())
    if got != len(rows) or artifact["metadata"].get("rows") != len(rows):
        sys.exit(f"profile_baseline counted {got} rows ({artifact['metadata']}), csv: {len(rows)}")
    columns = [column["name"] for column in profile["columns"]]
    if columns != header or profile["row_count"] != len(rows):
        sys.exit(f"profile: {profile['row_count']} rows, columns {columns}; CSV: {header}")
    print(f"ok: profile_baseline's command from its YAML ran in the image env ({got} rows)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="keep the venv here (default: a temp dir)")
    parser.add_argument("--reuse", action="store_true", help="reuse the venv in --workdir")
    opts = parser.parse_args()
    work = opts.workdir or Path(tempfile.mkdtemp(prefix="driftline-image-"))
    work.mkdir(parents=True, exist_ok=True)
    python = work / "venv" / "bin" / "python"
    if not (opts.reuse and python.exists()):
        python = install(work)
    run([str(python), "-m", "pip", "check"])
    check_compile(python, work)
    check_component_imports(python, work)
    check_component_command(python, work)
    if opts.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
