"""statistics.json and constraints.json both ways, and constraint_violations.json."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import jsonschema
import numpy as np
import pyarrow as pa
import pytest

from driftline.errors import DataSourceError
from driftline.platforms.sagemaker.constraints import (
    DriftSettings,
    from_constraints,
    to_constraints,
)
from driftline.platforms.sagemaker.statistics import from_statistics, to_statistics
from driftline.platforms.sagemaker.violations import read_violations, to_violations
from driftline.profile import profile_batches
from driftline.validation import infer_constraints, validate_profile
from tests.reference import REFERENCE

MONITOR = REFERENCE / "sagemaker-model-monitor"
QUALITY = MONITOR / "sdk-tests-quality-check-step" / "data_quality"
CHECK_TYPES = {
    "data_type_check",
    "completeness_check",
    "baseline_drift_check",
    "missing_column_check",
    "extra_column_check",
    "categorical_values_check",
}
_NUMBER = {"type": "number"}
_COMMON = {
    "type": "object",
    "required": ["num_present", "num_missing"],
    "properties": {"num_present": _NUMBER, "num_missing": _NUMBER},
}
# The statistics.json schema as AWS documents it (the reference summary, section 1).
STATISTICS_SCHEMA = {
    "type": "object",
    "required": ["version", "dataset", "features"],
    "properties": {
        "version": _NUMBER,
        "dataset": {"type": "object", "required": ["item_count"]},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "inferred_type"],
                "properties": {
                    "inferred_type": {"enum": ["Integral", "Fractional", "String", "Unknown"]},
                    "numerical_statistics": {
                        "type": "object",
                        "required": ["common", "mean", "sum", "std_dev", "min", "max"],
                        "properties": {
                            "common": _COMMON,
                            "distribution": {
                                "type": "object",
                                "properties": {
                                    "kll": {
                                        "type": "object",
                                        "required": ["buckets", "sketch"],
                                        "properties": {
                                            "buckets": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "required": [
                                                        "lower_bound",
                                                        "upper_bound",
                                                        "count",
                                                    ],
                                                },
                                            },
                                            "sketch": {
                                                "type": "object",
                                                "required": ["parameters", "data"],
                                                "properties": {
                                                    "data": {
                                                        "type": "array",
                                                        "items": {
                                                            "type": "array",
                                                            "items": _NUMBER,
                                                        },
                                                    }
                                                },
                                            },
                                        },
                                    }
                                },
                            },
                        },
                    },
                    "string_statistics": {
                        "type": "object",
                        "required": ["common", "distinct_count"],
                        "properties": {"common": _COMMON, "distinct_count": _NUMBER},
                    },
                },
            },
        },
    },
}
VIOLATIONS_SCHEMA = {
    "type": "object",
    "required": ["violations"],
    "properties": {
        "violations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["feature_name", "constraint_check_type", "description"],
                "properties": {"description": {"type": "string", "pattern": "^Value: "}},
            },
        }
    },
}


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def _window(rows: int, seed: int, shift: float = 0.0, colors: tuple = ("red", "blue")) -> pa.Table:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, rows)
    income = rng.lognormal(10 + shift, 0.5, rows)
    color = rng.choice(colors, rows)
    mask = rng.random(rows) < 0.1
    return pa.table(
        {
            "age": pa.array(age),
            "income": pa.array(income),
            "color": pa.array(color.tolist(), mask=mask),
        }
    )


def _profile(table: pa.Table):
    return profile_batches(table.to_batches(), schema=table.schema)


def test_the_schemas_accept_the_reference_files() -> None:
    """The schemas in this test accept AWS's own files (so they can judge ours)."""
    jsonschema.validate(_load(QUALITY / "statistics.json"), STATISTICS_SCHEMA)
    jsonschema.validate(_load(MONITOR / "sdk-tests-monitor" / "statistics.json"), STATISTICS_SCHEMA)
    violations = _load(MONITOR / "sdk-tests-monitor" / "constraint_violations.json")
    jsonschema.validate(violations, VIOLATIONS_SCHEMA)


def test_reference_statistics_import_exactly() -> None:
    """Counts, moments and the KLL sketch's value counts of the reference file."""
    document = _load(QUALITY / "statistics.json")
    profile = from_statistics(document)
    assert profile.row_count == document["dataset"]["item_count"]
    for feature in document["features"]:
        stats = feature["numerical_statistics"]
        column = profile.columns[feature["name"]]
        assert column.kind.value == "numeric"
        assert (column.count, column.null_count) == (100, 0)
        numeric = column.numeric
        assert numeric is not None
        assert (numeric.min, numeric.max, numeric.mean) == (
            stats["min"],
            stats["max"],
            stats["mean"],
        )
        assert numeric.std == pytest.approx(stats["std_dev"], rel=1e-12)
        levels = stats["distribution"]["kll"]["sketch"]["data"]
        expected = Counter(v for v in levels[0])  # one level: every item weighs 1
        assert numeric.exact_values == dict(expected)


def test_reference_statistics_round_trip() -> None:
    """statistics.json -> profile -> statistics.json keeps every documented number."""
    original = _load(QUALITY / "statistics.json")
    again = to_statistics(from_statistics(original))
    jsonschema.validate(again, STATISTICS_SCHEMA)
    assert again["dataset"] == original["dataset"]
    for before, after in zip(original["features"], again["features"], strict=True):
        assert after["inferred_type"] == before["inferred_type"]
        b, a = before["numerical_statistics"], after["numerical_statistics"]
        assert a["common"] == b["common"]
        for key in ("mean", "sum", "std_dev", "min", "max"):
            assert a[key] == pytest.approx(b[key], rel=1e-12)
        b_buckets, a_buckets = (
            b["distribution"]["kll"]["buckets"],
            a["distribution"]["kll"]["buckets"],
        )
        assert [x["count"] for x in a_buckets] == [x["count"] for x in b_buckets]
        assert [x["lower_bound"] for x in a_buckets] == pytest.approx(
            [x["lower_bound"] for x in b_buckets]
        )


def test_string_reference_statistics_import() -> None:
    """A String feature: its categorical buckets become exact frequencies."""
    profile = from_statistics(_load(MONITOR / "sdk-tests-monitor" / "statistics.json"))
    column = profile.columns["message"]
    assert column.categorical is not None and column.categorical.exact
    assert column.categorical.frequencies == {"preproc-not-YET-supported-for-csv-json": 418}


def test_profile_round_trips_through_statistics() -> None:
    """A driftline profile -> statistics.json -> profile: exact counts, moments, categories;
    quantiles of a sketched column within the sketch's accuracy (numpy as oracle)."""
    table = _window(5000, 1)
    profile = _profile(table)
    document = to_statistics(profile)
    jsonschema.validate(document, STATISTICS_SCHEMA)
    back = from_statistics(document)
    for name, column in profile.columns.items():
        again = back.columns[name]
        assert (again.count, again.null_count) == (column.count, column.null_count)
    assert (
        back.columns["color"].categorical.frequencies
        == profile.columns["color"].categorical.frequencies
    )
    age, again_age = profile.columns["age"].numeric, back.columns["age"].numeric
    assert again_age.exact_values == age.exact_values
    assert (again_age.min, again_age.max) == (age.min, age.max)
    assert again_age.mean == pytest.approx(age.mean, rel=1e-12)
    assert again_age.std == pytest.approx(age.std, rel=1e-9)
    income = back.columns["income"].numeric
    values = np.sort(np.asarray(table.column("income")))
    for q in (0.05, 0.5, 0.95):
        truth = values[int(np.floor(q * (len(values) - 1)))]
        assert income.quantile(q) == pytest.approx(truth, rel=0.021)


def test_reference_constraints_import() -> None:
    """Completeness, is_non_negative and distribution_constraints of the current format."""
    imported = from_constraints(_load(QUALITY / "good_cases" / "constraints.json"))
    column = imported.constraints.columns["_c0"]
    assert (column.kind, column.max_null_share, column.min) == ("numeric", 0.0, 0.0)
    assert imported.drift.enabled
    assert imported.drift.method == dict.fromkeys([f"_c{i}" for i in range(6)], "l_infinity")
    assert imported.drift.threshold == dict.fromkeys([f"_c{i}" for i in range(6)], 0.1)
    bad = from_constraints(_load(QUALITY / "bad_cases" / "constraints.json"))
    kinds = {name: c.kind for name, c in bad.constraints.columns.items()}
    assert "categorical" in kinds.values()


def test_older_constraints_format_import() -> None:
    """`enable_comparisons`, `min_domain_mass` and per-feature overrides (older files)."""
    imported = from_constraints(_load(MONITOR / "sdk-tests-monitor" / "constraints.json"))
    message = imported.constraints.columns["message"]
    assert message.domain == ["preproc-not-YET-supported-for-csv-json"]
    assert message.max_unseen_share == 0.0
    assert imported.drift.enabled and imported.drift.threshold == {
        "message": 1.0,
        "second_message": 1.0,
    }


def test_driftline_constraints_round_trip_exactly() -> None:
    """What driftline writes reads back to the same constraints and drift settings."""
    profile = _profile(_window(2000, 2))
    constraints = infer_constraints(profile, expected_rows=2000)
    constraints.severity["range"] = "error"
    drift = DriftSettings(method={"income": "psi", "*": "auto"}, threshold=None, drift_share=0.3)
    document = to_constraints(constraints, profile, drift)
    assert document["features"][0]["num_constraints"] == {"is_non_negative": True}
    assert document["features"][2]["string_constraints"]["domains"] == ["blue", "red"]
    imported = from_constraints(json.loads(json.dumps(document)))
    assert imported.constraints == constraints
    assert imported.drift == drift


def test_not_a_statistics_file_is_one_clear_error() -> None:
    """A document without features names the file kind it expected."""
    with pytest.raises(DataSourceError, match=r"not a Model Monitor statistics\.json"):
        from_statistics({"version": 0})
    with pytest.raises(DataSourceError, match="inferred_type 'Bogus'"):
        from_statistics({"features": [{"name": "x", "inferred_type": "Bogus"}]})
    with pytest.raises(DataSourceError, match=r"not a Model Monitor constraints\.json"):
        from_constraints({"monitoring_config": {}})


def test_violations_use_model_monitor_check_types(tmp_path: Path) -> None:
    """Type change, completeness, missing, extra, unseen values and drift, one entry each."""
    from driftline.drift import check_drift

    baseline_table = _window(3000, 3)
    baseline = _profile(baseline_table)
    constraints = infer_constraints(baseline, expected_rows=0)
    current = _window(3000, 4, shift=1.0, colors=("red", "blue", "green"))
    ages = [str(v) if i % 2 else "unknown" for i, v in enumerate(current.column("age").to_pylist())]
    current = current.set_column(0, "age", pa.array(ages))
    current = current.append_column("extra", pa.array(np.zeros(3000)))
    nulls = pa.array([None] * 1500 + current.column("income").to_pylist()[1500:], pa.float64())
    current = current.set_column(1, "income", nulls)
    constraints.columns["missing_one"] = constraints.columns["income"]
    window = _profile(current)
    validation = validate_profile(constraints, window)
    drift = check_drift(baseline, current.select(["income", "color"]), columns=["income", "color"])
    document = to_violations(validation, drift, window=window)
    jsonschema.validate(document, VIOLATIONS_SCHEMA)
    found = {(v["feature_name"], v["constraint_check_type"]) for v in document["violations"]}
    assert {
        ("age", "data_type_check"),
        ("income", "completeness_check"),
        ("missing_one", "missing_column_check"),
        ("extra", "extra_column_check"),
        ("color", "categorical_values_check"),
        ("income", "baseline_drift_check"),
    } <= found
    assert {t for _, t in found} <= CHECK_TYPES | {"driftline_range_check"}
    completeness = next(
        v for v in document["violations"] if v["constraint_check_type"] == "completeness_check"
    )
    assert completeness["description"].startswith("Value: 0.5 does not meet")
    data_type = next(
        v for v in document["violations"] if v["constraint_check_type"] == "data_type_check"
    )
    assert data_type["description"].startswith("Value: 0.5 does not meet")  # half are numbers
    (tmp_path / "constraints_violations.json").write_text(json.dumps(document))
    assert read_violations(tmp_path) == document
    assert read_violations(tmp_path / "nowhere") == {"violations": []}
