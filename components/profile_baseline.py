"""Component: profile a baseline dataset into a mergeable driftline profile."""

from kfp import dsl
from kfp.dsl import Artifact, Dataset, Input, Output

from driftline.components.image import IMAGE


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def profile_baseline(
    dataset: Input[Dataset],
    profile: Output[Artifact],
    data_format: str = "",
    columns: list = [],  # noqa: B006  KFP takes the default from the signature
    kinds: dict = {},  # noqa: B006
    recorded_profile: str = "",
) -> int:
    """Profile a baseline dataset (e.g. the training data) in one streaming pass.

    The profile (versioned JSON: per-column counts, nulls, moments, quantile sketch,
    histogram, category frequencies) is enough to validate windows and check drift
    without re-reading the baseline.

    Args:
        dataset: The baseline table: Parquet file or folder, CSV or JSON lines.
        data_format: parquet, csv or jsonl; empty detects it from the file name.
        columns: Columns to profile; empty profiles all.
        kinds: Column kind overrides, column -> numeric|categorical|boolean|datetime|text.
        recorded_profile: Path of a profile recorded earlier for this baseline (resolve_baseline's
            profile_uri); when given it is reused instead of re-reading the dataset.

    Returns:
        profile: The baseline profile JSON; metadata has kind, schema_version, rows.
        Output: The number of rows profiled.
    """
    from driftline.exits import exit_on_error
    from driftline.profile import write_profile

    with exit_on_error():
        result = write_profile(
            dataset.path,
            profile.path,
            format=data_format or None,
            columns=columns,
            kinds=kinds,
            recorded=recorded_profile or None,
        )
        profile.metadata.update(
            {
                "kind": "profile",
                "schema_version": result.schema_version,
                "rows": result.row_count,
                "source": dataset.uri,
            }
        )
        return result.row_count
