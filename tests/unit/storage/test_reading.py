"""Reading through driftline.storage: local files, and objects on a real S3 server
(moto_server) through s3:// and minio://, seeded and checked with boto3."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from driftline import storage
from driftline.errors import DataSourceError
from tests.object_store import S3Server


def test_local_read_exists_and_listing(tmp_path: Path) -> None:
    (tmp_path / "sub" / "k=1").mkdir(parents=True)
    (tmp_path / "sub" / "k=1" / "a.csv").write_bytes(b"x\n1\n")
    (tmp_path / "sub" / "_SUCCESS").write_bytes(b"")
    (tmp_path / "sub" / ".a.csv.1234.tmp").write_bytes(b"half")
    (tmp_path / "sub" / "b.json").write_text("{}")
    assert storage.read_bytes(tmp_path / "sub" / "k=1" / "a.csv") == b"x\n1\n"
    assert storage.read_text(f"file://{tmp_path}/sub/b.json") == "{}"
    assert storage.exists(tmp_path / "sub") and storage.is_dir(tmp_path / "sub")
    assert not storage.exists(tmp_path / "nope") and not storage.is_dir(tmp_path / "sub/b.json")
    listed = storage.list_files(tmp_path / "sub")
    assert [e.uri for e in listed] == [
        str(tmp_path / "sub/b.json"),
        str(tmp_path / "sub/k=1/a.csv"),
    ]
    assert listed[1].size == 4 and listed[1].path == listed[1].uri
    modified = listed[1].modified
    assert modified is not None and abs(datetime.now(UTC) - modified) < timedelta(minutes=5)
    hidden = storage.list_files(tmp_path / "sub", hidden=True)
    assert len(hidden) == 4
    assert [e.uri for e in storage.list_files(tmp_path / "sub/b.json")] == [
        str(tmp_path / "sub/b.json")
    ]


def test_read_errors_name_the_file_and_the_problem(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match=r"^profile not found: .*/nope\.json$"):
        storage.read_text(tmp_path / "nope.json", what="profile")
    with pytest.raises(DataSourceError, match=r"^report .* is a folder, expected a file$"):
        storage.read_text(tmp_path, what="report")
    (tmp_path / "latin1.txt").write_bytes("température".encode("latin-1"))
    with pytest.raises(DataSourceError, match=r"is not utf-8 text \(byte 4: invalid"):
        storage.read_text(tmp_path / "latin1.txt")
    with pytest.raises(DataSourceError, match=r"^not found: "):
        storage.list_files(tmp_path / "nope")


def test_kfp_artifact_paths_not_in_the_pod_read_from_their_uri() -> None:
    """KFP derives artifact.path from artifact.uri; a path the launcher did not download reads
    from the URI. A path that exists, or any other path, is left alone."""
    from kfp import dsl

    for uri in ("minio://mlpipeline/v2/a/x", "s3://bucket/a/x", "gs://bucket/a/x"):
        path = dsl.Dataset(uri=uri).path
        assert not os.path.exists(path)
        assert storage.unmounted(path) == uri
    assert storage.unmounted("/data/minio/x") == "/data/minio/x"
    assert storage.unmounted("/tmp") == "/tmp"


def test_join_and_is_local() -> None:
    assert storage.join("s3://b/out/", "m=1", "a.json") == "s3://b/out/m=1/a.json"
    assert storage.join("out", "a.json") == os.path.join("out", "a.json")
    assert storage.is_local("out") and storage.is_local("file:///out")
    assert not storage.is_local("minio://b/k")


@pytest.mark.parametrize("scheme", ["s3", "minio"])
def test_object_store_read_and_listing(
    s3: S3Server, scheme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINIO_ENDPOINT", s3.host_port)
    bucket = s3.bucket()
    for key in ("logs/m=a/1.json", "logs/m=b/2.json", "logs/_SUCCESS", "logs/.x.json.ab.tmp"):
        s3.put(bucket, key, key)
    root = f"{scheme}://{bucket}/logs"
    assert storage.read_text(f"{root}/m=a/1.json") == "logs/m=a/1.json"
    with storage.open_input(f"{root}/m=b/2.json") as handle:
        handle.seek(5)
        assert handle.read(3) == b"m=b"
    assert storage.is_dir(root) and storage.exists(f"{root}/m=a/1.json")
    assert not storage.exists(f"{root}/nope.json")
    entries = storage.list_files(root)
    assert [e.uri for e in entries] == [f"{root}/m=a/1.json", f"{root}/m=b/2.json"]
    assert entries[0].path == f"{bucket}/logs/m=a/1.json" and entries[0].size == 15
    assert entries[0].modified is not None
    with pytest.raises(DataSourceError, match=rf"^file not found: {root}/nope\.json$"):
        storage.read_bytes(f"{root}/nope.json")


def test_unreachable_store_is_one_clear_error(object_store_env: None) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    options = {"endpoint_url": f"127.0.0.1:{port}"}
    with pytest.raises(DataSourceError, match=r"^cannot reach minio://b/p\.json: "):
        storage.read_text("minio://b/p.json", options)
