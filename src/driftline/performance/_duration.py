"""Parse window sizes such as "15m", "1h", "1d", "7d" (private until driftline.io.windows lands)."""

from __future__ import annotations

import re
from datetime import timedelta

from driftline.errors import InputError

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_PATTERN = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")


def parse_duration(text: str) -> timedelta:
    """The duration written as `<positive integer><unit>`, unit one of s, m, h, d, w."""
    match = _PATTERN.match(str(text))
    if not match or int(match.group(1)) == 0:
        raise InputError(
            f"window {text!r} is not a duration; write a positive integer and a unit "
            f"(s, m, h, d, w), e.g. '1h', '1d', '7d'",
            param="window",
        )
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
