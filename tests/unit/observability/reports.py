"""Report documents following the shared contracts (drift, validation, performance)."""

from __future__ import annotations

from typing import Any


def drift_report(share: float = 0.6) -> dict[str, Any]:
    columns = [
        ("temp", "numeric", "ks", 0.001, 0.05, True, "p_value"),
        ("hum", "numeric", "wasserstein", 0.3, 0.1, True, "distance"),
        ("season", "categorical", "chisquare", 0.5, 0.05, False, "p_value"),
        ("windspeed", "numeric", "ks", float("nan"), 0.05, False, "p_value"),
        ("weathersit", "categorical", "psi", 0.25, 0.1, True, "distance"),
    ]
    # the first round(share * 5) of these drift, so the columns give `share`
    drifting = ["temp", "hum", "weathersit", "season", "windspeed"][: round(share * 5)]
    assert abs(len(drifting) / 5 - share) < 1e-9, "share must be a multiple of 0.2"
    return {
        "schema_version": "1.0",
        "kind": "drift",
        "drift_detected": share >= 0.5,
        "drift_share": share,
        "drift_share_threshold": 0.5,
        "number_of_columns": len(columns),
        "number_of_drifted_columns": len(drifting),
        "mode": "exact",
        "reference_rows": 8645,
        "current_rows": 8734,
        "prediction": None,
        "columns": [
            {
                "name": n,
                "kind": k,
                "method": m,
                "score": s,
                "threshold": t,
                "drift_detected": n in drifting,
                "direction": direction,
            }
            for n, k, m, s, t, _, direction in columns
        ],
    }


def validation_report(errors: int = 2, warnings: int = 1) -> dict[str, Any]:
    violations = [
        {"column": "temp", "check": "range", "severity": "error", "message": "out of range",
         "observed": 1.2, "expected": "[0, 1]"}
    ] * errors + [
        {"column": "hum", "check": "nulls", "severity": "warning", "message": "nulls",
         "observed": 0.1, "expected": 0.0}
    ] * warnings  # fmt: skip
    return {
        "schema_version": "1.0",
        "kind": "validation",
        "status": "fail" if errors else "warning" if warnings else "ok",
        "rows": 8734,
        "violations": violations,
        "counts": {"error": errors, "warning": warnings},
    }


def performance_report(degraded: bool = True) -> dict[str, Any]:
    def window(start: str, end: str, r2: float, mae: float) -> dict[str, Any]:
        return {
            "start": start,
            "end": end,
            "rows": 720,
            "labelled_rows": 700,
            "label_coverage": 700 / 720,
            "sufficient": True,
            "status": "ok",
            "metrics": {"r2": r2, "mae": mae},
            "degraded": r2 < 0.7,
        }

    return {
        "schema_version": "1.0",
        "kind": "performance",
        "task": "regression",
        "windows": [
            window("2012-01-01T00:00:00Z", "2012-02-01T00:00:00Z", 0.81, 40.0),
            window("2012-02-01T00:00:00Z", "2012-03-01T00:00:00Z", 0.62 if degraded else 0.8, 55.5),
        ],
        "baseline": {"r2": 0.83, "mae": 38.0},
        "degraded": degraded,
    }
