"""Registers every command module on the `driftline` group (import order = help order)."""

from driftline.cli.app import main

from driftline.cli import profile  # noqa: F401  isort: skip
from driftline.cli import validate  # noqa: F401  isort: skip

__all__ = ["main"]
