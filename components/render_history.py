"""Component: the model's monitoring-history page from the lineage store."""

from typing import NamedTuple, Optional

from kfp.dsl import HTML, Output

from driftline.components._declare import component


@component
def render_history(
    history_html: Output[HTML],
    model: str = "",
    store: Optional[str] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    limit: int = 0,
) -> NamedTuple("Outputs", [("monitoring_runs", int)]):  # type: ignore[valid-type]
    """Render one page of the model's monitoring history: drift share per window with the top
    drifted columns, validation status, performance against the training baseline, the alerts
    the reports called for, and links to each window's reports.

    Args:
        history_html: The history page, self-contained HTML (the KFP UI shows it).
        model: The model: MLMD artifact id, artifact URI, or isvc:NAMESPACE/NAME.
        store: Lineage store URI; unset = the in-cluster MLMD service.
        limit: Only the newest N monitoring runs; 0 = all of them.

    Returns:
        history_html: The history page.
        monitoring_runs: How many monitoring runs the page shows.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.lineage import render_history_outputs

    with exit_on_error():
        return render_history_outputs(history_html, model=model, store=store, limit=limit)
