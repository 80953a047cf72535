"""Recurring-run triggers, checked offline: cron expressions and intervals."""

from __future__ import annotations

import re
from typing import Any

from driftline.errors import InputError


def normalize_cron(expr: str) -> str:
    """KFP's 6-field cron (seconds first); a classic 5-field expression gets second 0."""
    fields = expr.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) != 6 or not all(re.fullmatch(r"[\w*?/,#LW-]+", f) for f in fields):
        raise InputError(
            f"cron expression {expr!r} must have 5 fields (minute hour day month weekday) "
            "or 6 (second first), e.g. '0 * * * *' for hourly",
            param="cron",
        )
    return " ".join(fields)


def parse_interval(text: str | int) -> int:
    """Seconds from '3600' or a duration such as '90s', '15m', '1h', '1d', '1w' (positive)."""
    from driftline.io.windows import parse_duration

    given = str(text).strip()
    try:
        seconds = int(given) if given.isdigit() else int(parse_duration(given).total_seconds())
    except InputError:
        seconds = 0
    if seconds <= 0:
        raise InputError(
            f"interval {text!r} must be a positive number of seconds or use a unit "
            "s/m/h/d/w, e.g. 3600 or 1h",
            param="interval",
        )
    return seconds


def make_trigger(
    *,
    cron: str | None = None,
    interval: str | int | None = None,
    start_time: str | None = None,
    end_time: str | None = None,
) -> dict[str, Any]:
    """The v2beta1 `trigger` of a recurring run: exactly one of `cron` and `interval`."""
    if bool(cron) == bool(interval):
        raise InputError(
            "give exactly one trigger: `cron` (e.g. '0 * * * *') or `interval` (e.g. 3600 or 1h)",
            param="cron" if cron else "interval",
        )
    bounds = {k: _rfc3339(k, v) for k, v in (("start_time", start_time), ("end_time", end_time))}
    bounds = {k: v for k, v in bounds.items() if v}
    if cron:
        return {"cron_schedule": {"cron": normalize_cron(cron), **bounds}}
    return {"periodic_schedule": {"interval_second": str(parse_interval(interval or 0)), **bounds}}


def _rfc3339(name: str, value: str | None) -> str | None:
    if not value:
        return None
    from datetime import datetime

    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise InputError(
            f"{name.replace('_', ' ')} {value!r} must be an RFC 3339 time with a zone, "
            "e.g. 2026-01-01T00:00:00Z",
            param=name,
        )
    return parsed.isoformat().replace("+00:00", "Z")
