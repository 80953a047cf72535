"""Time windows: durations, window bounds, and timestamps normalised to UTC.

Every instant is compared in UTC. A naive timestamp (no zone) is taken to be UTC,
both in the data and in the bounds a caller passes. Windows are half-open:
`start <= t < end`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from driftline.errors import InputError

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"(\d+)([smhdw])")
DURATION_FORMS = "a positive number followed by s, m, h, d or w (e.g. 30m, 1h, 1d, 7d, 2w, 1h30m)"
ISO_FORMS = "ISO 8601, e.g. 2024-01-31, 2024-01-31T13:45:00, 2024-01-31T13:45:00Z or +02:00"
UTC_US = pa.timestamp("us", tz="UTC")


def parse_duration(text: str | timedelta) -> timedelta:
    """The timedelta of `text` such as "30m", "1h", "1d", "7d", "2w" or "1h30m"."""
    if isinstance(text, timedelta):
        duration = text
    else:
        cleaned = str(text).strip().lower()
        parts = _DURATION.findall(cleaned)
        if not parts or "".join(n + u for n, u in parts) != cleaned:
            raise InputError(f"bad duration {text!r}; expected {DURATION_FORMS}", param="duration")
        duration = sum(
            (timedelta(**{_UNITS[unit]: int(number)}) for number, unit in parts), timedelta()
        )
    if duration <= timedelta(0):
        raise InputError(f"bad duration {text!r}; expected {DURATION_FORMS}", param="duration")
    return duration


def as_utc(value: datetime | date | str, param: str = "time") -> datetime:
    """`value` (datetime, date or ISO 8601 string) as an aware UTC datetime; naive means UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InputError(
                f"{param} {value!r} is not a timestamp; expected {ISO_FORMS}", param=param
            ) from None
    if not isinstance(value, datetime):
        if not isinstance(value, date):
            raise InputError(
                f"{param} must be a datetime or an ISO 8601 string, not {type(value).__name__}",
                param=param,
            )
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def window_bounds(end: datetime | date | str, length: timedelta | str) -> tuple[datetime, datetime]:
    """The window `[end - length, end)` as aware UTC datetimes (end is exclusive)."""
    stop = as_utc(end, "end")
    return stop - parse_duration(length), stop


def _first_bad(values: pa.Array) -> str | None:
    for value in values.to_pylist():
        if value is None:
            continue
        try:
            datetime.fromisoformat(value.strip())
        except ValueError:
            return str(value)
    return None


def _parse_strings(values: pa.Array, column: str) -> pa.Array:
    for target in (UTC_US, pa.timestamp("us")):  # all with zone offsets, or all without
        try:
            return pc.cast(values, target).cast(UTC_US)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    bad = _first_bad(values)
    if bad is not None:
        raise InputError(
            f"timestamp column {column!r} has value {bad!r} that is not a timestamp; "
            f"expected {ISO_FORMS}",
            param=column,
        )
    parsed = [None if v is None else as_utc(v, column) for v in values.to_pylist()]
    return pa.array(parsed, type=UTC_US)


def _is_time_type(kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return (
        pa.types.is_timestamp(kind)
        or pa.types.is_date(kind)
        or pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
    )


def check_time_type(column: str, kind: pa.DataType) -> None:
    """Raise unless a column of type `kind` can hold timestamps (timestamp, date, ISO string)."""
    if not _is_time_type(kind):
        raise InputError(
            f"timestamp column {column!r} has type {kind}; expected a timestamp, date or "
            f"ISO 8601 string column",
            param=column,
        )


def to_utc(values: pa.Array | pa.ChunkedArray, column: str) -> pa.Array:
    """`values` of a timestamp, date or ISO-string column as `timestamp[us, UTC]`."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    kind = values.type
    if pa.types.is_dictionary(kind):
        values = values.dictionary_decode()
        kind = values.type
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        if pa.types.is_timestamp(kind) and kind.tz is not None:
            return values.cast(pa.timestamp(kind.unit, tz="UTC")).cast(UTC_US)
        return values.cast(pa.timestamp("us")).cast(UTC_US)
    check_time_type(column, kind)
    return _parse_strings(values, column)


def _ceil_date(instant: datetime) -> date:
    """The first calendar date whose midnight (UTC) is at or after `instant`."""
    day = instant.date()
    return day if instant.time() == time() else day + timedelta(days=1)


def window_expression(
    column: str, column_type: pa.DataType, start: datetime | None, end: datetime | None
) -> ds.Expression | None:
    """A dataset filter for `start <= column < end` (pushed down to Parquet), or None.

    None means no bound, or a column type (e.g. ISO strings) that needs row-wise parsing:
    use `window_mask`.
    `start`/`end` must be aware UTC datetimes (see `as_utc`).
    """
    field = ds.field(column)
    if pa.types.is_timestamp(column_type):
        tz = column_type.tz

        def bound(instant: datetime) -> pa.Scalar:
            value = instant if tz is not None else instant.replace(tzinfo=None)
            return pa.scalar(value, type=pa.timestamp("us", tz=tz))
    elif pa.types.is_date(column_type):

        def bound(instant: datetime) -> pa.Scalar:
            return pa.scalar(_ceil_date(instant), type=column_type)
    else:
        return None
    # No `true & ...` seed: pyarrow then fails to prune row groups on the bounds.
    conditions = []
    if start is not None:
        conditions.append(field >= bound(start))
    if end is not None:
        conditions.append(field < bound(end))
    if not conditions:
        return None
    expr = conditions[0]
    for condition in conditions[1:]:
        expr = expr & condition
    return expr


def window_mask(
    values: pa.Array | pa.ChunkedArray,
    column: str,
    start: datetime | None,
    end: datetime | None,
) -> pa.Array:
    """Boolean mask of `start <= value < end` for any timestamp-like column (nulls: False)."""
    instants = to_utc(values, column)
    mask = pc.is_valid(instants)
    if start is not None:
        mask = pc.and_(mask, pc.greater_equal(instants, pa.scalar(start, type=UTC_US)))
    if end is not None:
        mask = pc.and_(mask, pc.less(instants, pa.scalar(end, type=UTC_US)))
    return pc.fill_null(mask, False)
