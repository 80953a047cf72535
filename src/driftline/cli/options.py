"""Option value formats shared by the commands."""

from __future__ import annotations


def split_names(value: str | None) -> list[str] | None:
    """The names in a comma-separated option value ("a, b,c"); None when not given."""
    return [v.strip() for v in value.split(",") if v.strip()] if value else None
