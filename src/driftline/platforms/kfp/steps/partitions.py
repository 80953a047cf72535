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
    unpaired: Any,
    *,
    partition: Mapping[str, Any] | None,
    timestamp_column: str,
    window_start: str,
    window_end: str,
    columns: Sequence[str] | None = None,
) -> PartitionOutputs:
    """Profile one partition's window rows as profile_window profiles a whole window: the
    baseline's options, and the baseline's column kinds wherever the types allow. A partition
    of sink output with the sides of calls apart pairs them; `unpaired` gets the halves whose
    other side it does not hold (an empty file for other partitions)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from driftline.io.partitions import Partition, open_partition
    from driftline.io.windows import as_utc
    from driftline.profile import DatasetProfile, adopted_kinds
    from driftline.profile.paired import profile_paired_partition
    from driftline.profile.partitioned import profile_partition
    from driftline.storage import atomic_output

    if not partition:
        raise InputError(
            "`partition` is empty: give one item of plan_partitions' partitions",
            param="partition",
        )
    part = Partition.from_dict(partition)
    baseline = DatasetProfile.load(baseline_profile.path)
    opened = open_partition(part)
    schema = opened.schema
    wanted = given(columns)
    names = [n for n in schema.names if wanted is None or n in wanted]
    kinds = adopted_kinds({n: c.kind for n, c in baseline.columns.items()}, schema)
    start, end = as_utc(window_start, "window_start"), as_utc(window_end, "window_end")
    paired: dict[str, Any] = {}
    if part.pairs_sides:
        made = profile_paired_partition(
            part,
            unpaired.path,
            start=start,
            end=end,
            columns=names,
            kinds={name: kinds[name] for name in names},
            **vars(baseline.options),
        )
        result = made.profile
        paired = {CALLS_PAIRED: made.joined, LEFTOVER_HALVES: made.leftovers}
    else:
        result = profile_partition(
            part,
            columns=names,
            kinds={name: kinds[name] for name in names},
            timestamp_column=timestamp_column,
            start=start,
            end=end,
            opened=opened,
            **vars(baseline.options),
        )
        with atomic_output(unpaired.path) as tmp:
            pq.write_table(pa.table({}), tmp)
    result.save(profile.path)
    window = {io.WINDOW_START: start.isoformat(), io.WINDOW_END: end.isoformat()}
    unpaired.metadata.update({io.ROWS: paired.get(LEFTOVER_HALVES, 0), **window})
    profile.metadata.update(
        {
            io.KIND: "profile",
            io.SCHEMA_VERSION: result.schema_version,
            io.ROWS: result.row_count,
            io.SOURCE: part.source,
            io.PARTITION: part.index,
            **paired,
        }
    )
    return PartitionOutputs(result.row_count)


def merge_profiles_outputs(
    profiles: Sequence[Any],
    profile: Any,
    *,
    unpaired: Sequence[Any] | None = None,
    min_rows: int = 1,
) -> MergeOutputs:
    """Merge the partitions' profiles into the window's profile; the metadata says the
    window ran fanned out, over how many partitions. The halves the partitions left over
    (`unpaired`) are paired together and profiled into it, and the metadata counts the
    calls paired at read time and the halves that stayed alone."""
    from driftline.errors import EmptyDataError
    from driftline.profile import DatasetProfile
    from driftline.profile.partitioned import merge_all

    parts = [DatasetProfile.load(p.path) for p in profiles]
    pairing = _pair_leftovers(parts, profiles, unpaired or [])
    if pairing is not None and pairing[0] is not None:
        parts.append(pairing[0])
    merged = merge_all(parts)
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
            **(pairing[1] if pairing is not None else {}),
        }
    )
    return MergeOutputs(merged.row_count)


CALLS_PAIRED = "calls_paired_at_read"  # as `HalfPairing.metadata()` names them
LEFTOVER_HALVES = "unpaired_halves"


def _pair_leftovers(
    parts: Sequence[Any], profiles: Sequence[Any], unpaired: Sequence[Any]
) -> tuple[Any | None, dict[str, int]] | None:
    """The profile of the calls the partitions' leftover halves give (None for no leftovers),
    and the window's pairing counts; None when no partition paired sides."""
    from driftline.inference_log.pairing import HalfPairing
    from driftline.io.windows import as_utc
    from driftline.profile.paired import profile_leftovers

    paired_here = [p for p in profiles if CALLS_PAIRED in p.metadata]
    if not paired_here:
        return None
    with_rows = [u for u in unpaired if int(u.metadata.get(io.ROWS, 0))]
    left = sum(int(p.metadata.get(LEFTOVER_HALVES, 0)) for p in paired_here)
    given_rows = sum(int(u.metadata.get(io.ROWS, 0)) for u in with_rows)
    if given_rows != left:
        raise InputError(
            f"the partitions left {left} halves of calls over for the merge, but `unpaired` "
            f"holds {given_rows}: pass every profile_partition task's `unpaired` output "
            "(dsl.Collected) with its `profile`",
            param="unpaired",
        )
    windows = {(u.metadata.get(io.WINDOW_START), u.metadata.get(io.WINDOW_END)) for u in with_rows}
    if len(windows) > 1:
        raise InputError(
            f"the leftover halves come from different windows: {sorted(map(str, windows))}; "
            "merge the partitions of one plan",
            param="unpaired",
        )
    joined = sum(int(p.metadata[CALLS_PAIRED]) for p in paired_here)
    if not with_rows:
        return None, HalfPairing(joined, 0, 0).metadata()
    start, end = windows.pop()
    profile, counts = profile_leftovers(
        [u.path for u in with_rows],
        parts[0],
        start=as_utc(start, "window_start"),
        end=as_utc(end, "window_end"),
    )
    total = HalfPairing(joined + counts.joined, counts.unpaired_requests, counts.unpaired_responses)
    return profile, total.metadata()
