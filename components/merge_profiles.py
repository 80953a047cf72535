"""Component: merge the partitions' profiles into the window's profile."""

from typing import NamedTuple, Optional

from kfp.dsl import Artifact, Dataset, Input, Output

from driftline.components._declare import component


@component
def merge_profiles(
    profiles: Input[list[Artifact]],
    profile: Output[Artifact],
    unpaired: Optional[Input[list[Dataset]]] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    min_rows: int = 1,
) -> NamedTuple("Outputs", [("rows", int)]):  # type: ignore[valid-type]
    """Merge profiles of disjoint partitions (e.g. dsl.Collected profile_partition outputs).

    Counts, histograms (sketch buckets), exact values and category frequencies merge
    exactly, so the result equals the one-pass profile of the whole window in them and in
    every quantile read from them; means and standard deviations to rounding. The halves
    of calls the partitions could not pair (the log sink's replicas wrote the sides apart)
    are paired together here and profiled into the window, so the result equals one task
    pairing the whole window; halves with no other side stay rows and are counted.

    Args:
        profiles: The partitions' profiles (same columns and options).
        unpaired: The partitions' leftover halves (dsl.Collected profile_partition unpaired).
        min_rows: Fewest rows the window must hold; fewer fails the task, writing nothing.

    Returns:
        profile: The window profile; metadata has rows, execution ("fan-out") and
            partitions (how many were merged); sink output with sides apart also
            calls_paired_at_read, unpaired_requests and unpaired_responses.
        rows: Rows in the window.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.partitions import merge_profiles_outputs

    with exit_on_error():
        return merge_profiles_outputs(profiles, profile, unpaired=unpaired, min_rows=min_rows)
