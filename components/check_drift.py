"""Component: check a window for data and prediction drift against the baseline."""

from typing import NamedTuple, Optional

from kfp.dsl import HTML, Artifact, Dataset, Input, Metrics, Output

from driftline.components._declare import component


@component
def check_drift(
    current: Input[Dataset],
    reference: Input[Artifact],
    report: Output[Artifact],
    report_html: Output[HTML],
    metrics: Output[Metrics],
    method: str = "auto",
    threshold: Optional[float] = None,  # noqa: UP045  kfp 2.13 does not parse `X | None`
    method_overrides: Optional[dict] = None,  # noqa: UP045
    threshold_overrides: Optional[dict] = None,  # noqa: UP045
    columns: Optional[list] = None,  # noqa: UP045
    drift_share: float = 0.5,
    prediction_column: Optional[str] = None,  # noqa: UP045
    timestamp_column: Optional[str] = None,  # noqa: UP045
    data_format: Optional[str] = None,  # noqa: UP045
    thresholds: str = "auto",
    threshold_quantile: float = 0.95,
    calibration_window: Optional[str] = None,  # noqa: UP045
    multivariate: Optional[str] = None,  # noqa: UP045
    reference_rows: Optional[str] = None,  # noqa: UP045
    current_rows: Optional[str] = None,  # noqa: UP045
) -> NamedTuple("Outputs", [("drift_detected", bool), ("drift_share", float)]):  # type: ignore[valid-type]
    """Check every column of a window for drift against a baseline table or profile.

    With a baseline profile (from profile_baseline) the window is
    streamed in bounded memory (profile mode); with a baseline table every row of both
    sides is used (exact mode, Evidently-identical scores). Each method declares which
    way means drift (p-value below or distance above its threshold).

    Args:
        current: The production window (Parquet from load_window, or any table), or its
            profile from profile_window (profile mode; the window is not read again).
        reference: The baseline: a driftline profile JSON or a table (Dataset).
        method: Method for every column: auto (driftline's policy), evidently (Evidently
            0.7's default choice), ks, chi2, z, chi2_contingency,
            psi, jensenshannon, wasserstein, hellinger, kl_div, l_infinity,
            cramer_von_mises, anderson, tvd, TVD, fisher_exact, g_test, mannw, t_test, ed,
            es, empirical_mmd.
        threshold: Threshold for every column; unset (or 0) uses each method's default.
        method_overrides: Per-column methods, column -> method.
        threshold_overrides: Per-column thresholds, column -> threshold.
        columns: Columns to check; unset checks every baseline column except the timestamp.
        drift_share: Share of drifted columns at which the dataset counts as drifted.
        prediction_column: The model's output column, checked and reported on its own.
        timestamp_column: The window's time column, never checked.
        data_format: Format of table inputs: parquet, csv or jsonl; unset detects it.
        thresholds: fixed (each method's default, or threshold), calibrated (a quantile of
            each column's score on chunks of the reference: stored in a baseline profile
            built with a calibration_window, computed here for a baseline table), or auto
            (calibrated when the baseline profile holds a calibration, else fixed).
        threshold_quantile: Calibrated thresholds: this quantile of distances (1 minus it
            of p-values), in (0.5, 1).
        calibration_window: Baseline table only: chunk size, rows (500) or a period on
            timestamp_column (1d); unset uses the window's row count.
        multivariate: Dataset-level methods run on all checked columns together (except
            the prediction): classifier (gradient-boosting domain classifier, cross-validated
            ROC AUC), pca (reconstruction error), or classifier,pca. They need rows: a
            baseline table (exact mode), or with a baseline profile reference_rows (and
            current_rows when current is a window profile); else the step fails with a clear
            error. Either method finding drift makes the dataset drift.
        reference_rows: URI or path of the baseline table the multivariate methods read in
            profile mode (local, s3://, gs://, minio://).
        current_rows: URI or path of the window table they read when current is a window
            profile.

    Returns:
        report: drift_report.json; metadata: drift_detected, drift_share, drifted_columns
            (and multivariate_drifted: the multivariate methods that found drift).
        report_html: The drift report as a self-contained HTML page.
        metrics: The drift share, the number of drifted columns, each column's score and
            each multivariate method's score.
        drift_detected: True when the share of drifted columns reaches drift_share.
        drift_share: The share of drifted columns.
    """
    from driftline.exits import exit_on_error
    from driftline.platforms.kfp.steps.drift import check_drift_outputs

    with exit_on_error():
        return check_drift_outputs(
            current=current,
            reference=reference,
            report=report,
            report_html=report_html,
            metrics=metrics,
            method=method,
            threshold=threshold,
            method_overrides=method_overrides,
            threshold_overrides=threshold_overrides,
            columns=columns,
            drift_share=drift_share,
            prediction_column=prediction_column,
            timestamp_column=timestamp_column,
            data_format=data_format,
            thresholds=thresholds,
            threshold_quantile=threshold_quantile,
            calibration_window=calibration_window,
            multivariate=multivariate,
            reference_rows=reference_rows,
            current_rows=current_rows,
        )
