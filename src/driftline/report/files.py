"""Write a report's JSON and HTML as one: a reader finds both new or both old."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from driftline import storage


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
    """Where one report's JSON and HTML go (e.g. two KFP output artifacts' paths), as paths
    or URIs."""

    json: str
    html: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "json", os.fspath(self.json))
        object.__setattr__(self, "html", os.fspath(self.html))

    @classmethod
    def in_dir(cls, out_dir: str | Path, stem: str) -> ReportPaths:
        """`<out_dir>/<stem>.json` and `<out_dir>/<stem>.html` (a folder path or URI)."""
        return cls(storage.join(out_dir, f"{stem}.json"), storage.join(out_dir, f"{stem}.html"))


def write_report(
    out: str | Path | ReportPaths, stem: str, document: dict[str, Any], html: str
) -> ReportPaths:
    """Write the report's JSON and HTML: `<stem>.json/.html` in a folder, or to `ReportPaths`.

    The two are published as one (`storage.write_together`): if either cannot be written,
    both keep their previous content, so a reader never finds new HTML beside old JSON. A
    document that cannot be serialized writes nothing.
    """
    paths = out if isinstance(out, ReportPaths) else ReportPaths.in_dir(out, stem)
    storage.write_together({paths.html: html, paths.json: to_json(document)})
    return paths
