"""The validation report (`validation_report.json`): a status and the list of violations."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from driftline.errors import InputError
from driftline.report.base import Report

SEVERITIES = ("error", "warning")
Severity = Literal["error", "warning"]


class Violation(BaseModel):
    """One failed check: which column (None for dataset-level checks), how bad, what was seen."""

    model_config = ConfigDict(extra="allow")

    column: str | None
    check: str
    severity: Severity
    message: str
    observed: Any = None
    expected: Any = None


class ValidationReport(Report):
    """The outcome of validating one window.

    `status` and `counts` are derived from the violations; documents state them for JSON
    readers, and `load` refuses a document whose stated status or counts disagree.
    """

    KIND: ClassVar[str] = "validation"
    SCHEMA_VERSION: ClassVar[str] = "1.0"
    DERIVED: ClassVar[tuple[str, ...]] = ("status", "counts")

    rows: int
    violations: list[Violation] = Field(default_factory=list)
    checked_columns: list[str] = Field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Violations per severity."""
        return {s: sum(v.severity == s for v in self.violations) for s in SEVERITIES}

    @property
    def status(self) -> str:
        """ "fail" if any error, "warning" if any warning, else "ok"."""
        counts = self.counts
        return "fail" if counts["error"] else "warning" if counts["warning"] else "ok"

    def check_stated(self, stated: dict[str, Any], where: str) -> None:
        """Refuse a document whose stated status or counts disagree with its violations."""
        for key, value in stated.items():
            derived = getattr(self, key)
            if key == "counts" and isinstance(value, dict):
                value = {s: value.get(s, 0) for s in SEVERITIES}
            if value != derived:
                raise InputError(
                    f"validation report {where} states {key} {value!r}, but its violations "
                    f"give {derived!r}",
                    param="validation_report",
                )

    def to_dict(self) -> dict[str, Any]:
        """The document, with the derived status and counts stated for JSON readers."""
        document = super().to_dict()
        return {
            **{k: document.pop(k) for k in ("schema_version", "kind")},
            "status": self.status,
            "rows": document.pop("rows"),
            "counts": self.counts,
            **document,
        }
