"""Registers every command module on the `driftline` group (import order = help order)."""

from driftline.cli.app import main

__all__ = ["main"]
from driftline.cli import compile  # noqa: F401  isort: skip
from driftline.cli import kfp_commands  # noqa: F401  isort: skip
