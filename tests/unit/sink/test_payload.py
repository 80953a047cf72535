"""Flattening of v1 and v2 payloads into columns, on KServe's own e2e request bodies."""

from __future__ import annotations

import json

import pytest

from driftline.errors import InputError, MalformedEventError
from driftline.inference_log.payload import FeatureSchema, flatten, load_schema
from tests.unit.sink.kserve import payload

IRIS = FeatureSchema(features=("sepal_length", "sepal_width", "petal_length", "petal_width"))


def test_v1_positional_and_schema_names():
    body = json.dumps(payload("iris_input.json"))
    rows = flatten(body, "request", FeatureSchema())
    assert rows == [
        {"feature_0": 6.8, "feature_1": 2.8, "feature_2": 4.8, "feature_3": 1.4},
        {"feature_0": 6.0, "feature_1": 3.4, "feature_2": 4.5, "feature_3": 1.6},
    ]
    named = flatten(body, "request", IRIS)
    assert named[1] == {
        "sepal_length": 6.0,
        "sepal_width": 3.4,
        "petal_length": 4.5,
        "petal_width": 1.6,
    }


def test_v1_object_rows_and_predictions():
    rows = flatten('{"instances": [{"a": 1, "b": "x"}, {"a": 2.5}]}', "request", FeatureSchema())
    assert rows == [{"a": 1.0, "b": "x"}, {"a": 2.5}]
    assert flatten('{"predictions": [1, 0]}', "response", FeatureSchema()) == [
        {"prediction": 1.0},
        {"prediction": 0.0},
    ]
    probs = flatten(
        '{"predictions": [[0.1, 0.9]]}', "response", FeatureSchema(outputs=("p0", "p1"))
    )
    assert probs == [{"p0": 0.1, "p1": 0.9}]
    assert flatten('{"predictions": [{"label": "a"}]}', "response", FeatureSchema()) == [
        {"prediction_label": "a"}
    ]


def test_v2_nested_and_flat_data_reshape_by_shape():
    nested = json.dumps(payload("iris_input_v2.json"))
    flat_doc = payload("iris_input_v2.json")
    flat_doc["inputs"][0]["data"] = [6.8, 2.8, 4.8, 1.4, 6.0, 3.4, 4.5, 1.6]
    expected = [
        {"input-0_0": 6.8, "input-0_1": 2.8, "input-0_2": 4.8, "input-0_3": 1.4},
        {"input-0_0": 6.0, "input-0_1": 3.4, "input-0_2": 4.5, "input-0_3": 1.6},
    ]
    assert flatten(nested, "request", FeatureSchema()) == expected
    assert flatten(json.dumps(flat_doc), "request", FeatureSchema()) == expected
    assert list(flatten(nested, "request", IRIS)[0]) == list(IRIS.features)


def test_v2_one_column_per_named_input_keeps_types():
    rows = flatten(json.dumps(payload("sklearn_mixed_v2.json")), "request", FeatureSchema())
    assert rows == [
        {
            "MSZoning": "RL",
            "LotArea": 8450,
            "LotShape": "Reg",
            "Utilities": "AllPub",
            "YrSold": 2008,
            "Neighborhood": "CollgCr",
            "OverallQual": 7,
            "YearBuilt": 2003,
            "SaleType": "WD",
            "GarageArea": 548,
        }
    ]
    assert isinstance(rows[0]["LotArea"], int)


def test_v2_response_outputs():
    body = {
        "model_name": "iris-classifier",
        "model_version": "v1.0.0",
        "id": "x",
        "outputs": [
            {
                "name": "predict",
                "shape": [2],
                "datatype": "FP32",
                "parameters": None,
                "data": [1, 2],
            }
        ],
    }
    assert flatten(json.dumps(body), "response", FeatureSchema()) == [
        {"predict": 1.0},
        {"predict": 2.0},
    ]


@pytest.mark.parametrize(
    ("kind", "body", "reason"),
    [
        ("request", "not json", "not JSON"),
        ("request", "[1, 2]", "JSON object"),
        ("request", '{"data": []}', "neither 'instances'"),
        ("response", '{"result": 1}', "neither 'predictions'"),
        ("request", '{"instances": 5}', "must be a list"),
        (
            "request",
            '{"inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP32", "data": [1, 2, 3]}]}',
            "has 3 values but shape [2, 2]",
        ),
        (
            "request",
            '{"inputs": [{"name": "x", "shape": [1], "datatype": "INT64", "data": ["a"]}]}',
            "not a INT64 number",
        ),
        (
            "request",
            '{"inputs": [{"name": "a", "shape": [1], "datatype": "FP32", "data": [1]},'
            ' {"name": "b", "shape": [2], "datatype": "FP32", "data": [1, 2]}]}',
            "has 2 rows, others have 1",
        ),
    ],
)
def test_malformed_payloads_name_the_problem(kind, body, reason):
    with pytest.raises(MalformedEventError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        flatten(body, kind, FeatureSchema())


def test_schema_length_mismatch_is_rejected():
    with pytest.raises(MalformedEventError, match="schema names 2"):
        flatten('{"instances": [[1, 2, 3]]}', "request", FeatureSchema(features=("a", "b")))


def test_load_schema(tmp_path):
    path = tmp_path / "schema.json"
    path.write_text('{"features": ["a", "b"], "outputs": ["y"]}')
    assert load_schema(path) == FeatureSchema(features=("a", "b"), outputs=("y",))
    assert load_schema(None) == FeatureSchema()
    path.write_text('{"features": ["a", "a"]}')
    with pytest.raises(InputError, match="duplicate"):
        load_schema(path)
    path.write_text('{"columns": []}')
    with pytest.raises(InputError, match="keys 'features' and/or 'outputs'"):
        load_schema(path)
    with pytest.raises(InputError, match=r"^schema file not found: .*missing\.json$"):
        load_schema(tmp_path / "missing.json")
