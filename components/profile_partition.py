"""Component: profile one partition of a production window (one pod of a fan-out)."""

from typing import NamedTuple, Optional

from kfp.dsl import Artifact, Dataset, Input, Output

from driftline.components._declare import component


@component
def profile_partition(
    baseline_profile: Input[Artifact],
    profile: Output[Artifact],
    unpaired: Output[Dataset],
    partition: Optional[dict] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    timestamp_column: str = "timestamp",
    window_start: str = "",
    window_end: str = "",
    columns: Optional[list] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
) -> NamedTuple("Outputs", [("rows", int)]):  # type: ignore[valid-type]
    """Profile the window rows of one partition, streamed row group by row group.

    The partition is profiled with the baseline profile's options and column kinds, so the
    partitions' profiles merge (merge_profiles) into the window profile that one task would
    have built. A partition of the log sink's output whose replicas wrote the sides of
    calls apart pairs the sides it holds and leaves the other halves over for
    merge_profiles. Object-store credentials come from the environment (AWS_* variables).

    Args:
        partition: One item of plan_partitions' partitions.
        baseline_profile: The baseline profile (its options and kinds are used).
        timestamp_column: Column holding each row's time.
        window_start: Start of the window (ISO 8601, inclusive): plan_partitions' window_start.
        window_end: End of the window (ISO 8601, exclusive): plan_partitions' window_end.
        columns: Columns to profile; unset profiles all.

    Returns:
        profile: The partition's profile JSON; metadata has rows, source and partition
            (sink output with sides apart: also calls_paired_at_read and unpaired_halves).
        unpaired: Parquet of the halves of calls whose other side is not in this partition
            (no rows unless the sides were written apart); metadata has rows and the window.
        rows: Window rows in the partition.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.partitions import profile_partition_outputs

    with exit_on_error():
        return profile_partition_outputs(
            baseline_profile,
            profile,
            unpaired,
            partition=partition,
            timestamp_column=timestamp_column,
            window_start=window_start,
            window_end=window_end,
            columns=columns,
        )
