"""Benchmark: resolving a model (and reading its history) in a large MLMD store.

Builds a SQLite MLMD store holding MODELS KFP-shaped training runs (dataset -> training
execution -> model + metrics) and RUNS driftline monitoring runs (each with a drift report,
linked to its model's MonitoredModel context), in bulk with put_lineage_subgraph, then times
`resolve` by id and by URI and `history` on random models. The peer, measured in the same run,
is the same calls on a store with PEER_MODELS models: the ratio shows how lookups scale.

Run: .venv/bin/python bench/lineage.py [--models 10000] [--runs 100000] [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path

from ml_metadata.proto import metadata_store_pb2 as pb

import driftline
from driftline.lineage import open_store
from driftline.lineage.mlmd import types as t
from driftline.lineage.mlmd.resolve import context_name
from driftline.lineage.mlmd.values import set_property, set_value

TRAIN_BATCH = 100
PEER_MODELS = 10
SAMPLES = 200


def _event(kind: int, key: str) -> pb.Event:
    event = pb.Event(type=kind)
    event.path.steps.add().key = key
    return event


def build(uri: str, models: int, runs: int) -> list[tuple[int, str]]:
    """Fill the store; returns (model id, model URI) pairs."""
    store = open_store(uri)
    mlmd = store.mlmd
    types = t.TypeCache(mlmd)
    pipeline = pb.Context(type_id=types.context(t.PIPELINE), name="bench-train")
    out: list[tuple[int, str]] = []
    for start in range(0, models, TRAIN_BATCH):
        executions, artifacts, edges = [], [], []
        for i in range(start, min(start + TRAIN_BATCH, models)):
            execution = pb.Execution(
                type_id=types.execution(t.CONTAINER_EXECUTION),
                last_known_state=pb.Execution.COMPLETE,
            )
            set_value(execution.custom_properties["task_name"], "train-model")
            executions.append(execution)
            e = len(executions) - 1
            root = f"minio://mlpipeline/v2/artifacts/bench-train/run-{i}/train-model/x"
            dataset = pb.Artifact(type_id=types.artifact(t.DATASET), uri=f"s3://data/{i}.csv")
            model = pb.Artifact(type_id=types.artifact(t.MODEL), uri=f"{root}/model")
            metrics = pb.Artifact(type_id=types.artifact(t.METRICS), uri=f"{root}/metrics")
            set_value(metrics.custom_properties["rmse"], 40.0 + i % 7)
            for artifact, kind, key in (
                (dataset, pb.Event.INPUT, "dataset"),
                (model, pb.Event.OUTPUT, "model"),
                (metrics, pb.Event.OUTPUT, "metrics"),
            ):
                artifacts.append(artifact)
                edges.append((e, len(artifacts) - 1, _event(kind, key)))
        _, ids, _ = mlmd.put_lineage_subgraph(
            executions, artifacts, [pipeline], edges, reuse_context_if_already_exist=True
        )
        out.extend((ids[k + 1], artifacts[k + 1].uri) for k in range(0, len(artifacts), 3))
    per_model, extra = divmod(runs, max(models, 1))
    # Monitoring runs of many models per write: nodes in one put_lineage_subgraph, then the
    # models' contexts and their associations/attributions in one call each.
    for start in range(0, len(out), TRAIN_BATCH):
        batch = list(enumerate(out))[start : start + TRAIN_BATCH]
        contexts, owners = [], []
        executions, artifacts, edges = [], [], []
        for index, (model_id, model_uri) in batch:
            context = pb.Context(
                type_id=types.context(t.MONITORED_MODEL),
                name=context_name(model_id),
                external_id=context_name(model_id),
            )
            set_property(context.properties["model_id"], model_id)
            set_property(context.properties["model_uri"], model_uri)
            contexts.append(context)
            for r in range(per_model + (1 if index < extra else 0)):
                execution = pb.Execution(
                    type_id=types.execution(t.MONITORING_RUN),
                    external_id=f"driftline:bench-{model_id}-{r}:record",
                    last_known_state=pb.Execution.COMPLETE,
                )
                for key, value in {
                    "run_id": f"bench-{model_id}-{r}",
                    "task": "record",
                    "model_id": model_id,
                    "drift_share": (r % 10) / 10,
                    "drifted_columns": r % 10,
                    "validation_status": "ok",
                }.items():
                    set_property(execution.properties[key], value)
                executions.append(execution)
                artifacts.append(
                    pb.Artifact(
                        type_id=types.artifact(t.DRIFT_REPORT),
                        uri=f"s3://reports/{model_id}/{r}/drift.json",
                    )
                )
                owners.append(len(contexts) - 1)
                e = len(executions) - 1
                edges.append((e, None, pb.Event(type=pb.Event.INPUT, artifact_id=model_id)))
                edges.append((e, e, _event(pb.Event.OUTPUT, "drift_report")))
        execution_ids, artifact_ids, _ = mlmd.put_lineage_subgraph(executions, artifacts, [], edges)
        context_ids = mlmd.put_contexts(contexts)
        mlmd.put_attributions_and_associations(
            [
                pb.Attribution(context_id=context_ids[o], artifact_id=a)
                for o, a in zip(owners, artifact_ids, strict=True)
            ],
            [
                pb.Association(context_id=context_ids[o], execution_id=e)
                for o, e in zip(owners, execution_ids, strict=True)
            ],
        )
    return out


def measure(uri: str, models: list[tuple[int, str]]) -> dict[str, tuple[float, float]]:
    """Median and p95 in ms of resolve-by-id, resolve-by-URI and history on random models."""
    store = open_store(uri)
    rng = random.Random(7)
    picks = [rng.choice(models) for _ in range(SAMPLES)]
    calls = {
        "resolve by id": lambda m: store.resolve(m[0]),
        "resolve by URI (s3:// alias)": lambda m: store.resolve(m[1].replace("minio://", "s3://")),
        "history": lambda m: store.history(m[0]),
    }
    results = {}
    for name, call in calls.items():
        call(picks[0])  # warm-up
        times = []
        for pick in picks:
            begin = time.perf_counter()
            call(pick)
            times.append((time.perf_counter() - begin) * 1000)
        times.sort()
        results[name] = (statistics.median(times), times[int(len(times) * 0.95) - 1])
    return results


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "cpu"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        peer_uri = f"sqlite://{folder}/peer.sqlite"
        peer = build(peer_uri, PEER_MODELS, PEER_MODELS * args.runs // max(args.models, 1))
        big_uri = f"sqlite://{folder}/big.sqlite"
        begin = time.perf_counter()
        big = build(big_uri, args.models, args.runs)
        build_s = time.perf_counter() - begin
        size_mb = Path(folder, "big.sqlite").stat().st_size / 1e6
        peer_times, big_times = measure(peer_uri, peer), measure(big_uri, big)
    import ml_metadata

    lines = [
        "# Lineage lookups in a large MLMD store",
        "",
        f"Machine: {platform.machine()}, {_cpu()}, {os.cpu_count()} cores shared, "
        f"Python {platform.python_version()}, ml-metadata {ml_metadata.__version__}, "
        f"driftline {driftline.__version__}, SQLite backend.",
        f"Store: {args.models:,} models (KFP-shaped training runs) and {args.runs:,} monitoring "
        f"runs, built in {build_s:.0f} s with put_lineage_subgraph in bulk ({size_mb:.0f} MB).",
        f"Peer (same run): {PEER_MODELS} models with the same runs per model. {SAMPLES} random "
        "models per call; target: resolve under 200 ms.",
        "",
        "| call | median ms | p95 ms | peer median ms | ratio (median) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, (median, p95) in big_times.items():
        peer_median = peer_times[name][0]
        lines.append(
            f"| {name} | {median:.2f} | {p95:.2f} | {peer_median:.2f} | "
            f"{median / peer_median:.2f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
