"""ci/test-env/50-mlflow-server.sh: silent when the server's venv is in place, installs it when
missing or of another version, and fails with one line naming the command otherwise.

A fake PYTHON stands for the interpreter: `-m venv DIR` creates DIR/bin/python, a shim whose
`pip install mlflow==X` "installs" X (or fails when PIP_FAILS is set) and whose `-c ...`
prints the installed version.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "ci" / "test-env" / "50-mlflow-server.sh"

VENV_PYTHON = """#!/bin/sh
here="$(dirname "$0")"
echo "python $*" >> "$CALLS"
case "$1" in
  -c) cat "$here/../version" 2>/dev/null || exit 1 ;;
  -m)
    [ -n "$PIP_FAILS" ] && { echo "ERROR: No matching distribution found for mlflow" >&2; exit 1; }
    for a in "$@"; do case "$a" in mlflow==*) echo "${a#mlflow==}" > "$here/../version";; esac; done
    touch "$here/mlflow"; chmod +x "$here/mlflow" ;;
esac
"""


def run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    fake = tmp_path / "python3.11"
    shim = VENV_PYTHON.replace("\\", "\\\\").replace("'", "'\\''")
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "python3.11 $*" >> "$CALLS"\n'
        '[ "$1" = -m ] && [ "$2" = venv ] || exit 1\n'
        'mkdir -p "$3/bin"\n'
        f"printf '%s' '{shim}' > \"$3/bin/python\"\n"
        'chmod +x "$3/bin/python"\n'
    )
    fake.chmod(0o755)
    calls = tmp_path / "calls.log"
    calls.touch()
    return subprocess.run(
        [str(SCRIPT)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={
            "PATH": os.environ["PATH"],
            "PYTHON": str(fake),
            "CALLS": str(calls),
            "MLFLOW_VENV": str(tmp_path / "venv"),
            **env,
        },
    )


def calls(tmp_path: Path) -> list[str]:
    return (tmp_path / "calls.log").read_text().splitlines()


def test_installs_when_missing_then_stays_silent(tmp_path: Path) -> None:
    first = run(tmp_path)
    assert first.returncode == 0, first.stderr
    expected = f"50-mlflow-server: installing mlflow 3.17.2 into {tmp_path}/venv"
    assert first.stderr.strip() == expected
    assert any("pip install" in c and "mlflow==3.17.2" in c for c in calls(tmp_path))
    (tmp_path / "calls.log").write_text("")
    again = run(tmp_path)
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    assert not any("install" in c for c in calls(tmp_path))


def test_another_version_is_replaced(tmp_path: Path) -> None:
    assert run(tmp_path, MLFLOW_VERSION="3.16.0").returncode == 0
    assert run(tmp_path).returncode == 0
    assert (tmp_path / "venv" / "version").read_text().strip() == "3.17.2"


def test_a_failed_install_is_one_line_naming_the_command(tmp_path: Path) -> None:
    failed = run(tmp_path, PIP_FAILS="1")
    assert failed.returncode == 1
    *_, last = failed.stderr.strip().splitlines()
    assert last.startswith("50-mlflow-server: could not install mlflow 3.17.2 (ERROR: No matching")
    assert last.endswith(f"run: {tmp_path}/python3.11 -m venv {tmp_path}/venv && "
                         f"{tmp_path}/venv/bin/pip install mlflow==3.17.2")  # fmt: skip
