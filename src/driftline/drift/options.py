"""Per-column options: a global value plus `column -> value` overrides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from driftline.errors import InputError

T = TypeVar("T")

ALL_COLUMNS = "*"  # the key of the global value in an option mapping


def per_column(
    option: T | Mapping[str, T] | None, columns: Sequence[str], what: str
) -> dict[str, T | None]:
    """Resolve `option` (None, one value, or a mapping with an optional "*" default) to a
    value per column; a key that names no checked column is an error."""
    if option is None or not isinstance(option, Mapping):
        return dict.fromkeys(columns, option)
    unknown = [key for key in option if key != ALL_COLUMNS and key not in columns]
    if unknown:
        raise InputError(
            f"{what} override for unknown column(s) {', '.join(map(repr, unknown))}; "
            f"checked columns: {', '.join(columns)}",
            param=what,
        )
    default = option.get(ALL_COLUMNS)
    return {column: option.get(column, default) for column in columns}


def parse_assignments(values: Sequence[str], what: str) -> dict[str, str]:
    """Parse CLI values `VALUE` (all columns) and `COLUMN=VALUE` (one column) to a mapping."""
    parsed: dict[str, str] = {}
    for item in values:
        column, sep, value = item.rpartition("=")
        key = column if sep else ALL_COLUMNS
        if (sep and not column) or not value:
            raise InputError(f"bad `{what}` {item!r}: use VALUE or COLUMN=VALUE", param=what)
        parsed[key] = value
    return parsed
