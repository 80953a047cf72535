"""The IO tests' event table, for the storage tests too."""

from tests.unit.io.conftest import events

__all__ = ["events"]
