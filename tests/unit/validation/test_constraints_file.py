"""Constraints files (YAML/JSON): overrides apply; bad keys and values get one clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from driftline.errors import DataSourceError, InputError, UnknownNameError
from driftline.profile import profile_batches
from driftline.validation import infer_constraints, load_constraints, validate_profile

BASE = pa.table({"x": [1.0, 2.0, 3.0], "c": ["a", "b", "a"], "id": ["1", "2", "3"]})


@pytest.fixture
def base():
    return infer_constraints(profile_batches(BASE.to_batches()))


def _write(tmp_path: Path, text: str, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_yaml_overrides_apply(tmp_path: Path, base) -> None:
    path = _write(
        tmp_path,
        """
row_count: {min: 1, max: null}
allow_extra_columns: true
severity: {range: error}
columns:
  x: {min: 0, max: 100}
  c: {domain: [a, b, z], max_unseen_share: 0}
  id: null
""",
    )
    constraints = load_constraints(path, base)
    assert (constraints.min_rows, constraints.max_rows) == (1, None)
    assert constraints.columns["x"].max == 100.0 and constraints.severity["range"] == "error"
    assert constraints.columns["c"].domain == ["a", "b", "z"]
    assert "id" not in constraints.columns and constraints.ignored_columns == ["id"]
    assert base.columns["x"].max == 3.2  # the base is not modified
    window = pa.table({"x": [150.0] * 10, "c": ["z"] * 10, "id": ["9"] * 10, "new": [1] * 10})
    result = validate_profile(constraints, profile_batches(window.to_batches()))
    assert {(v.column, v.check, v.severity) for v in result.violations} == {("x", "range", "error")}


def test_json_file_and_round_trip_of_inferred_constraints(tmp_path: Path, base) -> None:
    path = _write(tmp_path, json.dumps(base.to_dict()), "c.json")
    assert load_constraints(path, base) == base


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [
        ("colums: {}", InputError, "unknown key 'colums'; valid keys: row_count"),
        ("columns: {x: {maximum: 3}}", InputError, r"columns\.x: unknown key 'maximum'.*max"),
        ("columns: {nope: {max: 3}}", InputError, r"columns\.nope: not a column.*x, c, id"),
        ("columns: {x: {max: high}}", InputError, r"columns\.x\.max: expected a number"),
        ("columns: {x: {kind: nominal}}", UnknownNameError, "valid: boolean, categorical"),
        ("columns: {c: {domain: a}}", InputError, "expected a list of values"),
        ("severity: {range: fatal}", InputError, "'fatal' is not one of error, warning"),
        ("severity: {ranges: error}", InputError, "unknown key 'ranges'.*domain"),
        ("row_count: {min: -1}", InputError, r"row_count\.min: expected a whole number"),
        ("allow_extra_columns: yes please", InputError, "expected true or false"),
        ("[1, 2]", InputError, "expected a mapping"),
        ("columns: {x: [", DataSourceError, "not valid YAML"),
    ],
)
def test_bad_constraints_files(tmp_path: Path, base, text: str, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        load_constraints(_write(tmp_path, text), base)


def test_missing_constraints_file(tmp_path: Path, base) -> None:
    with pytest.raises(DataSourceError, match=r"constraints not found: .*none\.yaml"):
        load_constraints(tmp_path / "none.yaml", base)
