"""Registers every command module on the `driftline` group.

One import line per command module; importing it adds its command(s) to `main`.
"""
# ruff: noqa: F401, I001

from driftline.cli.app import main

from driftline.cli import profile
from driftline.cli import validate
from driftline.cli import drift
from driftline.cli import performance
from driftline.cli import lineage
from driftline.cli import compile
from driftline.cli import kfp_commands
from driftline.cli import metrics
from driftline.cli import setup_monitoring
from driftline.cli import sink
from driftline.cli import demo
from driftline.cli import sagemaker
from driftline.cli import events

__all__ = ["main"]
