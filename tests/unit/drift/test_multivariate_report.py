"""Multivariate drift through `driftline drift --multivariate`, run_drift and the report:
the JSON section round-trips, the page shows it, profile mode needs rows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from driftline.cli import main
from driftline.drift import run_drift
from driftline.errors import InputError
from driftline.profile import profile_batches
from driftline.report import DriftReport, load_report


def correlated(n: int, correlation: float, seed: int) -> pa.Table:
    """x, y standard normal with the given correlation, a categorical and a prediction."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    y = correlation * x + np.sqrt(1 - correlation**2) * rng.standard_normal(n)
    return pa.table(
        {
            "x": x,
            "y": y,
            "shop": rng.choice(["a", "b", "c"], size=n),
            "score": rng.random(n),
        }
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("multivariate")
    paths = {name: root / f"{name}.parquet" for name in ("ref", "cur")}
    pq.write_table(correlated(3000, 0.0, 1), paths["ref"])
    pq.write_table(correlated(3000, 0.8, 2), paths["cur"])
    paths["profile"] = root / "profile.json"
    profile_batches(correlated(3000, 0.0, 1).to_batches()).save(paths["profile"])
    return paths


def test_cli_reports_multivariate_drift_that_no_column_shows(files, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = CliRunner().invoke(
        main,
        [
            "drift", "--reference", str(files["ref"]), "--current", str(files["cur"]),
            "--out", str(out), "--multivariate", "classifier,pca",
            "--prediction-column", "score", "--fail-on-drift",
        ],
    )  # fmt: skip
    assert run.exit_code == 3, run.output  # the dataset drifts through the classifier
    assert "0/4 columns drifted" in run.output
    assert "multivariate classifier: drift" in run.output
    doc = json.loads((out / "drift_report.json").read_text())
    assert doc["schema_version"] == "1.1" and doc["drift_detected"] is True
    assert doc["number_of_drifted_columns"] == 0
    found = {m["method"]: m for m in doc["multivariate"]}
    assert set(found) == {"classifier", "pca"}
    classifier = found["classifier"]
    assert classifier["status"] == "drift" and classifier["columns"] == ["x", "y", "shop"]
    assert {f["name"] for f in classifier["features"][:2]} == {"x", "y"}
    assert classifier["score"] > classifier["threshold"] and classifier["p_value"] < 0.05
    report = load_report(out)
    assert isinstance(report, DriftReport) and report.to_dict() == doc
    html = (out / "drift_report.html").read_text()
    assert "<h2>Multivariate drift</h2>" in html
    assert "aria-label='classifier: contribution per column'" in html
    assert "http://" not in html and "<script" not in html


def test_a_document_without_the_section_reads_as_before(files, tmp_path: Path) -> None:
    result = run_drift(reference=str(files["ref"]), current=str(files["cur"]), out_dir=tmp_path)
    doc = json.loads((tmp_path / "drift_report.json").read_text())
    assert doc["multivariate"] == [] and not result.drift_detected
    old = {k: v for k, v in doc.items() if k != "multivariate"} | {"schema_version": "1.0"}
    assert DriftReport.from_document(old).multivariate == []


def test_a_stated_verdict_that_ignores_the_multivariate_section_is_refused(
    files, tmp_path: Path
) -> None:
    run_drift(
        reference=str(files["ref"]), current=str(files["cur"]), out_dir=tmp_path,
        multivariate="classifier",
    )  # fmt: skip
    doc = json.loads((tmp_path / "drift_report.json").read_text())
    with pytest.raises(InputError, match="drift_detected False"):
        DriftReport.from_document({**doc, "drift_detected": False})


def test_profile_mode_needs_rows_and_uses_them_when_given(files, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"needs the rows of both sides.*reference_rows"):
        run_drift(
            reference_profile=str(files["profile"]), current=str(files["cur"]),
            out_dir=tmp_path / "refused", multivariate="pca",
        )  # fmt: skip
    assert not (tmp_path / "refused").exists()  # nothing half-written
    result = run_drift(
        reference_profile=str(files["profile"]), current=str(files["cur"]),
        out_dir=tmp_path / "rows", multivariate="classifier", reference_rows=str(files["ref"]),
    )  # fmt: skip
    assert result.mode == "profile" and result.multivariate[0].drift_detected


def test_cli_names_a_bad_method(files, tmp_path: Path) -> None:
    run = CliRunner().invoke(
        main,
        [
            "drift", "--reference", str(files["ref"]), "--current", str(files["cur"]),
            "--out", str(tmp_path), "--multivariate", "classifier,umap",
        ],
    )  # fmt: skip
    assert run.exit_code == 2
    assert "unknown multivariate method 'umap'; valid: classifier, pca" in run.output
