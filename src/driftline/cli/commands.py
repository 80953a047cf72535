"""Registers every command module on the `driftline` group (import order = help order)."""

from driftline.cli import drift  # noqa: F401
from driftline.cli.app import main

__all__ = ["main"]
