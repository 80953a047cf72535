"""MLflow store URIs and model references: the accepted forms and one clear error otherwise."""

from __future__ import annotations

import pytest

from driftline.errors import InputError
from driftline.lineage import parse_store_uri
from driftline.lineage.mlflow.refs import MlflowRef, parse_mlflow_ref


def test_mlflow_store_uris() -> None:
    location = parse_store_uri("mlflow+https://mlflow.example.com/tracking/", env={})
    assert (location.scheme, location.path) == ("mlflow", "https://mlflow.example.com/tracking")
    assert location.display() == "mlflow+https://mlflow.example.com/tracking"
    assert parse_store_uri("mlflow+http://127.0.0.1:5000", env={}).path == "http://127.0.0.1:5000"
    with pytest.raises(InputError, match="no credentials") as caught:
        parse_store_uri("mlflow+https://me:s3cret@mlflow.example.com", env={})
    assert "s3cret" not in str(caught.value)
    with pytest.raises(InputError, match="mlflow\\+http\\(s\\)://host:port"):
        parse_store_uri("mlflow://mlflow.example.com", env={})


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("models:/fraud@champion", MlflowRef(name="fraud", alias="champion")),
        ("models:/fraud/3", MlflowRef(name="fraud", version="3")),
        ("models:/team%2Ffraud@prod", MlflowRef(name="team/fraud", alias="prod")),
        ("runs:/abc123/model", MlflowRef(run_id="abc123", path="model")),
        ("runs:/abc123", MlflowRef(run_id="abc123")),
    ],
)
def test_model_references(text: str, ref: MlflowRef) -> None:
    assert parse_mlflow_ref(text) == ref
    assert parse_mlflow_ref(str(ref)) == ref


@pytest.mark.parametrize("text", ["fraud", "models:/fraud", "models:/fraud/latest", "runs:/", "42"])
def test_other_references_are_refused_naming_the_forms(text: str) -> None:
    with pytest.raises(InputError, match="models:/NAME@ALIAS, models:/NAME/VERSION or runs:/"):
        parse_mlflow_ref(text)
