"""Headline numbers of the report documents (the shared JSON contracts), read for MLMD."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from typing import Any

from driftline.errors import InputError

KINDS = ("validation", "drift", "performance", "profile")


@dataclass(frozen=True)
class ReportSummary:
    """One report document: its `kind`, where it lives and its headline numbers."""

    kind: str
    path: str
    uri: str
    headline: dict[str, Any]


def load_report(path: str, uri: str | None = None, *, expect: str | None = None) -> ReportSummary:
    """Read a report JSON (a file, or a folder holding one `*.json` report) and summarize it."""
    file = _report_file(path, expect)
    try:
        with open(file, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as exc:
        raise InputError(f"report {file} is not readable JSON: {exc}", param="report") from None
    return summarize(document, file, uri or os.path.abspath(file), expect=expect)


def summarize(document: Any, where: str, uri: str, *, expect: str | None = None) -> ReportSummary:
    """Summarize a report document already in memory (`where` names it in errors)."""
    if not isinstance(document, dict) or document.get("kind") not in KINDS:
        found = document.get("kind") if isinstance(document, dict) else type(document).__name__
        raise InputError(
            f"report {where} has kind {found!r}; valid kinds: {', '.join(KINDS)}", param="report"
        )
    kind = document["kind"]
    if expect and kind != expect:
        raise InputError(f"report {where} is a {kind} report, expected {expect}", param="report")
    if not document.get("schema_version"):
        raise InputError(f"report {where} states no schema_version", param="report")
    headline = HEADLINES[kind](document, where)
    return ReportSummary(kind=kind, path=where, uri=uri, headline=headline)


def _report_file(path: str, expect: str | None) -> str:
    if os.path.isfile(path):
        return path
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if n.endswith(".json"))
        if expect and f"{expect}_report.json" in names:
            return os.path.join(path, f"{expect}_report.json")
        if len(names) == 1:
            return os.path.join(path, names[0])
        raise InputError(
            f"folder {path} holds {len(names)} JSON files, expected one report", param="report"
        )
    raise InputError(f"report {path} does not exist", param="report")


def _field(document: dict[str, Any], key: str, file: str, kind: type | tuple[type, ...]) -> Any:
    value = document.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _tuple(kind)):
        raise InputError(f"report {file} lacks a valid {key!r}", param="report")
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"report {file} has a non-finite {key!r}", param="report")
    return value


def _tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _drift(document: dict[str, Any], file: str) -> dict[str, Any]:
    return {
        "drift_detected": _field(document, "drift_detected", file, bool),
        "drift_share": float(_field(document, "drift_share", file, (int, float))),
        "drifted_columns": _field(document, "number_of_drifted_columns", file, int),
        "number_of_columns": _field(document, "number_of_columns", file, int),
        "mode": str(document.get("mode", "")),
    }


def _validation(document: dict[str, Any], file: str) -> dict[str, Any]:
    status = _field(document, "status", file, str)
    if status not in ("ok", "warning", "fail"):
        raise InputError(
            f"report {file} has status {status!r}; valid: ok, warning, fail", param="report"
        )
    counts = document.get("counts") or {}
    return {
        "status": status,
        "rows": int(document.get("rows") or 0),
        "errors": int(counts.get("error", 0)),
        "warnings": int(counts.get("warning", 0)),
    }


def _performance(document: dict[str, Any], file: str) -> dict[str, Any]:
    windows = _field(document, "windows", file, list)
    # The whole monitored window's metrics; older documents without them: the last window's.
    overall = document.get("overall") or (windows[-1] if windows else {})
    metrics = {
        k: float(v)
        for k, v in (overall.get("metrics") or {}).items()
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    }
    return {
        "task_type": str(document.get("task", "")),
        "degraded": _field(document, "degraded", file, bool),
        "windows": len(windows),
        "window_start": str(windows[0].get("start", "")) if windows else "",
        "window_end": str(windows[-1].get("end", "")) if windows else "",
        "metrics": metrics,
    }


def _profile(document: dict[str, Any], file: str) -> dict[str, Any]:
    columns = document.get("columns")
    return {
        "row_count": _field(document, "row_count", file, int),
        "column_count": len(columns) if isinstance(columns, list | dict) else 0,
    }


HEADLINES = {
    "drift": _drift,
    "validation": _validation,
    "performance": _performance,
    "profile": _profile,
}
