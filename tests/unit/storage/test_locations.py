"""URIs: local, file://, s3://, gs://, minio://; the S3 paths against a real S3 server process."""

from __future__ import annotations

import gzip
import io
import socket
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from driftline.errors import DataSourceError, InputError, UnknownNameError
from driftline.io import iter_batches, read_table
from driftline.storage import resolve
from tests.object_store import S3Server

pytestmark = pytest.mark.usefixtures("object_store_env")


def test_local_and_file_uris(tmp_path: Path) -> None:
    fs, path = resolve(tmp_path / "a.parquet")
    assert isinstance(fs, pafs.LocalFileSystem) and path == str(tmp_path / "a.parquet")
    fs, path = resolve(f"file://{tmp_path}/a.parquet")
    assert isinstance(fs, pafs.LocalFileSystem) and path == str(tmp_path / "a.parquet")


def test_s3_gs_and_minio_filesystems(monkeypatch: pytest.MonkeyPatch) -> None:
    fs, path = resolve("s3://bucket/some/key.parquet", {"region": "eu-west-1"})
    assert isinstance(fs, pafs.S3FileSystem) and path == "bucket/some/key.parquet"
    assert fs.region == "eu-west-1"
    fs, path = resolve("gs://bucket/dir/", {"anonymous": True})
    assert isinstance(fs, pafs.GcsFileSystem) and path == "bucket/dir"
    monkeypatch.setenv("MINIO_ENDPOINT", "minio-service.kubeflow:9000")
    fs, path = resolve("minio://mlpipeline/artifacts/x.csv")
    assert isinstance(fs, pafs.S3FileSystem) and path == "mlpipeline/artifacts/x.csv"


def test_uri_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UnknownNameError, match=r"unknown URI scheme 'ftp'; valid: file, gs"):
        resolve("ftp://host/x.csv")
    with pytest.raises(InputError, match=r"minio:// needs an endpoint.*MINIO_ENDPOINT"):
        resolve("minio://bucket/x.csv")
    with pytest.raises(InputError, match=r"names no bucket"):
        resolve("s3://")
    with pytest.raises(UnknownNameError, match=r"unknown storage option 'password'; valid: "):
        resolve("s3://b/k", {"password": "x"})
    with pytest.raises(InputError, match="both access_key and secret_key"):
        resolve("s3://b/k", {"key": "only-the-key"})
    with pytest.raises(InputError, match="bad endpoint"):
        resolve("minio://b/k", {"endpoint_url": "http://"})


@pytest.fixture(scope="module")
def s3_endpoint(s3_server: S3Server) -> str:
    return s3_server.endpoint


@pytest.fixture(scope="module")
def bucket(s3_server: S3Server, events_module: pa.Table) -> str:
    """A bucket on the S3 server holding Parquet, a hive dataset, CSV and gzip'd CSV objects."""
    client = s3_server.client
    name = s3_server.bucket()
    buffer = io.BytesIO()
    pq.write_table(events_module, buffer)
    client.put_object(Bucket=name, Key="window/events.parquet", Body=buffer.getvalue())
    for k in range(5):
        part = io.BytesIO()
        pq.write_table(
            events_module.filter(pa.compute.equal(events_module["k"], k)).drop(["k"]), part
        )
        client.put_object(Bucket=name, Key=f"hive/k={k}/part-0.parquet", Body=part.getvalue())
    text = io.BytesIO()
    pacsv.write_csv(events_module, text)
    client.put_object(Bucket=name, Key="csv/events.csv", Body=text.getvalue())
    client.put_object(Bucket=name, Key="csv/events.csv.gz", Body=gzip.compress(text.getvalue()))
    return name


@pytest.fixture(scope="module")
def events_module(events: pa.Table) -> pa.Table:
    return events


def test_minio_uri_with_endpoint_from_env(
    bucket: str, s3_endpoint: str, events: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINIO_ENDPOINT", s3_endpoint.removeprefix("http://"))  # no scheme: http
    table = read_table(
        f"minio://{bucket}/window/events.parquet",
        columns=["x"],
        timestamp_column="ts",
        start="2024-03-02",
        end="2024-03-03",
    )
    frame = events.to_pandas()
    want = frame.loc[frame["day"] == "2024-03-02", "x"].tolist()
    assert table.column("x").to_pylist() == want


def test_s3_uri_with_endpoint_option(bucket: str, s3_endpoint: str, events: pa.Table) -> None:
    options = {"endpoint_url": s3_endpoint, "key": "driftline", "secret": "driftline-secret"}
    for key in ("csv/events.csv", "csv/events.csv.gz"):
        table = read_table(f"s3://{bucket}/{key}", columns=["x", "color"], storage_options=options)
        assert table.to_pydict() == events.select(["x", "color"]).to_pydict()
    hive = read_table(f"s3://{bucket}/hive", columns=["k", "x"], storage_options=options)
    assert sorted(hive.column("x").to_pylist()) == sorted(events.column("x").to_pylist())
    assert sorted(set(hive.column("k").to_pylist())) == [0, 1, 2, 3, 4]


def test_s3_streaming(
    bucket: str, s3_endpoint: str, events: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    batches = list(
        iter_batches(f"s3://{bucket}/window/events.parquet", columns=["x"], batch_rows=50)
    )
    assert max(b.num_rows for b in batches) <= 50
    assert sum(b.num_rows for b in batches) == events.num_rows


def test_s3_missing_object_and_bucket(bucket: str, s3_endpoint: str) -> None:
    options = {"endpoint_url": s3_endpoint}
    with pytest.raises(DataSourceError, match=rf"not found: s3://{bucket}/nope.parquet"):
        read_table(f"s3://{bucket}/nope.parquet", storage_options=options)
    with pytest.raises(DataSourceError, match=r"s3://no-such-bucket/x.parquet"):
        read_table("s3://no-such-bucket/x.parquet", storage_options=options)


def test_unreachable_endpoint_is_one_clear_error() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(DataSourceError, match=r"cannot reach minio://b/x.parquet"):
        read_table("minio://b/x.parquet", storage_options={"endpoint_url": f"127.0.0.1:{port}"})


def test_gs_uri_against_gcs_server(
    gcs_endpoint: str, events: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gs:// through pyarrow's GCS client to a real JSON-API server; seeded by google's client."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    client = storage.Client(
        project="test",
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": gcs_endpoint},
    )
    buffer = io.BytesIO()
    pq.write_table(events, buffer)
    client.bucket("monitoring").blob("window/events.parquet").upload_from_string(buffer.getvalue())
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_endpoint)
    table = read_table(
        "gs://monitoring/window/events.parquet",
        columns=["x"],
        timestamp_column="ts",
        start="2024-03-02",
        end="2024-03-03",
        storage_options={"anonymous": True},
    )
    frame = events.to_pandas()
    assert table.column("x").to_pylist() == frame.loc[frame["day"] == "2024-03-02", "x"].tolist()
    with pytest.raises(DataSourceError, match=r"not found: gs://monitoring/nope\.csv"):
        read_table("gs://monitoring/nope.csv", storage_options={"anonymous": True})
