"""Hostile input to reading and writing files (issue 12): one test per defect found."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from driftline.cli import main
from driftline.report import write_report
from tests.unit.lineage.support import drift_report

REPO = Path(__file__).resolve().parents[1]


def driftline(*args: str, cwd: Path) -> Result:
    """The CLI, run in `cwd` (in this process: its error handling is the command's own)."""
    before = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        os.chdir(before)


def assert_one_error_line(stderr: str, *fragments: str) -> None:
    """Exactly one line, `error: ...`, naming each fragment; no traceback."""
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A small CSV table and its profile, in `tmp_path`."""
    table = pa.table({"x": [float(i % 17) for i in range(300)], "c": ["a", "b", "c"] * 100})
    pacsv.write_csv(table, tmp_path / "data.csv")
    result = driftline("profile", "data.csv", "--out", "profile.json", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    return tmp_path


@contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """`folder` made unwritable for this process: immutable for root (which ignores modes),
    mode 0555 for anyone else."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        assert chattr, "chattr (e2fsprogs) is needed to make a folder unwritable for root"
        subprocess.run([chattr, "+i", str(folder)], check=True)
        try:
            yield folder
        finally:
            subprocess.run([chattr, "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)


def test_reports_written_html_first_mismatch_when_json_write_fails(tmp_path, monkeypatch):
    """'Reports can mismatch: HTML is written before JSON, so a failed JSON write leaves new HTML
    next to old JSON.'"""
    from driftline.errors import OutputError
    from driftline.storage import writing

    write_report(tmp_path, "drift_report", {"version": "old"}, "<p>old</p>")
    real_write = writing._write_all

    def disk_full_on_json(fd: int, data: bytes) -> None:
        if data.startswith(b"{"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(fd, data)

    monkeypatch.setattr(writing, "_write_all", disk_full_on_json)
    with pytest.raises(OutputError, match="no space left on device"):
        write_report(tmp_path, "drift_report", {"version": "new"}, "<p>new</p>")
    assert (tmp_path / "drift_report.html").read_text() == "<p>old</p>"
    assert json.loads((tmp_path / "drift_report.json").read_text()) == {"version": "old"}
    assert files_in(tmp_path) == ["drift_report.html", "drift_report.json"]


def test_unwritable_out_shows_a_traceback(data):
    """'Output-path problems show a traceback and exit 1: an unwritable --out'"""
    with read_only(data / "locked"):
        profile = driftline("profile", "data.csv", "--out", "locked/p.json", cwd=data)
        validate = driftline(
            "validate", "--profile", "profile.json", "--current", "data.csv", "--out", "locked",
            cwd=data,
        )  # fmt: skip
    assert profile.exit_code == 2
    assert_one_error_line(profile.stderr, "locked/p.json", "permission denied")
    assert validate.exit_code == 2
    assert_one_error_line(validate.stderr, "locked/validation_report", "permission denied")
    assert files_in(data / "locked") == []


def test_out_that_is_an_existing_file_shows_a_traceback(data):
    """'Output-path problems show a traceback and exit 1: ... --out that is an existing file'"""
    (data / "taken").write_text("keep me")
    predictions = {
        "id": list(range(48)),
        "timestamp": [f"2024-01-0{1 + h // 24}T{h % 24:02d}:00:00" for h in range(48)],
        "prediction": [float(h) for h in range(48)],
        "label": [float(h + 1) for h in range(48)],
    }
    pacsv.write_csv(pa.table(predictions), data / "predictions.csv")
    commands = {
        "validate": ["--profile", "profile.json", "--current", "data.csv"],
        "drift": ["--reference", "data.csv", "--current", "data.csv"],
        "setup-monitoring": ["--isvc", "bikes", "--namespace", "ml", "--dry-run"],
        "performance": ["--predictions", "predictions.csv", "--task", "regression"],
        "compile": [],
    }
    for command, args in commands.items():
        result = driftline(command, *args, "--out", "taken", cwd=data)
        assert result.exit_code == 2, (command, result.stderr)
        assert_one_error_line(result.stderr, "taken is a file, not a folder")
    assert (data / "taken").read_text() == "keep me"


def test_out_that_is_a_folder_shows_a_traceback(data):
    """'Output-path problems show a traceback and exit 1: ... --out that is ... a folder'"""
    (data / "folder").mkdir()
    report = data / "drift.json"
    report.write_text(json.dumps(drift_report()))
    results = [
        driftline("profile", "data.csv", "--out", "folder", cwd=data),
        driftline(
            "publish-metrics",
            "--model",
            "m",
            "--namespace",
            "ml",
            "--drift-report",
            str(report),
            "--out",
            "folder",
            cwd=data,
        ),
    ]
    for result in results:
        assert result.exit_code == 2, result.stderr
        assert_one_error_line(result.stderr, "folder", "is a folder")
    assert files_in(data / "folder") == []


def test_full_disk_shows_a_traceback(data, monkeypatch):
    """'Output-path problems show a traceback and exit 1: ... a full disk'"""
    from driftline.storage import writing

    (data / "out").mkdir()
    (data / "out" / "p.json").write_text("old profile")

    def disk_full(fd: int, data: bytes) -> None:
        os.write(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writing, "_write_all", disk_full)
    profile = driftline("profile", "data.csv", "--out", "out/p.json", cwd=data)
    validate = driftline(
        "validate", "--profile", "profile.json", "--current", "data.csv", "--out", "out", cwd=data
    )
    for result, path in ((profile, "out/p.json"), (validate, "out/validation_report")):
        assert result.exit_code == 2, result.output
        assert_one_error_line(result.stderr, path, "no space left on device")
    assert files_in(data / "out") == ["p.json"]
    assert (data / "out" / "p.json").read_text() == "old profile"


def test_output_files_are_0600_whatever_the_umask(data):
    """'Output files are created 0600 whatever the umask, and overwriting makes 0644 files 0600.
    Respect the umask.'"""

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    old = os.umask(0o022)
    try:
        driftline("profile", "data.csv", "--out", "a.json", cwd=data)
        os.umask(0o027)
        driftline("profile", "data.csv", "--out", "b.json", cwd=data)
        (data / "c.json").write_text("{}")
        (data / "c.json").chmod(0o644)
        os.umask(0o077)
        driftline("profile", "data.csv", "--out", "c.json", cwd=data)
    finally:
        os.umask(old)
    assert (mode(data / "a.json"), mode(data / "b.json")) == (0o644, 0o640)
    assert mode(data / "c.json") == 0o644 and json.loads((data / "c.json").read_text())["columns"]


WRITER = textwrap.dedent(
    """
    import sys, time
    from driftline.storage import atomic_output

    with atomic_output(sys.argv[1]) as tmp:
        tmp.write_bytes(b"half of a large file")
        print("writing", flush=True)
        time.sleep(60)
    """
)


def test_sigterm_during_a_write_leaves_tmp_files(tmp_path):
    """'SIGTERM during a write leaves `.NAME.*.tmp` files. Clean them up on signal, or sweep
    stale ones at start.'"""
    target = tmp_path / "window.parquet"
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == "writing\n"
        assert len(list(tmp_path.glob(".window.parquet.*.tmp"))) == 1  # the write is under way
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == -signal.SIGTERM  # still ends by SIGTERM
    finally:
        process.kill()
    deadline = time.monotonic() + 5
    while files_in(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert files_in(tmp_path) == []


def test_binary_data_parsed_as_csv_echoes_raw_bytes(tmp_path):
    """'Binary data parsed as CSV echoes raw bytes, NULs included, to stderr. Quote a short,
    escaped excerpt instead.'"""
    rows = [b"a,b"] + [b"\x00\x01\x1b[2J\xff\xfe," * 40 for _ in range(50)]
    (tmp_path / "blob.csv").write_bytes(b"\n".join(rows))
    result = subprocess.run(  # a real process: what reaches the terminal
        [sys.executable, "-m", "driftline", "profile", "blob.csv", "--out", "p.json"],
        cwd=tmp_path,
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 2
    line = result.stderr.decode("utf-8").removesuffix("\n")
    assert_one_error_line(line, "blob.csv")
    assert all(c.isprintable() and c != "\ufffd" for c in line), ascii(line)
    assert "\\x00\\x01\\x1b[2J\\ufffd" in line and len(line) < 400
    assert not (tmp_path / "p.json").exists()


def test_folder_of_mixed_formats_is_guessed_to_be_csv(tmp_path):
    """'A folder of mixed formats is guessed to be CSV. Refuse it and name the formats found.'"""
    folder = tmp_path / "mixed"
    folder.mkdir()
    pacsv.write_csv(pa.table({"x": [1.0, 2.0]}), folder / "a.csv")
    pacsv.write_csv(pa.table({"x": [3.0]}), folder / "b.csv")
    pq.write_table(pa.table({"x": [4.0, 5.0, 6.0, 7.0]}), folder / "c.parquet")
    refused = driftline("profile", "mixed", "--out", "p.json", cwd=tmp_path)
    assert refused.exit_code == 2
    assert_one_error_line(refused.stderr, "mixed", "2 csv", "1 parquet", "--format")
    assert not (tmp_path / "p.json").exists()
    for fmt, rows in (("csv", 3), ("parquet", 4)):
        chosen = driftline("profile", "mixed", "--format", fmt, "--out", "p.json", cwd=tmp_path)
        assert chosen.exit_code == 0, chosen.stderr
        assert json.loads((tmp_path / "p.json").read_text())["row_count"] == rows
