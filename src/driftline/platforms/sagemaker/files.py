"""Read and write the Model Monitor JSON files (local paths or object-store URIs)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from driftline.errors import DataSourceError
from driftline.report import to_json
from driftline.storage import read_text, write_text, write_together


def read_json(source: str | os.PathLike[str], what: str) -> Any:
    """The JSON document at `source`; a missing or unreadable file is one error naming `what`."""
    text = read_text(source, what=what)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise DataSourceError(f"{what} {os.fspath(source)} is not JSON: {exc}", param=what) from exc


def write_json(target: Path, document: Any) -> Path:
    """Write `document` as indented JSON, whole (a reader never sees a part)."""
    write_text(target, to_json(document))
    return target


def write_all(documents: Mapping[Path, Any]) -> list[Path]:
    """Publish several JSON documents as one: all of them, or (on a failure) none."""
    write_together({path: to_json(document) for path, document in documents.items()})
    return list(documents)
