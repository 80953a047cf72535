"""Prove the image recipe without a container engine.

Runs the Dockerfile's own install steps (images/runtime/install.sh: build the wheel,
install it with constraints.txt) into a fresh virtual environment, then, inside it:
`pip check`; import and compile every component and pipeline (`driftline compile`),
which must equal the committed YAML; and run one component's command line taken from
its compiled YAML with a generated executor input, the way the KFP launcher runs it.

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

ROOT = Path(__file__).resolve().parents[1]
INSTALL_SH = ROOT / "images" / "runtime" / "install.sh"
DEMO_CSV = ROOT / "src" / "driftline" / "demo" / "data" / "hour.csv"


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


def sample_component_yaml(work: Path) -> Path:
    """Compile the tests' sample component (a real driftline.io call) with this checkout."""
    sys.path.insert(0, str(ROOT))
    from driftline.pipelines.compile import compile_all

    out = work / "sample"
    compile_all(out, components_package="tests.pipelines.sample.components", pipelines_package=None)
    return out / "components" / "count_rows.yaml"


def executor_input(work: Path) -> dict[str, object]:
    outputs = work / "outputs"
    shutil.rmtree(outputs, ignore_errors=True)
    outputs.mkdir()

    def artifact(name: str, schema: str, uri: Path) -> dict[str, object]:
        return {
            "artifacts": [
                {"name": name, "type": {"schemaTitle": schema}, "uri": str(uri), "metadata": {}}
            ]
        }

    return {
        "inputs": {
            "parameterValues": {"table_format": "csv"},
            "artifacts": {"table": artifact("table", "system.Dataset", DEMO_CSV)},
        },
        "outputs": {
            "parameters": {"Output": {"outputFile": str(outputs / "Output")}},
            "artifacts": {"summary": artifact("summary", "system.Artifact", outputs / "summary")},
            "outputFile": str(outputs / "executor_output.json"),
        },
    }


def check_component_command(python: Path, work: Path) -> None:
    """Run the component exactly as its YAML says, with the image env's python3 first on PATH."""
    import yaml

    spec = next(yaml.safe_load_all(sample_component_yaml(work).read_text()))
    (container,) = [e["container"] for e in spec["deploymentSpec"]["executors"].values()]
    payload = executor_input(work)
    args = [json.dumps(payload) if a == "{{$}}" else a for a in container["args"]]
    path = f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    run(container["command"] + args, env=clean_env(PATH=path), cwd=work)

    out_file = Path(payload["outputs"]["outputFile"])  # type: ignore[index]
    result = json.loads(out_file.read_text())
    with DEMO_CSV.open(newline="") as f:
        expected_rows = sum(1 for _ in csv.reader(f)) - 1
    got = result["parameterValues"]["Output"]
    meta = result["artifacts"]["summary"]["artifacts"][0]["metadata"]
    if got != expected_rows or meta.get("rows") != expected_rows:
        sys.exit(
            f"component counted {got} rows (metadata {meta}), csv module counts {expected_rows}"
        )
    print(f"ok: component command from YAML ran in the image env ({got} rows)")


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
    check_component_command(python, work)
    if opts.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
