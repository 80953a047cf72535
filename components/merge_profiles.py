"""Component: merge the partitions' profiles into the window's profile."""

from typing import NamedTuple

from kfp.dsl import Artifact, Input, Output

from driftline.components._declare import component


@component
def merge_profiles(
    profiles: Input[list[Artifact]],
    profile: Output[Artifact],
    min_rows: int = 1,
) -> NamedTuple("Outputs", [("rows", int)]):  # type: ignore[valid-type]
    """Merge profiles of disjoint partitions (e.g. dsl.Collected profile_partition outputs).

    Counts, histograms (sketch buckets), exact values and category frequencies merge
    exactly, so the result equals the one-pass profile of the whole window in them and in
    every quantile read from them; means and standard deviations to rounding.

    Args:
        profiles: The partitions' profiles (same columns and options).
        min_rows: Fewest rows the window must hold; fewer fails the task, writing nothing.

    Returns:
        profile: The window profile; metadata has rows, execution ("fan-out") and
            partitions (how many were merged).
        rows: Rows in the window.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.partitions import merge_profiles_outputs

    with exit_on_error():
        return merge_profiles_outputs(profiles, profile, min_rows=min_rows)
