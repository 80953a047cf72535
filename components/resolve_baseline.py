"""Component: resolve a model's baseline (training data, profile, metrics) from its lineage."""

from typing import NamedTuple, Optional

from kfp.dsl import Dataset, Metrics, Output

from driftline.components._declare import component


@component
def resolve_baseline(
    baseline: Output[Dataset],
    training_metrics: Output[Metrics],
    model: Optional[str] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    store: Optional[str] = None,  # noqa: UP045
    dataset_name: Optional[str] = None,  # noqa: UP045
    require: str = "any",
) -> NamedTuple(
    "Outputs", [("model_id", int), ("dataset_uri", str), ("profile_uri", str), ("metrics", dict)]
):  # type: ignore[valid-type]
    """Resolve a model's baseline from its lineage in ML Metadata or MLflow.

    Args:
        model: The model: MLMD artifact id, artifact URI (s3:// and minio:// match each
            other), or isvc:<NAMESPACE/NAME> of a KServe InferenceService; with an MLflow
            store models:/NAME@ALIAS, models:/NAME/VERSION or runs:/RUN_ID/PATH.
        store: Lineage store URI (sqlite:///..., mysql://user@host:port/db, grpc://host:port,
            mlflow+https://host for an MLflow tracking server); unset = the in-cluster MLMD
            service from METADATA_GRPC_SERVICE_HOST/PORT.
        dataset_name: Input name of the baseline dataset when the training run read several.
        require: What must exist: "dataset", "profile" or "any" (at least one).

    Returns:
        baseline: Dataset whose URI is the training data; its metadata holds model_id,
            model_uri, dataset_id, dataset_name, profile_id, profile_uri, training_run_id.
        training_metrics: The training run's scalar metrics (baseline quality).
        model_id: MLMD artifact id of the model (0 with MLflow: model_uri in the baseline's
            metadata names the version, an alias resolved once).
        dataset_uri: URI of the training data ("" when none).
        profile_uri: URI of the newest recorded baseline profile ("" when none).
        metrics: The training-time metrics as a dict (metric name -> value), for
            compute_performance's baseline_metrics.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.lineage import resolve_baseline_outputs

    with exit_on_error():
        return resolve_baseline_outputs(
            baseline,
            training_metrics,
            model=model,
            store=store,
            dataset_name=dataset_name,
            require=require,
        )
