"""The one way driftline reads and writes a path or URI.

Local paths, `file://`, `s3://`, `gs://` and `minio://` (endpoint and credentials from
`storage_options` or the environment) behave the same everywhere: tables, profiles,
constraints files, reports, KServe logger captures, the sink's output, and URIs read back
from ML Metadata. A KFP artifact path that was not downloaded into the pod (`/minio/...`,
`/s3/...`, `/gcs/...`) is read from the artifact's URI.

Reading: `open_input`, `read_bytes`, `read_text`, `exists`, `is_dir`, `list_files`.
Writing, always whole (a reader never sees a part, a failure leaves nothing):
`write_bytes`, `write_text`, `write_together` (several files as one), `atomic_output`.
Where a path lives: `resolve` (a pyarrow filesystem and a path in it), `join`, `is_local`.
"""

from driftline.storage.locations import is_local, join, resolve, unmounted
from driftline.storage.reading import (
    FileEntry,
    exists,
    is_dir,
    list_files,
    open_input,
    read_bytes,
    read_text,
)
from driftline.storage.writing import atomic_output, write_bytes, write_text, write_together

__all__ = [
    "FileEntry",
    "atomic_output",
    "exists",
    "is_dir",
    "is_local",
    "join",
    "list_files",
    "open_input",
    "read_bytes",
    "read_text",
    "resolve",
    "unmounted",
    "write_bytes",
    "write_text",
    "write_together",
]
