"""A tiny real component and pipeline for the platform-layer tests (not shipped)."""
