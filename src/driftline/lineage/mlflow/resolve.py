"""Resolve an MLflow model reference to its lineage: version -> source run -> datasets, metrics.

Rules (docs/mlflow.md):
- `models:/NAME@ALIAS` is resolved once, to the version the alias names now; the lineage (and
  so the results of a monitoring run) is that version's, even if the alias moves meanwhile.
- The baseline is the source run's *training* dataset input (`mlflow.log_input(...,
  context="training")`). Inputs logged without a context count as training data only when
  the run has no training-tagged input; inputs of other contexts (evaluation, test) never do.
  Several candidates: `dataset_name` (the dataset's name or digest) chooses one, else an
  error lists them. None: no dataset (a recorded baseline profile may still serve).
- The performance baseline is the run's metrics, without the `production.*` ones that
  monitoring writes back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from driftline.errors import LineageError
from driftline.lineage.mlflow.client import call
from driftline.lineage.mlflow.refs import MlflowRef, parse_mlflow_ref
from driftline.lineage.records import ArtifactRecord, ExecutionRecord, ModelLineage

CONTEXT_TAG = "mlflow.data.context"
TRAINING = "training"
PRODUCTION_PREFIX = "production."
PROFILE_TAG = "driftline.baseline_profile"
MODEL_VERSION = "mlflow.ModelVersion"
RUN = "mlflow.Run"
DATASET = "mlflow.Dataset"


@dataclass(frozen=True)
class Target:
    """Where a reference leads: the source run and, for a model reference, the version."""

    ref: MlflowRef
    run_id: str
    version: Any = None  # mlflow ModelVersion, None for runs:/ references

    @property
    def pinned(self) -> str:
        """The reference with an alias replaced by the version it resolved to."""
        if self.version is None:
            return str(self.ref)
        return f"models:/{self.version.name}/{self.version.version}"


def find_target(client: Any, where: str, model: Any) -> Target:
    """The version and source run a reference names (an alias is resolved now)."""
    ref = parse_mlflow_ref(str(model))
    if ref.run_id:
        return Target(ref, ref.run_id)
    if ref.alias:
        version = call(
            where, f"alias {ref.alias!r} of model {ref.name!r}",
            client.get_model_version_by_alias, ref.name, ref.alias,
        )  # fmt: skip
    else:
        version = call(
            where, f"version {ref.version} of model {ref.name!r}",
            client.get_model_version, ref.name, ref.version,
        )  # fmt: skip
    if not version.run_id:
        raise LineageError(
            f"{ref} (version {version.version}) has no source run in {where}: register it "
            "from a run (mlflow.<flavor>.log_model inside mlflow.start_run) to give it lineage"
        )
    return Target(ref, str(version.run_id), version)


def resolve(
    client: Any, where: str, model: Any, *, dataset_name: str | None = None
) -> ModelLineage:
    """The lineage of a model version or run (see the module's rules)."""
    target = find_target(client, where, model)
    run = call(where, f"source run {target.run_id}", client.get_run, target.run_id)
    experiment = call(
        where, f"experiment {run.info.experiment_id}",
        client.get_experiment, run.info.experiment_id,
    )  # fmt: skip
    datasets = tuple(_dataset(d) for d in run.inputs.dataset_inputs or ())
    candidates = _training_candidates(datasets)
    profile_uri = run.data.tags.get(PROFILE_TAG, "")
    return ModelLineage(
        model=_model_record(target, run),
        training=ExecutionRecord(
            id=0,
            type=RUN,
            name=str(run.info.run_name or run.info.run_id),
            state=str(run.info.status),
            properties={
                "run_id": run.info.run_id,
                "experiment_id": run.info.experiment_id,
                "experiment_name": experiment.name,
                "params": dict(run.data.params),
            },
        ),
        pipeline_name=experiment.name,
        run_id=run.info.run_id,
        datasets=datasets,
        dataset=_choose(target, candidates, datasets, dataset_name),
        metrics={
            k: float(v) for k, v in run.data.metrics.items() if not k.startswith(PRODUCTION_PREFIX)
        },
        profile=ArtifactRecord(0, "driftline.BaselineProfile", profile_uri, "profile")
        if profile_uri
        else None,
    )


def _model_record(target: Target, run: Any) -> ArtifactRecord:
    version = target.version
    if version is None:
        return ArtifactRecord(
            id=0, type=RUN, uri=target.pinned, name=run.info.run_name or "",
            created_ms=int(run.info.start_time or 0),
        )  # fmt: skip
    properties = {
        "registered_model": version.name,
        "version": str(version.version),
        "aliases": sorted(version.aliases or ()),
        "stage": str(version.current_stage or ""),
        "status": str(version.status or ""),
        "source": str(version.source or ""),
        "run_id": str(version.run_id),
        "tags": dict(version.tags or {}),
        "resolved_from": str(target.ref),
    }
    return ArtifactRecord(
        id=0,  # no MLMD id: the URI (pinned version) names it
        type=MODEL_VERSION,
        uri=target.pinned,
        name=version.name,
        properties=properties,
        created_ms=int(version.creation_timestamp or 0),
    )


def _dataset(dataset_input: Any) -> ArtifactRecord:
    dataset = dataset_input.dataset
    tags = {t.key: t.value for t in dataset_input.tags or ()}
    return ArtifactRecord(
        id=0,
        type=DATASET,
        uri=source_uri(dataset.source),
        name=str(dataset.name),
        properties={
            "digest": str(dataset.digest),
            "source_type": str(dataset.source_type),
            "context": tags.get(CONTEXT_TAG, ""),
            "schema": str(dataset.schema or ""),
        },
    )


def source_uri(source: str) -> str:
    """The URI inside an MLflow dataset source (a JSON document such as {"uri": ...})."""
    try:
        document = json.loads(source)
    except (TypeError, ValueError):
        return str(source or "")
    if isinstance(document, dict):
        for key in ("uri", "url", "path", "table_name"):
            if document.get(key):
                return str(document[key])
    return str(source)


def _training_candidates(datasets: tuple[ArtifactRecord, ...]) -> tuple[ArtifactRecord, ...]:
    training = tuple(d for d in datasets if d.properties["context"] == TRAINING)
    return training or tuple(d for d in datasets if not d.properties["context"])


def _choose(
    target: Target,
    candidates: tuple[ArtifactRecord, ...],
    datasets: tuple[ArtifactRecord, ...],
    selector: str | None,
) -> ArtifactRecord | None:
    def label(d: ArtifactRecord) -> str:
        context = d.properties["context"] or "no context"
        return f"{d.name} (digest {d.properties['digest']}, {context})"

    names = ", ".join(label(d) for d in candidates) or "none"
    if selector:
        chosen = [d for d in candidates if selector in (d.name, d.properties["digest"])]
        if len(chosen) != 1:
            raise LineageError(
                f"`dataset_name` {selector!r} matches {len(chosen)} of the training inputs of "
                f"run {target.run_id} ({target.pinned}); valid: {names}"
            )
        return chosen[0]
    if len(candidates) > 1:
        raise LineageError(
            f"run {target.run_id} ({target.pinned}) has {len(candidates)} training dataset "
            f"inputs ({names}); choose the baseline with `dataset_name`"
        )
    if not candidates and datasets:
        return None  # only evaluation/test inputs: no baseline dataset
    return candidates[0] if candidates else None
