"""Drift methods: one module per method, each exposing `METHOD: DriftMethod`."""

from driftline.drift.methods.base import Direction, DriftMethod

__all__ = ["Direction", "DriftMethod"]
