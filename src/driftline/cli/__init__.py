"""Command-line interface: `driftline <command>`; one module per command."""

from driftline.cli.app import main

# Importing a command module registers its command(s) on `main`.
from driftline.cli import commands  # noqa: F401  isort: skip

__all__ = ["main"]
