"""Model Monitor baselines as driftline files and back: what the `driftline sagemaker` CLI runs."""

from __future__ import annotations

from pathlib import Path

from driftline.platforms.sagemaker.constraints import (
    DriftSettings,
    ImportedConstraints,
    load_constraints_file,
    to_constraints,
)
from driftline.platforms.sagemaker.files import write_all, write_json
from driftline.platforms.sagemaker.statistics import load_statistics, to_statistics
from driftline.platforms.sagemaker.violations import VIOLATIONS_FILE, to_violations
from driftline.profile import DatasetProfile
from driftline.report import DriftReport, ValidationReport
from driftline.validation import infer_constraints, load_constraints

Source = str | Path


def import_baseline(
    statistics: Source,
    constraints: Source | None,
    out_profile: Path,
    out_constraints: Path | None = None,
) -> tuple[DatasetProfile, ImportedConstraints]:
    """Write a Model Monitor baseline as a driftline profile (and constraints file).

    Without `constraints`, the constraints are inferred from the imported profile, as driftline
    infers them from any baseline. The constraints file is driftline's format (what
    `--constraints` / `constraints_path` take); nothing is written when an input is bad.
    """
    profile = load_statistics(statistics)
    imported = (
        load_constraints_file(constraints)
        if constraints is not None
        else ImportedConstraints(infer_constraints(profile, expected_rows=0))
    )
    documents: dict[Path, object] = {out_profile: profile.to_dict()}
    if out_constraints is not None:
        documents[out_constraints] = imported.constraints.to_dict()
    write_all(documents)
    return profile, imported


def export_baseline(
    profile_path: Source,
    out_dir: Path,
    *,
    constraints_path: Source | None = None,
    drift: DriftSettings | None = None,
    expected_rows: int | None = 0,
) -> list[Path]:
    """Write a driftline profile as `statistics.json` and `constraints.json` in `out_dir`.

    The constraints are inferred from the profile (`expected_rows` as in `infer_constraints`)
    and overridden by `constraints_path` when given.
    """
    profile = DatasetProfile.load(profile_path)
    constraints = infer_constraints(profile, expected_rows=expected_rows)
    if constraints_path is not None:
        constraints = load_constraints(constraints_path, constraints)
    return write_all(  # the pair together: never one file of a new baseline beside an old one
        {
            out_dir / "statistics.json": to_statistics(profile),
            out_dir / "constraints.json": to_constraints(constraints, profile, drift),
        }
    )


def export_violations(
    out: Path,
    *,
    validation_report: Source | None = None,
    drift_report: Source | None = None,
    window_profile: Source | None = None,
) -> tuple[Path, int]:
    """Write a window's driftline reports as a `constraint_violations.json` file; returns the
    file and its number of violations."""
    validation = ValidationReport.load(validation_report) if validation_report else None
    drift = DriftReport.load(drift_report) if drift_report else None
    window = DatasetProfile.load(window_profile) if window_profile else None
    target = out / VIOLATIONS_FILE if out.is_dir() else out
    document = to_violations(validation, drift, window=window)
    return write_json(target, document), len(document["violations"])
