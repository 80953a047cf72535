"""Component: an Evidently DataDriftPreset page on bounded samples, for Evidently's visuals."""

from typing import NamedTuple, Optional

from kfp.dsl import HTML, Dataset, Input, Output

from driftline.components._declare import component


@component
def render_evidently_report(
    current: Input[Dataset],
    reference: Input[Dataset],
    report_html: Output[HTML],
    max_rows: int = 10000,
    columns: Optional[list] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    data_format: Optional[str] = None,  # noqa: UP045
) -> NamedTuple("Outputs", [("current_rows_used", int)]):  # type: ignore[valid-type]
    """Render Evidently's DataDriftPreset report for users who want its visuals.

    Evidently holds both tables in memory, so it sees a seeded sample of at most max_rows
    rows per side; the page opens with the sample sizes. Verdicts for alerts and MLMD come
    from check_drift, which uses every row.

    Args:
        current: The production window (table).
        reference: The baseline table (a driftline profile will not do: Evidently needs rows).
        max_rows: Most rows Evidently sees per side.
        columns: Columns to include; unset includes all.
        data_format: parquet, csv or jsonl; unset detects it from the file name.

    Returns:
        report_html: Evidently's self-contained HTML page with the sample sizes on top.
        current_rows_used: Rows of the current window Evidently saw.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.data import render_evidently_report_outputs

    with exit_on_error():
        return render_evidently_report_outputs(
            current,
            reference,
            report_html,
            max_rows=max_rows,
            columns=columns,
            data_format=data_format,
        )
