"""Sample component: count a table's rows with driftline.io (a real library call)."""

from kfp import dsl
from kfp.dsl import Artifact, Dataset, Input, Output

from driftline.components.image import IMAGE


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def count_rows(table: Input[Dataset], summary: Output[Artifact], table_format: str = "") -> int:
    """Count the rows of a table.

    Args:
        table: Any table driftline.io reads (CSV, Parquet, JSON lines).
        table_format: Format name; empty means detect it from the file name.

    Returns:
        The number of rows. `summary` gets the count in its metadata (`rows`).
    """
    from driftline.io import read_table

    rows = read_table(table.path, format=table_format or None).num_rows
    summary.metadata["rows"] = rows
    return rows
