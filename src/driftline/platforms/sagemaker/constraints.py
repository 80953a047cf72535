"""Model Monitor `constraints.json` <-> driftline constraints and drift settings.

Written files are valid Model Monitor constraints (`completeness`, `num_constraints`,
`string_constraints.domains`, `monitoring_config`) and carry driftline's own constraints
under `driftline` keys (per feature and at the top), so a file driftline wrote reads back
exactly. A file without them (from Model Monitor's own baselining job) maps as follows:
`completeness` c allows a null share of 1 - c; `is_non_negative` sets a minimum of 0;
`domains` is the categorical domain, allowing 1 - `domain_content_threshold` of unseen
values; `evaluate_constraints: Disabled` (globally or per feature) ignores the columns;
`distribution_constraints` choose the drift check: driftline's `l_infinity` distance with
`comparison_threshold` (numbers) and `categorical_comparison_threshold` (categories), or
`chi2` for `categorical_drift_method: ChiSquared`. Integral versus Fractional is not
checked (driftline checks kinds: number, category, date).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from driftline.errors import DataSourceError
from driftline.io.kinds import ColumnKind
from driftline.platforms.sagemaker.statistics import INTEGRAL, STRING, inferred_type
from driftline.profile import DatasetProfile
from driftline.validation import ColumnConstraint, Constraints

DEFAULT_COMPARISON_THRESHOLD = 0.1
_DRIFTLINE = "driftline"


@dataclass
class DriftSettings:
    """How the drift check runs: what `check_drift` takes, and whether it runs at all."""

    enabled: bool = True
    method: str | dict[str, str] = "auto"
    threshold: float | dict[str, float] | None = None
    drift_share: float = 0.5


@dataclass
class MonitoringConfig:
    """`monitoring_config` keys that change what is reported."""

    evaluate_constraints: bool = True
    emit_metrics: bool = True
    datatype_check_threshold: float = 1.0
    domain_content_threshold: float = 1.0


@dataclass
class ImportedConstraints:
    """What a constraints file says: validation constraints, drift settings, reporting."""

    constraints: Constraints
    drift: DriftSettings = field(default_factory=DriftSettings)
    config: MonitoringConfig = field(default_factory=MonitoringConfig)
    written_by_driftline: bool = True  # False: Model Monitor's own file (types as it infers)


def _enabled(value: Any, default: bool = True) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "enabled"


# -- export -----------------------------------------------------------------------------------
def to_constraints(
    constraints: Constraints, profile: DatasetProfile, drift: DriftSettings | None = None
) -> dict[str, Any]:
    """A Model Monitor `constraints.json` document for `constraints` inferred from `profile`."""
    drift = drift or DriftSettings()
    features = []
    for name, constraint in constraints.columns.items():
        column = profile.columns.get(name)
        feature: dict[str, Any] = {
            "name": name,
            "inferred_type": inferred_type(column) if column else _type_of(constraint),
            "completeness": 1.0 - (constraint.max_null_share or 0.0),
        }
        numeric = column.numeric if column else None
        if numeric is not None and numeric.min is not None and feature["inferred_type"] != STRING:
            feature["num_constraints"] = {"is_non_negative": numeric.min >= 0}
        if constraint.domain is not None:
            feature["string_constraints"] = {"domains": list(constraint.domain)}
        feature[_DRIFTLINE] = dataclasses.asdict(constraint)
        features.append(feature)
    unseen = [c.max_unseen_share for c in constraints.columns.values() if c.domain is not None]
    threshold = drift.threshold if isinstance(drift.threshold, int | float) else None
    return {
        "version": 0.0,
        "features": features,
        "monitoring_config": {
            "evaluate_constraints": "Enabled",
            "emit_metrics": "Enabled",
            "datatype_check_threshold": 1.0,
            "domain_content_threshold": 1.0 - min(unseen, default=0.0),
            "distribution_constraints": {
                "perform_comparison": "Enabled" if drift.enabled else "Disabled",
                "comparison_threshold": threshold or DEFAULT_COMPARISON_THRESHOLD,
                "comparison_method": "Simple",
                "categorical_comparison_threshold": threshold or DEFAULT_COMPARISON_THRESHOLD,
                "categorical_drift_method": "LInfinity",
            },
        },
        _DRIFTLINE: {
            "row_count": {"min": constraints.min_rows, "max": constraints.max_rows},
            "allow_extra_columns": constraints.allow_extra_columns,
            "ignored_columns": list(constraints.ignored_columns),
            "severity": dict(constraints.severity),
            "drift": dataclasses.asdict(drift),
        },
    }


def _type_of(constraint: ColumnConstraint) -> str:
    if constraint.kind == ColumnKind.NUMERIC.value:
        return INTEGRAL if "int" in (constraint.arrow_type or "") else "Fractional"
    return STRING


# -- import -----------------------------------------------------------------------------------
def from_constraints(document: Mapping[str, Any]) -> ImportedConstraints:
    """driftline constraints and drift settings of a `constraints.json` document."""
    if not isinstance(document, Mapping) or not isinstance(document.get("features"), list):
        raise DataSourceError(
            "not a Model Monitor constraints.json: no 'features' list", param="baseline_constraints"
        )
    try:
        return _imported(document)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataSourceError(
            f"not a Model Monitor constraints.json: {type(exc).__name__}: {exc}",
            param="baseline_constraints",
        ) from exc


def _imported(document: Mapping[str, Any]) -> ImportedConstraints:
    monitoring = document.get("monitoring_config") or {}
    config = MonitoringConfig(
        evaluate_constraints=_enabled(monitoring.get("evaluate_constraints")),
        emit_metrics=_enabled(monitoring.get("emit_metrics")),
        datatype_check_threshold=float(monitoring.get("datatype_check_threshold", 1.0)),
        domain_content_threshold=float(monitoring.get("domain_content_threshold", 1.0)),
    )
    ours = document.get(_DRIFTLINE) or {}
    constraints = Constraints(min_rows=1, max_rows=None)
    if ours:
        constraints.min_rows = ours["row_count"]["min"]
        constraints.max_rows = ours["row_count"]["max"]
        constraints.allow_extra_columns = bool(ours["allow_extra_columns"])
        constraints.ignored_columns = list(ours["ignored_columns"])
        constraints.severity.update(ours["severity"])
    numeric: list[str] = []
    categorical: list[str] = []
    for feature in document["features"]:
        name = str(feature["name"])
        overrides = _overrides(feature)
        if not _enabled(overrides.get("evaluate_constraints"), config.evaluate_constraints):
            constraints.ignored_columns.append(name)
            continue
        if _DRIFTLINE in feature:
            constraints.columns[name] = ColumnConstraint(**feature[_DRIFTLINE])
        else:
            constraints.columns[name] = _column(feature, overrides, config)
        kind = constraints.columns[name].kind
        (numeric if kind == ColumnKind.NUMERIC.value else categorical).append(name)
    drift = (
        DriftSettings(**ours["drift"])
        if "drift" in ours
        else _drift(monitoring.get("distribution_constraints") or {}, numeric, categorical)
    )
    return ImportedConstraints(constraints, drift, config, written_by_driftline=bool(ours))


def _overrides(feature: Mapping[str, Any]) -> Mapping[str, Any]:
    """Per-feature monitoring overrides, wherever and however a file spells them."""
    for holder in (
        feature,
        feature.get("string_constraints") or {},
        feature.get("num_constraints") or {},
    ):
        for key in ("monitoringConfigOverrides", "monitoring_config_overrides"):
            if isinstance(holder.get(key), Mapping):
                return holder[key]
    return {}


def _column(
    feature: Mapping[str, Any], overrides: Mapping[str, Any], config: MonitoringConfig
) -> ColumnConstraint:
    kind = str(feature.get("inferred_type", "Unknown"))
    constraint = ColumnConstraint(
        kind=ColumnKind.NUMERIC.value
        if kind in ("Integral", "Fractional")
        else ColumnKind.CATEGORICAL.value
    )
    if kind == "Unknown":
        constraint.kind = ColumnKind.CATEGORICAL.value
        constraint.required = False
    if "completeness" in feature:
        constraint.max_null_share = max(0.0, 1.0 - float(feature["completeness"]))
    if (feature.get("num_constraints") or {}).get("is_non_negative") is True:
        constraint.min = 0.0
    domains = (feature.get("string_constraints") or {}).get("domains")
    if isinstance(domains, list):
        constraint.domain = [str(v) for v in domains]
        threshold = float(
            overrides.get("domain_content_threshold", config.domain_content_threshold)
        )
        constraint.max_unseen_share = max(0.0, 1.0 - threshold)
    return constraint


def _drift(
    distribution: Mapping[str, Any], numeric: list[str], categorical: list[str]
) -> DriftSettings:
    enabled = _enabled(
        distribution.get("perform_comparison", distribution.get("enable_comparisons"))
    )
    threshold = float(distribution.get("comparison_threshold", DEFAULT_COMPARISON_THRESHOLD))
    categorical_threshold = float(distribution.get("categorical_comparison_threshold", threshold))
    chi2 = str(distribution.get("categorical_drift_method", "LInfinity")).lower() == "chisquared"
    method = {name: "l_infinity" for name in numeric}
    thresholds = dict.fromkeys(numeric, threshold)
    for name in categorical:
        method[name] = "chi2" if chi2 else "l_infinity"
        thresholds[name] = categorical_threshold
    return DriftSettings(enabled=enabled, method=method, threshold=thresholds)


def load_constraints_file(source: str | Path) -> ImportedConstraints:
    """What the constraints.json at `source` says; a bad file is one error naming it."""
    from driftline.platforms.sagemaker.files import read_json

    try:
        return from_constraints(read_json(source, "baseline_constraints"))
    except DataSourceError as exc:
        if str(source) in str(exc):
            raise
        raise DataSourceError(f"{source}: {exc}", param="baseline_constraints") from None
