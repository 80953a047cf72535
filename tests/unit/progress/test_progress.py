"""Progress of long reads: log lines at a bounded rate, a live line only on a terminal."""

from __future__ import annotations

import csv
import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from driftline import progress
from driftline.exits import exit_on_error
from driftline.io import iter_batches, read_table


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def table_csv(tmp_path: Path) -> Path:
    path = tmp_path / "window.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["x", "y"])
        writer.writerows([i, i % 7] for i in range(5000))
    return path


def test_log_lines_come_at_most_once_per_interval_and_once_per_finished_phase() -> None:
    lines: list[str] = []
    clock = Clock()
    log = progress.LogProgress(lines.append, interval=10, clock=clock)
    with progress.showing(log):
        progress.phase("reading a")
        for _ in range(100):  # 100 batches within 9.9 s: no line yet
            clock.now += 0.099
            progress.advance(1000, 8000)
        assert lines == []
        clock.now += 0.2  # 10.1 s: one line
        progress.advance(1000, 8000)
        assert lines == ["driftline: reading a: 101,000 rows, 789.1 KB in 10 s"]
        progress.phase("reading b")  # the finished phase gets its closing line
        assert lines[-1] == "driftline: reading a: 101,000 rows, 789.1 KB in 10 s"
        assert len(lines) == 2
        progress.advance(5, 1024 * 1024 * 3)
    assert lines[-1] == "driftline: reading b: 5 rows, 3.0 MB in 0 s"  # closed with the block
    assert len(lines) == 3


def test_readers_report_phase_rows_and_bytes(table_csv: Path) -> None:
    lines: list[str] = []
    with progress.showing(progress.LogProgress(lines.append, interval=3600)):
        rows = sum(b.num_rows for b in iter_batches(table_csv, batch_rows=1000))
        table = read_table(table_csv)
    assert rows == table.num_rows == 5000
    assert len(lines) == 2
    for line in lines:
        assert line.startswith("driftline: reading window.csv: 5,000 rows, ")


def test_without_a_reporter_nothing_is_shown(table_csv: Path, capsys) -> None:
    assert read_table(table_csv).num_rows == 5000
    assert capsys.readouterr() == ("", "")


def test_a_component_block_logs_its_reads(table_csv: Path, capsys) -> None:
    with exit_on_error():
        read_table(table_csv)
    assert capsys.readouterr().err.startswith("driftline: reading window.csv: 5,000 rows, ")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_reporter_only_on_a_terminal_and_not_when_quiet() -> None:
    assert progress.for_terminal(stream=io.StringIO()) is None
    assert progress.for_terminal(quiet=True, stream=Terminal()) is None
    screen = Terminal()
    reporter = progress.for_terminal(stream=screen)
    assert isinstance(reporter, progress.TerminalProgress)
    with progress.showing(reporter):
        progress.phase("reading window.csv")
        progress.advance(2500, 2048)
    assert "reading window.csv" in screen.getvalue() and "2.50k rows" in screen.getvalue()
    assert "2.0 KB" in screen.getvalue()


def _cli(args: list[str], tty: bool) -> str:
    """Run the CLI with stderr on a pseudo-terminal (tty) or a pipe; returns stderr."""
    command = [sys.executable, "-m", "driftline", *args]
    if not tty:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stderr
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=300) == 0
    return b"".join(chunks).decode(errors="replace")


def test_cli_shows_progress_on_a_terminal_only(table_csv: Path, tmp_path: Path) -> None:
    args = ["profile", str(table_csv), "--out", str(tmp_path / "profile.json")]
    shown = _cli(args, tty=True)
    assert "reading window.csv" in shown and "5.00k rows" in shown
    assert "reading" not in _cli(args, tty=False)
    assert "reading" not in _cli([*args, "--quiet"], tty=True)
