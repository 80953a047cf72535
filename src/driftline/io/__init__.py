"""Read tables (Parquet, CSV, JSON lines; local or object store) and infer column kinds."""

from driftline.io.kinds import ColumnKind, infer_kinds, kind_of_type, parse_kind
from driftline.io.readers import detect_format, iter_batches, open_dataset, read_table
from driftline.io.windows import as_utc, parse_duration, to_utc, window_bounds

__all__ = [
    "ColumnKind",
    "as_utc",
    "detect_format",
    "infer_kinds",
    "iter_batches",
    "kind_of_type",
    "open_dataset",
    "parse_duration",
    "parse_kind",
    "read_table",
    "to_utc",
    "window_bounds",
]
