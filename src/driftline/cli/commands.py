"""Registers every command module on the `driftline` group (import order = help order)."""

from driftline.cli.app import main

__all__ = ["main"]
from driftline.cli import (
    metrics,  # noqa: F401
    setup_monitoring,  # noqa: F401
)
