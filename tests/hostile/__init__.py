"""Hostile-input tests of issue 12: one test per defect, named after it."""
