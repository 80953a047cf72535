"""Window lengths as people count them: the rules every window of driftline follows.

A window length is either a **calendar period** or a **fixed duration**:

- `<n>d`: n calendar days; `<n>w`: n ISO weeks (Monday to Monday); `<n>mo`: n calendar
  months, `<n>q` = 3n months (quarters start in January, April, July, October), `<n>y` = 12n
  months. They are counted in the timezone given (UTC by default): a day in
  Europe/Berlin starts at local midnight and lasts 23 or 25 hours on the DST days, a month
  ends at the month's last local midnight. Runs of n periods are aligned to 1970-01-01
  (days), the ISO week of 1970-01-01 (weeks) or January 1970 (months).
- Anything else `parse_duration` reads (`30m`, `1h`, `1h30m`, `1d12h`) is a fixed duration,
  aligned to the Unix epoch in UTC, whatever the timezone.

Performance windows cut the predictions into consecutive windows of one length (`index`,
`bounds`). A monitoring window ending at `end` (`last_complete`) ends at the last boundary
of the named unit at or before `end` and spans the length: a monthly run at 2024-03-01
checks February, `1q` the last complete quarter, `7d` the last 7 complete days; a fixed
duration gives `[end - length, end)`. With one unit (1d, 1w, 1mo, 1q, 1y) the monitoring
window is exactly one performance window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from driftline.errors import InputError
from driftline.io.windows import parse_duration

_CALENDAR = re.compile(r"(\d+)(d|w|mo|q|y)")
_MONTHS = {"mo": 1, "q": 3, "y": 12}
_DAY_US = 86_400_000_000
_EPOCH = date(1970, 1, 1)
_FIRST_MONDAY = date(1969, 12, 29)  # the Monday of 1970-01-01's ISO week
PERIOD_FORMS = (
    "a calendar period, a number followed by d (days), w (ISO weeks), mo (months), q "
    "(quarters) or y (years), e.g. 1d, 1w, 1mo, 3mo, 1q, 1y; or a fixed duration in s, m, h, "
    "e.g. 30m, 1h, 1h30m, 1d12h"
)


def timezone(name: str | None, param: str = "timezone") -> ZoneInfo:
    """The IANA timezone `name` (None or "" = UTC); one clear error when it is unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"{param} {name!r} is not an IANA timezone; expected e.g. UTC, Europe/Berlin, "
            f"America/New_York",
            param=param,
        ) from None


@dataclass(frozen=True)
class Periods:
    """Consecutive windows of one length: a calendar period (`unit` d, w or mo, `count` of
    them, named in steps of `step` units: 3 months a quarter) or a fixed duration (`unit`
    "fixed", `count` microseconds)."""

    text: str
    unit: str
    count: int
    zone: ZoneInfo
    step: int = 1

    @property
    def calendar(self) -> bool:
        return self.unit != "fixed"

    def index(self, micros: np.ndarray) -> np.ndarray:
        """The window index of each instant (int64 microseconds since the epoch, UTC)."""
        micros = np.asarray(micros, dtype=np.int64)
        if self.unit == "fixed":
            return np.floor_divide(micros, self.count)
        stamps = pa.array(micros, pa.int64()).cast(pa.timestamp("us", tz=self.zone.key))
        if self.unit == "mo":
            years = np.asarray(pc.year(stamps).to_numpy(zero_copy_only=False), np.int64)
            months = np.asarray(pc.month(stamps).to_numpy(zero_copy_only=False), np.int64)
            return np.floor_divide((years - 1970) * 12 + months - 1, self.count)
        local = np.asarray(pc.local_timestamp(stamps).cast(pa.int64()).to_numpy(), np.int64)
        days = np.floor_divide(local, _DAY_US)
        if self.unit == "w":
            return np.floor_divide(days + 3, 7 * self.count)  # 1970-01-01 is a Thursday
        return np.floor_divide(days, self.count)

    def start(self, index: int) -> datetime:
        """The start of window `index`, an aware UTC datetime (Python subtracts and compares
        datetimes of one zone by wall clock, so bounds are never handed out in local time)."""
        if self.unit == "fixed":
            return datetime.fromtimestamp(index * self.count / 1e6, UTC)
        if self.unit == "mo":
            month = index * self.count
            day = date(1970 + month // 12, month % 12 + 1, 1)
        elif self.unit == "w":
            day = _FIRST_MONDAY + timedelta(weeks=index * self.count)
        else:
            day = _EPOCH + timedelta(days=index * self.count)
        return _local_midnight(day, self.zone).astimezone(UTC)

    def bounds(self, index: int) -> tuple[datetime, datetime]:
        """[start, end) of window `index`."""
        return self.start(index), self.start(index + 1)

    def last_complete(self, end: datetime) -> tuple[datetime, datetime]:
        """The monitoring window ending at `end` (aware): the calendar periods that end at
        the last boundary of the named unit (day, ISO week, month, quarter, year) at or
        before `end`, so `1mo` is the last complete month and `7d` the last 7 complete
        days; `[end - duration, end)` for a fixed duration."""
        if self.unit == "fixed":
            return end - timedelta(microseconds=self.count), end
        unit = Periods(self.text, self.unit, self.step, self.zone, self.step)
        micros = round((end - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(microseconds=1))
        current = int(unit.index(np.array([micros]))[0])
        return unit.start(current - self.count // self.step), unit.start(current)

    def iso(self, instant: datetime) -> str:
        """ISO 8601 of a window bound: `Z` in UTC, the local offset in another timezone."""
        if self.zone.key == "UTC" or self.unit == "fixed":
            return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return instant.astimezone(self.zone).isoformat()


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of `day` in `zone` (a midnight that a DST jump skips moves on)."""
    naive = datetime(day.year, day.month, day.day)
    instant = naive.replace(tzinfo=zone)
    as_utc = instant.astimezone(UTC)
    if as_utc.astimezone(zone).replace(tzinfo=None) != naive:  # nonexistent local time
        instant = as_utc.astimezone(zone)
    return instant


def parse_periods(text: str, zone: str | None = None, param: str = "window") -> Periods:
    """The window rule of `text` in timezone `zone` (default UTC); see the module docstring."""
    tz = timezone(zone)
    cleaned = str(text).strip().lower()
    match = _CALENDAR.fullmatch(cleaned)
    if match:
        count, unit = int(match.group(1)), match.group(2)
        if count < 1:
            raise InputError(
                f"{param} {text!r} is not a window; expected {PERIOD_FORMS}", param=param
            )
        if unit in _MONTHS:
            return Periods(cleaned, "mo", count * _MONTHS[unit], tz, _MONTHS[unit])
        return Periods(cleaned, unit, count, tz)
    try:
        duration = parse_duration(cleaned, param=param)
    except InputError:
        raise InputError(
            f"{param} {text!r} is not a window; expected {PERIOD_FORMS}", param=param
        ) from None
    return Periods(cleaned, "fixed", duration // timedelta(microseconds=1), tz)


def monitoring_window(
    end: datetime, length: str, zone: str | None = None, param: str = "window_length"
) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the monitoring window of `length` ending at the aware `end`
    (`Periods.last_complete`): what load_window cuts and plan_partitions plans."""
    start, stop = parse_periods(length, zone, param=param).last_complete(end)
    return start.astimezone(UTC), stop.astimezone(UTC)
