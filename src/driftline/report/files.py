"""Write report documents atomically: a reader never sees a half-written file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from driftline.atomic import atomic_path


def write_atomic(path: str | Path, text: str) -> Path:
    """Write `text` to `path` through a temporary file in the same folder and a rename."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


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


@dataclass(frozen=True)
class ReportPaths:
    """Where one report's JSON and HTML go (e.g. two KFP output artifacts' paths)."""

    json: Path
    html: Path

    @classmethod
    def in_dir(cls, out_dir: str | Path, stem: str) -> ReportPaths:
        """`<out_dir>/<stem>.json` and `<out_dir>/<stem>.html`."""
        return cls(Path(out_dir) / f"{stem}.json", Path(out_dir) / f"{stem}.html")


def write_report(
    out: str | Path | ReportPaths, stem: str, document: dict[str, Any], html: str
) -> ReportPaths:
    """Write the report's JSON and HTML: `<stem>.json/.html` in a folder, or to `ReportPaths`.

    Both are written atomically, the JSON last, so a reader that finds the JSON finds
    the HTML too; a document that cannot be serialized writes nothing.
    """
    paths = out if isinstance(out, ReportPaths) else ReportPaths.in_dir(out, stem)
    json_text = to_json(document)
    write_atomic(paths.html, html)
    write_atomic(paths.json, json_text)
    return paths
