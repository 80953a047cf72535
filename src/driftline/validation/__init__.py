"""Data validation: constraints inferred from a baseline profile, checked on a window's profile."""

from driftline.validation.checks import ValidationResult, Violation, validate_profile
from driftline.validation.constraints import (
    DEFAULT_SEVERITY,
    ColumnConstraint,
    Constraints,
    infer_constraints,
    load_constraints,
)
from driftline.validation.html import render_validation_html
from driftline.validation.run import run_validation

__all__ = [
    "DEFAULT_SEVERITY",
    "ColumnConstraint",
    "Constraints",
    "ValidationResult",
    "Violation",
    "infer_constraints",
    "load_constraints",
    "render_validation_html",
    "run_validation",
    "validate_profile",
]
