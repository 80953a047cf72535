"""ci/test-env/10-system-packages.sh: its decisions, on shims of apt-get, sudo and id.

Each case runs the real script with a PATH of shims in a temp dir: fake programs stand for the
installed packages, a fake apt-get records its calls (and "installs" by creating the programs),
a fake sudo records and runs its command, a fake id reports the user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "ci" / "test-env" / "10-system-packages.sh"
PROGRAMS = {
    "prometheus": ["prometheus", "promtool"],
    "prometheus-pushgateway": ["prometheus-pushgateway"],
    "prometheus-alertmanager": ["prometheus-alertmanager"],
    "mariadb-server": ["mariadbd", "mariadb-install-db"],
    "chromium": ["chromium"],
    "chromium-driver": ["chromedriver"],
}
INSTALL = "install -y -qq --no-install-recommends"


def shim(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


class Machine:
    """A temp folder of shims standing for a machine's programs."""

    def __init__(self, root: Path, *, uid: int = 0, sudo: str | None = None, apt: bool = True):
        self.bin = root / "bin"
        self.bin.mkdir()
        self.calls = root / "calls.log"
        self.calls.touch()
        for tool in ("basename", "mktemp", "rm", "env", "true", "touch", "chmod"):
            os.symlink(shutil.which(tool), self.bin / tool)
        shim(self.bin, "id", f'[ "$1" = -u ] && echo {uid}')
        if apt:
            installs = "".join(
                f"{package}) touch {' '.join(str(self.bin / p) for p in programs)};; "
                for package, programs in PROGRAMS.items()
            )
            shim(
                self.bin,
                "apt-get",
                f'echo "apt-get DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >> {self.calls}\n'
                '[ "$1" = install ] || exit 0\n'
                '[ -n "$APT_FAILS" ] && { echo "E: broken" >&2; exit 100; }\n'
                f'for a in "$@"; do case "$a" in {installs}esac; done\n'
                f"chmod +x {self.bin}/*",
            )
        if sudo == "passwordless":
            shim(self.bin, "sudo", f'echo "sudo $*" >> {self.calls}\nshift\nexec "$@"')
        elif sudo == "password":
            shim(self.bin, "sudo", "echo 'sudo: a password is required' >&2; exit 1")

    def install(self, *packages: str) -> None:
        for package in packages:
            for program in PROGRAMS[package]:
                shim(self.bin, program, "exit 0")

    def run(self, **env: str) -> subprocess.CompletedProcess[str]:
        environ = {"PATH": str(self.bin), "SBIN_PATH": "", **env}
        return subprocess.run(
            ["/bin/bash", str(SCRIPT)], env=environ, capture_output=True, text=True, timeout=60
        )

    def log(self) -> list[str]:
        return self.calls.read_text().splitlines()


def test_everything_installed_means_no_apt_and_no_output(tmp_path: Path):
    machine = Machine(tmp_path, uid=1000, sudo="passwordless")
    machine.install(*PROGRAMS)
    done = machine.run()
    assert (done.returncode, done.stdout, done.stderr, machine.log()) == (0, "", "", [])


def test_missing_programs_as_root_install_exactly_their_packages(tmp_path: Path):
    machine = Machine(tmp_path, uid=0)
    machine.install("prometheus", "prometheus-alertmanager", "mariadb-server")
    done = machine.run()
    assert done.returncode == 0, done.stderr
    assert machine.log() == [
        "apt-get DEBIAN_FRONTEND=noninteractive update -qq",
        f"apt-get DEBIAN_FRONTEND=noninteractive {INSTALL} prometheus-pushgateway chromium "
        "chromium-driver",
    ]
    assert done.stderr == (
        "10-system-packages: installing prometheus-pushgateway chromium chromium-driver\n"
    )
    assert machine.run().returncode == 0 and len(machine.log()) == 2  # idempotent


def test_one_missing_program_of_a_package_installs_it(tmp_path: Path):
    machine = Machine(tmp_path, uid=0)
    machine.install(*PROGRAMS)
    (machine.bin / "promtool").unlink()
    assert machine.run().returncode == 0
    assert machine.log()[-1].endswith(f"{INSTALL} prometheus")


def test_alternative_program_names_count_as_installed(tmp_path: Path):
    machine = Machine(tmp_path, uid=1000)
    machine.install("prometheus", "prometheus-pushgateway", "prometheus-alertmanager")
    machine.install("chromium-driver")
    for program in ("mysqld", "mysql_install_db", "chromium-browser"):
        shim(machine.bin, program, "exit 0")
    assert machine.run().returncode == 0 and machine.log() == []


def test_server_programs_in_sbin_are_found_off_path(tmp_path: Path):
    machine = Machine(tmp_path, uid=1000)
    machine.install(
        "prometheus",
        "prometheus-pushgateway",
        "prometheus-alertmanager",
        "chromium",
        "chromium-driver",
    )
    sbin = tmp_path / "sbin"
    sbin.mkdir()
    for program in PROGRAMS["mariadb-server"]:
        shim(sbin, program, "exit 0")
    assert machine.run(SBIN_PATH=str(sbin)).returncode == 0 and machine.log() == []


def test_not_root_uses_passwordless_sudo(tmp_path: Path):
    machine = Machine(tmp_path, uid=1000, sudo="passwordless")
    machine.install(
        "prometheus",
        "prometheus-pushgateway",
        "prometheus-alertmanager",
        "chromium",
        "chromium-driver",
    )
    done = machine.run()
    assert done.returncode == 0, done.stderr
    assert machine.log() == [
        "sudo -n true",
        "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq",
        "apt-get DEBIAN_FRONTEND=noninteractive update -qq",
        f"sudo -n env DEBIAN_FRONTEND=noninteractive apt-get {INSTALL} mariadb-server",
        f"apt-get DEBIAN_FRONTEND=noninteractive {INSTALL} mariadb-server",
    ]


@pytest.mark.parametrize("sudo", [None, "password"])
def test_no_root_and_no_passwordless_sudo_stops_with_the_command(tmp_path: Path, sudo):
    machine = Machine(tmp_path, uid=1000, sudo=sudo)
    machine.install("prometheus", "prometheus-alertmanager", "chromium", "chromium-driver")
    done = machine.run()
    assert done.returncode == 1 and done.stdout == "" and machine.log() == []
    assert done.stderr == (
        "10-system-packages: missing prometheus-pushgateway mariadb-server, and no root or "
        "passwordless sudo: run sudo apt-get update && sudo apt-get "
        f"{INSTALL} prometheus-pushgateway mariadb-server\n"
    )


def test_no_apt_stops_with_one_line(tmp_path: Path):
    machine = Machine(tmp_path, uid=0, apt=False)
    done = machine.run()
    assert done.returncode == 1 and len(done.stderr.splitlines()) == 1
    assert "no apt-get (not Debian/Ubuntu)" in done.stderr and "chromium" in done.stderr


def test_failing_apt_stops_with_one_line_and_its_log(tmp_path: Path):
    machine = Machine(tmp_path, uid=0)
    machine.install(
        "prometheus",
        "prometheus-pushgateway",
        "prometheus-alertmanager",
        "chromium",
        "chromium-driver",
    )
    done = machine.run(APT_FAILS="1", TMPDIR=str(tmp_path))
    assert done.returncode == 1
    [_installing, failed] = done.stderr.splitlines()
    assert failed.startswith("10-system-packages: apt-get could not install mariadb-server (log: ")
    log = Path(failed.split("(log: ")[1].split(")")[0])
    assert "E: broken" in log.read_text()


def test_this_machine_needs_nothing(tmp_path: Path):
    """For real: every package is installed here, so the script must not call apt-get or sudo."""
    trap = tmp_path / "trap"
    trap.mkdir()
    for name in ("apt-get", "sudo"):
        shim(trap, name, f"echo {name} called >&2; exit 99")
    env = {**os.environ, "PATH": f"{trap}:{os.environ['PATH']}"}
    env.pop("SBIN_PATH", None)
    done = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
