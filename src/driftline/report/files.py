"""Write report documents atomically: a reader never sees a half-written file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_atomic(path: str | Path, text: str) -> Path:
    """Write `text` to `path` through a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def to_json(document: dict[str, Any]) -> str:
    """Serialize a report document: stable key order, no NaN (they become null)."""
    return json.dumps(_finite(document), indent=2, sort_keys=False, allow_nan=False) + "\n"


def _finite(value: Any) -> Any:
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def write_report(
    out_dir: str | Path, stem: str, document: dict[str, Any], html: str
) -> tuple[Path, Path]:
    """Write `<stem>.json` and `<stem>.html` into `out_dir`; both or neither are new.

    The JSON is written last, so a reader that finds the JSON finds the HTML too.
    """
    out = Path(out_dir)
    json_text = to_json(document)  # serialize first: a bad document writes nothing
    html_path = write_atomic(out / f"{stem}.html", html)
    json_path = write_atomic(out / f"{stem}.json", json_text)
    return json_path, html_path
