"""Writing through driftline.storage: whole files, pairs, failures that leave nothing, and
objects on a real S3 server (moto_server) read back with boto3."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from driftline import storage
from driftline.errors import OutputError
from driftline.storage import writing
from tests.object_store import S3Server


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_write_creates_folders_and_replaces_whole(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "report.json"
    assert storage.write_text(target, "one") == str(target)
    storage.write_bytes(target, b"two")
    assert target.read_text() == "two" and files_in(tmp_path) == ["a/b/report.json"]
    with storage.atomic_output(tmp_path / "t.parquet") as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".t.parquet.")
        pq.write_table(pa.table({"x": [1, 2]}), tmp)
    assert pq.read_table(tmp_path / "t.parquet").num_rows == 2
    assert files_in(tmp_path) == ["a/b/report.json", "t.parquet"]


def test_a_failed_block_publishes_nothing(tmp_path: Path) -> None:
    (tmp_path / "t.parquet").write_text("old")
    with pytest.raises(RuntimeError), storage.atomic_output(tmp_path / "t.parquet") as tmp:
        tmp.write_text("half")
        raise RuntimeError("the writer failed")
    assert files_in(tmp_path) == ["t.parquet"] and (tmp_path / "t.parquet").read_text() == "old"


def test_pair_rolls_back_when_the_second_rename_fails(tmp_path: Path, monkeypatch) -> None:
    html, json_path = tmp_path / "r.html", tmp_path / "r.json"
    storage.write_together({html: "old html", json_path: "old json"})
    real_commit = writing._Local.commit

    def rename_fails_for_json(self: writing._Local, keep_old: bool) -> None:
        if self.path.endswith(".json"):
            raise writing.output_error(OSError(errno.EIO, "Input/output error"), self.target)
        real_commit(self, keep_old)

    monkeypatch.setattr(writing._Local, "commit", rename_fails_for_json)
    with pytest.raises(OutputError, match=r"r\.json: input/output error"):
        storage.write_together({html: "new html", json_path: "new json"})
    assert (html.read_text(), json_path.read_text()) == ("old html", "old json")
    assert files_in(tmp_path) == ["r.html", "r.json"]
    with pytest.raises(OutputError):  # a new pair: the first file is removed again
        storage.write_together({tmp_path / "new/r.html": "x", tmp_path / "new/r.json": "y"})
    assert files_in(tmp_path / "new") == []


def test_write_errors_name_the_target(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(OutputError, match=r"^cannot write .*file/x/y\.json: .*file is a file"):
        storage.write_text(tmp_path / "file" / "x" / "y.json", "{}")
    with pytest.raises(OutputError, match=r"it is a folder; give the path of a file$"):
        storage.write_text(tmp_path, "{}")
    with pytest.raises(OutputError, match=r"a name in it is too long"):
        storage.write_text(tmp_path / ("x" * 300), "{}")
    assert files_in(tmp_path) == ["file"]


@pytest.mark.parametrize("scheme", ["s3", "minio"])
def test_object_store_writes(s3: S3Server, scheme: str, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MINIO_ENDPOINT", s3.host_port)
    bucket = s3.bucket()
    root = f"{scheme}://{bucket}/out"
    storage.write_together({f"{root}/r.html": "<p>", f"{root}/r.json": "{}"})
    with storage.atomic_output(f"{root}/w.parquet") as tmp:
        assert storage.is_local(tmp)
        pq.write_table(pa.table({"x": [1.5]}), tmp)
    assert s3.keys(bucket) == ["out/r.html", "out/r.json", "out/w.parquet"]
    assert s3.get(bucket, "out/r.json") == b"{}"
    assert pq.read_table(pa.BufferReader(s3.get(bucket, "out/w.parquet"))).num_rows == 1
    with pytest.raises(OutputError, match=rf"^cannot write {scheme}://no-such-bucket/x: "):
        storage.write_text(f"{scheme}://no-such-bucket/x", "{}")


def test_object_store_pair_restores_the_first_when_the_second_fails(
    s3: S3Server, monkeypatch
) -> None:
    bucket = s3.bucket()
    storage.write_together({f"s3://{bucket}/r.html": "old html", f"s3://{bucket}/r.json": "{}"})
    real_commit = writing._Remote.commit

    def upload_fails_for_json(self: writing._Remote, keep_old: bool) -> None:
        if self.path.endswith(".json"):
            raise writing.output_error(OSError("AWS Error SLOW_DOWN"), self.target)
        real_commit(self, keep_old)

    monkeypatch.setattr(writing._Remote, "commit", upload_fails_for_json)
    with pytest.raises(OutputError, match="SLOW_DOWN"):
        storage.write_together({f"s3://{bucket}/r.html": "new", f"s3://{bucket}/r.json": "[]"})
    assert s3.get(bucket, "r.html") == b"old html" and s3.get(bucket, "r.json") == b"{}"


DEFERRED = textwrap.dedent(
    """
    import os, signal
    from driftline.storage import temps, write_text

    write_text(os.path.join(os.environ["OUT"], "first.json"), "{}")  # installs the handler
    with temps.signal_deferred():
        os.kill(os.getpid(), signal.SIGTERM)
        print("renames finished", flush=True)
    print("not reached", flush=True)
    """
)


def test_sigterm_waits_for_renames_in_progress(tmp_path: Path) -> None:
    """A SIGTERM between the renames of a pair is held until both are done, then ends the
    process by SIGTERM."""
    result = subprocess.run(
        [sys.executable, "-c", DEFERRED],
        env={**os.environ, "OUT": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == -signal.SIGTERM, result.stderr
    assert result.stdout == "renames finished\n"


def test_a_process_with_its_own_sigterm_handler_keeps_it(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import os, signal, sys
        from driftline.storage import write_text

        signal.signal(signal.SIGTERM, lambda *_: print("own handler", flush=True))
        write_text(os.path.join(sys.argv[1], "x.json"), "{}")
        os.kill(os.getpid(), signal.SIGTERM)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and result.stdout == "own handler\n", result.stderr


REPLICA = textwrap.dedent(
    """
    import sys
    from driftline.storage import write_bytes

    target, fill = sys.argv[1], sys.argv[2].encode()
    for _ in range(40):
        write_bytes(target, fill * (1 << 20))
    """
)


def test_replicas_writing_one_target_never_show_a_mix(tmp_path: Path) -> None:
    """Two processes (replicas, or a retried task and its first try) publish the same file
    while a reader reads it: every read is one writer's whole file, and no temporary file is
    left."""
    target = tmp_path / "report.json"
    storage.write_bytes(target, b"a" * (1 << 20))
    writers = [
        subprocess.Popen([sys.executable, "-c", REPLICA, str(target), fill]) for fill in "ab"
    ]
    seen = set()
    while any(w.poll() is None for w in writers):
        data = target.read_bytes()
        assert len(data) == 1 << 20 and data.count(data[:1]) == len(data)
        seen.add(data[:1])
    assert [w.wait() for w in writers] == [0, 0]
    assert seen <= {b"a", b"b"} and files_in(tmp_path) == ["report.json"]
