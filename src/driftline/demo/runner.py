"""The local main job: the scheduled-monitoring story on the demo data, with nothing but this repo.

A bike-demand model is trained on 2011 and its training run recorded in a local SQLite
ML Metadata store exactly as the KFP backend records one (dataset -> execution ->
model). Then the monitoring core of the scheduled pipeline runs in `kfp.local` once per
window of 2012 production traffic, as a schedule would, and everything lands in MLMD.
"""

from __future__ import annotations

import contextlib
import shutil
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from driftline.demo import dataset as demo
from driftline.errors import DriftlineError
from driftline.report import DriftReport, PerformanceReport, ValidationReport

MODEL_NAME = "bike-demand"
NAMESPACE = "demo"
FIRST_WINDOW_END = datetime(2012, 1, 29, tzinfo=UTC)
WINDOW = timedelta(days=28)
WINDOWS = 13  # 4-week windows covering 2012


@dataclass(frozen=True)
class WindowOutcome:
    """What one monitoring run found."""

    start: str
    end: str
    rows: int
    validation_status: str
    violations: int
    drift_share: float
    drifted: list[str]
    mae: float | None
    degraded: bool
    drift_html: str
    validation_html: str
    performance_html: str
    history_html: str


def _outcome(run: Any) -> WindowOutcome:
    drift = DriftReport.load(run.outputs["drift_report"].path)
    validation = ValidationReport.load(run.outputs["validation_report"].path)
    performance = PerformanceReport.load(run.outputs["performance_report"].path)
    current = performance.current
    report_dir = Path(run.outputs["drift_report"].path).parent.parent
    return WindowOutcome(
        start=run.outputs["window_start"][:10],
        end=run.outputs["window_end"][:10],
        rows=drift.current_rows,
        validation_status=validation.status,
        violations=len(validation.violations),
        drift_share=drift.drift_share,
        drifted=drift.drifted_columns,
        mae=current.metrics.get("mae") if current else None,
        degraded=performance.degraded,
        drift_html=str(report_dir / "check-drift" / "report_html"),
        validation_html=str(report_dir / "validate-data" / "report_html"),
        performance_html=str(report_dir / "compute-performance" / "report_html"),
        history_html=str(report_dir / "render-history" / "history_html"),
    )


@contextlib.contextmanager
def _logged_to(log: Path) -> Iterator[None]:
    """Send kfp.local's task logs to `log`; on a failed task say where to read why."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as handle, contextlib.redirect_stdout(handle):
        try:
            yield
        except RuntimeError as exc:
            raise DriftlineError(f"{exc} (task logs: {log})") from None


def format_table(outcomes: list[WindowOutcome], training_mae: float) -> str:
    """The demo's summary table, one line per window."""
    header = (
        f"{'window':<24} {'rows':>5} {'validation':<14} {'drift':>6}  "
        f"{'MAE':>6} {'vs train':>8}  top drifted features"
    )
    lines = [header, "-" * len(header)]
    for o in outcomes:
        mae = f"{o.mae:6.1f}" if o.mae is not None else "     -"
        ratio = f"{o.mae / training_mae:7.2f}x" if o.mae is not None else "       -"
        flag = "!" if o.degraded else " "
        lines.append(
            f"{o.start + ' .. ' + o.end:<24} {o.rows:>5} "
            f"{o.validation_status + f' ({o.violations})':<14} {o.drift_share:>6.0%}  "
            f"{mae} {ratio}{flag} {', '.join(o.drifted[:4])}"
        )
    return "\n".join(lines)


def run_demo(
    workdir: str | Path = ".demo",
    *,
    windows: int = WINDOWS,
    echo: Callable[[str], None] = print,
) -> list[WindowOutcome]:
    """Prepare the demo, record the training run, monitor `windows` windows; returns them."""
    from kfp import local

    # The components name the production image; locally they run in this environment.
    warnings.filterwarnings("ignore", message=".*custom or non-Python base image", module="kfp")

    from driftline.lineage import open_store
    from driftline.lineage.mlmd.kfp_records import record_training_run
    from driftline.pipelines.deployment import deploy_and_baseline
    from driftline.pipelines.scheduled_monitoring import monitor_window

    started = time.monotonic()
    work = Path(workdir).resolve()
    shutil.rmtree(work, ignore_errors=True)
    echo(f"driftline demo in {work}")
    files = demo.prepare(work / "data")
    echo(
        f"  trained {MODEL_NAME} on 2011 (holdout MAE {files.training_metrics['mae']:.1f}, "
        f"R2 {files.training_metrics['r2']:.2f}); 2012 traffic logged with predictions"
    )
    store = f"sqlite://{work / 'mlmd.sqlite'}"
    training = record_training_run(
        open_store(store),
        dataset_uri=str(files.training),
        model_uri=str(files.model.parent),
        metrics=files.training_metrics,
        pipeline_name="bike-demand-training",
        run_id=str(uuid.uuid4()),
    )
    echo(f"  training run recorded in ML Metadata ({store}) as KFP records one")

    local.init(
        runner=local.SubprocessRunner(use_venv=False),
        pipeline_root=str(work / "pipeline_root"),
        raise_on_error=True,
    )
    echo("  deployment pipeline, dry run (no cluster) ...")
    with _logged_to(work / "logs" / "deployment.log"):
        deploy_and_baseline(
            model_uri=str(files.model.parent),
            isvc_name=MODEL_NAME,
            namespace=NAMESPACE,
            store=store,
            dry_run=True,
        )
    manifests = next((work / "pipeline_root").glob("*/setup-monitoring/manifests"))
    echo("    baseline profile of the training data recorded in ML Metadata; InferenceService")
    echo(f"    and monitoring manifests in {manifests.relative_to(work)}")
    outcomes = []
    for index in range(windows):
        end = FIRST_WINDOW_END + index * WINDOW
        echo(f"  [{index + 1:>2}/{windows}] monitoring the 28 days before {end:%Y-%m-%d} ...")
        log = work / "logs" / f"window-{index + 1:02d}.log"
        with _logged_to(log):
            run = monitor_window(
                model=str(files.model.parent),
                source_uri=str(files.production),
                window_end=end.isoformat(),
                store=store,
                timestamp_column=demo.TIMESTAMP,
                window_length="28d",
                columns=[*demo.FEATURES, demo.PREDICTION],
                prediction_column=demo.PREDICTION,
                id_column=demo.ID,
                labels_uri=str(files.labels),
                label_column=demo.TARGET,
                task="regression",
                performance_window="7d",
                expected_rows=28 * 24,  # hourly traffic
                model_name=MODEL_NAME,
                namespace=NAMESPACE,
                run_id=f"demo-window-{index + 1:02d}",
            )
        outcomes.append(_outcome(run))
    echo("")
    echo(format_table(outcomes, files.training_metrics["mae"]))
    echo("")
    echo("HTML reports (open in a browser; the KFP UI shows the same pages):")
    for o in outcomes:
        echo(f"  {o.start}: {o.drift_html}")
    echo(f"  (validation and performance pages sit beside them; model id {training.model_id})")
    if outcomes:
        echo(
            f"History page of the model (every window, alerts, links): {outcomes[-1].history_html}"
        )
    echo(
        f"The same history from ML Metadata: driftline history {training.model_id} --store {store}"
    )
    echo(f"KFP task logs: {work / 'logs'}")
    echo(f"done in {time.monotonic() - started:.0f} s")
    return outcomes
