"""driftline verdicts as Model Monitor `constraint_violations.json`, and reading such files.

driftline check -> `constraint_check_type`: kind and type -> `data_type_check` (reported when
the share of values of the expected type is below `datatype_check_threshold`), completeness ->
`completeness_check`, presence -> `missing_column_check`, extra_columns ->
`extra_column_check` (one per column), domain -> `categorical_values_check`, a drifted column
-> `baseline_drift_check`. Checks Model Monitor has no type for keep driftline's name with a
`driftline_` prefix (`driftline_range_check`, `driftline_non_finite_check`,
`driftline_row_count_check`, `driftline_empty_check`), so no finding is left out. Each
`description` starts as Model Monitor's do (`Value: <observed> does not meet the constraint
requirement! `) and goes on with driftline's sentence.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from driftline.errors import DataSourceError
from driftline.platforms.sagemaker.constraints import MonitoringConfig
from driftline.profile import DatasetProfile
from driftline.report import DriftReport, ValidationReport
from driftline.report.validation import Violation

VIOLATIONS_FILE = "constraint_violations.json"
FILE_NAMES = (VIOLATIONS_FILE, "constraints_violations.json")  # AWS pages use both
CHECK_TYPES = {
    "kind": "data_type_check",
    "type": "data_type_check",
    "completeness": "completeness_check",
    "presence": "missing_column_check",
    "extra_columns": "extra_column_check",
    "domain": "categorical_values_check",
}
DRIFT_CHECK = "baseline_drift_check"


def _entry(feature: str, check_type: str, value: Any, message: str) -> dict[str, str]:
    return {
        "feature_name": feature,
        "constraint_check_type": check_type,
        "description": f"Value: {value} does not meet the constraint requirement! {message}",
    }


def _conforming_share(violation: Violation, window: DatasetProfile | None) -> float:
    """Share of a column's values that still parse as the expected kind (numbers as text)."""
    column = window.columns.get(violation.column or "") if window else None
    expected = (
        (violation.expected or {}).get("kind") if isinstance(violation.expected, dict) else None
    )
    if column is None or column.categorical is None or expected != "numeric":
        return 0.0
    counts = column.categorical.frequencies
    total = column.categorical.count
    numbers = sum(count for value, count in counts.items() if _is_number(value))
    return numbers / total if total else 0.0


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_OBSERVED_KEY = {"completeness": "null_share", "domain": "unseen_share", "range": "outside_share"}


def _value(violation: Violation) -> Any:
    """The observed number Model Monitor's description shows (0.0 when there is none)."""
    observed = violation.observed
    if isinstance(observed, Mapping):
        key = _OBSERVED_KEY.get(violation.check)
        if key in observed:
            value = observed[key]
            return 1.0 - value if violation.check == "completeness" else value
        numbers = [v for v in observed.values() if isinstance(v, int | float)]
        return sum(numbers) if violation.check == "non_finite" else 0.0
    if isinstance(observed, int | float | str):
        return observed
    return 0.0


def to_violations(
    validation: ValidationReport | None,
    drift: DriftReport | None = None,
    *,
    window: DatasetProfile | None = None,
    config: MonitoringConfig | None = None,
) -> dict[str, Any]:
    """The `constraint_violations.json` document of a window's validation and drift verdicts."""
    config = config or MonitoringConfig()
    entries: list[dict[str, str]] = []
    for violation in validation.violations if validation else []:
        check_type = CHECK_TYPES.get(violation.check, f"driftline_{violation.check}_check")
        if violation.check == "extra_columns":
            names = violation.observed if isinstance(violation.observed, list) else []
            entries.extend(
                _entry(str(name), check_type, 1.0, f"column {name!r} is not in the baseline")
                for name in names or [violation.column or ""]
            )
            continue
        if check_type == "data_type_check":
            share = _conforming_share(violation, window)
            if share >= config.datatype_check_threshold:
                continue
            entries.append(_entry(violation.column or "", check_type, share, violation.message))
            continue
        entries.append(
            _entry(violation.column or "", check_type, _value(violation), violation.message)
        )
    for column in drift.columns if drift else []:
        if column.drift_detected:
            message = f"{column.method} {column.score:.4g} past its threshold {column.threshold:g}"
            entries.append(_entry(column.name, DRIFT_CHECK, column.score, message))
    return {"violations": entries}


def read_violations(folder: str | Path, names: Sequence[str] = FILE_NAMES) -> dict[str, Any]:
    """The violations file in `folder` under either of its names; no file means none."""
    from driftline.storage import exists, join, read_text

    for name in names:
        path = join(folder, name)
        if exists(path):
            try:
                document = json.loads(read_text(path, what="violations"))
            except ValueError as exc:
                raise DataSourceError(f"{path} is not JSON: {exc}", param="violations") from exc
            if not isinstance(document, dict) or not isinstance(
                document.get("violations", []), list
            ):
                raise DataSourceError(
                    f'{path} is not a violations file: expected {{"violations": [...]}}',
                    param="violations",
                )
            return {"violations": document.get("violations", [])}
    return {"violations": []}
