"""Glue of the fan-out components: plan_partitions, profile_partition, merge_profiles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from driftline import component_io as io
from driftline.component_io import given
from driftline.errors import InputError

FAN_OUT_MODES = ("auto", "always", "never")
FAN_OUT_PATH = "fan-out"
SINGLE_TASK_PATH = "single-task"


class PlanOutputs(NamedTuple):
    """plan_partitions' returned outputs."""

    fan_out: bool
    partitions: list[dict[str, Any]]
    tasks: int
    rows: int
    window_start: str
    window_end: str


class PartitionOutputs(NamedTuple):
    """profile_partition's returned outputs."""

    rows: int


class MergeOutputs(NamedTuple):
    """merge_profiles' returned outputs."""

    rows: int


def plan_partitions_outputs(
    *,
    source_uri: str | None,
    timestamp_column: str,
    window_length: str,
    window_end: str | None = None,
    data_format: str | None = None,
    rows_per_task: int = 10_000_000,
    fan_out: str = "auto",
    timezone: str = "UTC",
) -> PlanOutputs:
    """Plan the window's partitions and choose the path: fan out when the plan has two or
    more partitions (`auto`), or as `fan_out` forces (`always`, `never`)."""
    from datetime import UTC, datetime

    from driftline.io.partitions import plan_partitions
    from driftline.io.periods import monitoring_window
    from driftline.io.windows import as_utc

    if fan_out not in FAN_OUT_MODES:
        raise InputError(
            f"`fan_out` {fan_out!r} is not a mode; valid: {', '.join(FAN_OUT_MODES)}",
            param="fan_out",
        )
    source = given(source_uri)
    if source is None:
        raise InputError(
            "`source_uri` is empty: give the production data's path or URI", param="source_uri"
        )
    end_time = as_utc(given(window_end) or datetime.now(UTC), "window_end")
    start, end = monitoring_window(end_time, window_length, timezone or "UTC")
    if fan_out == "never":
        return PlanOutputs(False, [], 1, 0, start.isoformat(), end.isoformat())
    plan = plan_partitions(
        source,
        target_rows=rows_per_task,
        format=given(data_format),
        timestamp_column=timestamp_column,
        start=start,
        end=end,
    )
    if fan_out == "always" and plan.reason:
        raise InputError(f"cannot fan out over {source}: {plan.reason}", param="fan_out")
    chosen = fan_out == "always" or len(plan.partitions) >= 2
    partitions = [p.to_dict() for p in plan.partitions] if chosen else []
    return PlanOutputs(
        chosen,
        partitions,
        len(partitions) or 1,
        plan.rows,
        start.isoformat(),
        end.isoformat(),
    )


def profile_partition_outputs(
    baseline_profile: Any,
    profile: Any,
    *,
    partition: Mapping[str, Any] | None,
    timestamp_column: str,
    window_start: str,
    window_end: str,
    columns: Sequence[str] | None = None,
) -> PartitionOutputs:
    """Profile one partition's window rows as profile_window profiles a whole window: the
    baseline's options, and the baseline's column kinds wherever the types allow."""
    from driftline.io.partitions import Partition, open_partition
    from driftline.io.windows import as_utc
    from driftline.profile import DatasetProfile, adopted_kinds
    from driftline.profile.partitioned import profile_partition

    if not partition:
        raise InputError(
            "`partition` is empty: give one item of plan_partitions' partitions",
            param="partition",
        )
    part = Partition.from_dict(partition)
    baseline = DatasetProfile.load(baseline_profile.path)
    schema = open_partition(part).schema
    wanted = given(columns)
    names = [n for n in schema.names if wanted is None or n in wanted]
    kinds = adopted_kinds({n: c.kind for n, c in baseline.columns.items()}, schema)
    result = profile_partition(
        part,
        columns=names,
        kinds={name: kinds[name] for name in names},
        timestamp_column=timestamp_column,
        start=as_utc(window_start, "window_start"),
        end=as_utc(window_end, "window_end"),
        **vars(baseline.options),
    )
    result.save(profile.path)
    profile.metadata.update(
        {
            io.KIND: "profile",
            io.SCHEMA_VERSION: result.schema_version,
            io.ROWS: result.row_count,
            io.SOURCE: part.source,
            io.PARTITION: part.index,
        }
    )
    return PartitionOutputs(result.row_count)


def merge_profiles_outputs(
    profiles: Sequence[Any], profile: Any, *, min_rows: int = 1
) -> MergeOutputs:
    """Merge the partitions' profiles into the window's profile; the metadata says the
    window ran fanned out, over how many partitions."""
    from driftline.errors import EmptyDataError
    from driftline.profile import DatasetProfile
    from driftline.profile.partitioned import merge_all

    merged = merge_all(DatasetProfile.load(p.path) for p in profiles)
    if merged.row_count < min_rows:
        raise EmptyDataError(
            f"the window holds {merged.row_count} rows over {len(profiles)} partitions; "
            f"`min_rows` is {min_rows}",
            param="min_rows",
        )
    merged.save(profile.path)
    sources = sorted({str(p.metadata.get(io.SOURCE, "")) for p in profiles} - {""})
    profile.metadata.update(
        {
            io.KIND: "profile",
            io.SCHEMA_VERSION: merged.schema_version,
            io.ROWS: merged.row_count,
            io.EXECUTION: FAN_OUT_PATH,
            io.PARTITIONS: len(profiles),
            **({io.SOURCE: sources[0]} if len(sources) == 1 else {}),
        }
    )
    return MergeOutputs(merged.row_count)
