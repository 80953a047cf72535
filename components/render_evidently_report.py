"""Component: an Evidently DataDriftPreset page on bounded samples, for Evidently's visuals."""

from kfp import dsl
from kfp.dsl import HTML, Dataset, Input, Output

from driftline.components.image import IMAGE


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def render_evidently_report(
    current: Input[Dataset],
    reference: Input[Dataset],
    report_html: Output[HTML],
    max_rows: int = 10000,
    columns: list = [],  # noqa: B006  KFP takes the default from the signature
    data_format: str = "",
) -> int:
    """Render Evidently's DataDriftPreset report for users who want its visuals.

    Evidently holds both tables in memory, so it sees a seeded sample of at most max_rows
    rows per side; the page opens with the sample sizes. Verdicts for alerts and MLMD come
    from check_drift, which uses every row.

    Args:
        current: The production window (table).
        reference: The baseline table (a driftline profile will not do: Evidently needs rows).
        max_rows: Most rows Evidently sees per side.
        columns: Columns to include; empty includes all.
        data_format: parquet, csv or jsonl; empty detects it from the file name.

    Returns:
        report_html: Evidently's self-contained HTML page with the sample sizes on top.
        Output: Rows of the current window Evidently saw.
    """
    from driftline.exits import exit_on_error
    from driftline.report.evidently_report import write_evidently_report

    with exit_on_error():
        sizes = write_evidently_report(
            reference.path,
            current.path,
            report_html.path,
            max_rows=max_rows,
            columns=columns or None,
            format=data_format or None,
        )
        report_html.metadata.update(
            {"reference_rows_used": sizes.reference_used, "current_rows_used": sizes.current_used}
        )
        return sizes.current_used
