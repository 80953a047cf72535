"""Hostile input to drift checks (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner

from driftline.cli import main
from driftline.drift import all_methods, check_drift
from driftline.errors import InputError
from driftline.io import ColumnKind
from driftline.profile import profile_batches


@pytest.fixture(scope="module")
def days(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A weekday column stored as integers 0-6, that users profile as categorical."""
    folder = tmp_path_factory.mktemp("kinds")
    rng = np.random.default_rng(11)
    paths = {}
    for name, weights in (("ref", [1 / 7] * 7), ("cur", [0.4, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])):
        frame = pd.DataFrame({"day": rng.choice(7, 2000, p=weights), "x": rng.normal(0, 1, 2000)})
        paths[name] = folder / f"{name}.parquet"
        frame.to_parquet(paths[name])
    return paths


def test_drift_adopts_the_kind_overrides_of_the_baseline_profile(days: dict[str, Path]) -> None:
    """Issue 12: after `profile --kind day=categorical`, `drift --reference-profile` exits 2
    ("column 'day' changed type"); drift must adopt the baseline profile's kinds."""
    runner = CliRunner()
    profile = days["ref"].parent / "profile.json"
    made = runner.invoke(
        main, ["profile", str(days["ref"]), "--kind", "day=categorical", "--out", str(profile)]
    )
    assert made.exit_code == 0, made.output
    out = days["ref"].parent / "report"
    done = runner.invoke(
        main,
        ["drift", "--reference-profile", str(profile), "--current", str(days["cur"]),
         "--out", str(out)],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    report = json.loads((out / "drift_report.json").read_text())
    day = next(c for c in report["columns"] if c["name"] == "day")
    assert day["kind"] == "categorical" and day["drift_detected"]
    assert set(day["reference"]["top_shares"]) == {str(d) for d in range(7)}


def test_check_drift_adopts_profile_kinds_and_refuses_a_different_one(
    days: dict[str, Path],
) -> None:
    """The same through the library: profile_batches(kinds=...) then check_drift."""
    ref, cur = (pd.read_parquet(days[k]) for k in ("ref", "cur"))
    profile = profile_batches(pa.Table.from_pandas(ref).to_batches(), {"day": "categorical"})
    result = check_drift(profile, pa.Table.from_pandas(cur))
    assert {c.name: c.kind for c in result.columns} == {"day": "categorical", "x": "numeric"}
    with pytest.raises(InputError, match="kind 'numeric' for column 'day' differs"):
        check_drift(profile, pa.Table.from_pandas(cur), kinds={"day": "numeric"})


@pytest.fixture(scope="module")
def huge(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Values around 1e160 (their squares overflow), shifted by 5 standard deviations."""
    folder = tmp_path_factory.mktemp("huge")
    rng = np.random.default_rng(3)
    paths = {}
    for name, mean in (("ref", 1.0), ("cur", 1.5)):
        paths[name] = folder / f"{name}.parquet"
        pd.DataFrame({"x": rng.normal(mean, 0.1, 3000) * 1e160}).to_parquet(paths[name])
    paths["profile"] = folder / "profile.json"
    profile_batches(pa.Table.from_pandas(pd.read_parquet(paths["ref"])).to_batches()).save(
        paths["profile"]
    )
    return paths


@pytest.mark.parametrize("reference", ["--reference", "--reference-profile"])
def test_exact_drift_flags_a_5_sd_shift_of_values_near_1e160(
    huge: dict[str, Path], reference: str, tmp_path: Path
) -> None:
    """Issue 12: "Exact-mode drift misses a shift of 5 standard deviations when values are
    around 1e160: the reference standard deviation overflows, the score becomes 0 and the
    run exits 0 under --fail-on-drift." Both modes agree on a score of about 5."""
    source = huge["ref"] if reference == "--reference" else huge["profile"]
    done = CliRunner().invoke(
        main,
        ["drift", reference, str(source), "--current", str(huge["cur"]), "--out", str(tmp_path),
         "--fail-on-drift", "--method", "evidently"],
    )  # fmt: skip
    assert done.exit_code == 3, done.output
    [column] = json.loads((tmp_path / "drift_report.json").read_text())["columns"]
    assert column["method"] == "wasserstein" and 4.5 < column["score"] < 5.5
    assert 0.9e159 < column["reference"]["std"] < 1.1e159  # finite, right
    edges = column["reference"]["histogram_edges"]
    assert (np.diff(edges) > 0).all()


# chi2 and z refuse continuous columns; ed grows with the square root of the scale
SCALE_FREE = [
    m.name
    for m in all_methods()
    if ColumnKind.NUMERIC in m.kinds and m.name not in ("chi2", "z", "ed")
]


@pytest.mark.parametrize("method", SCALE_FREE)
def test_drift_scores_do_not_depend_on_the_magnitude_of_values(method: str) -> None:
    """Scaling every value by 2**500 (about 3e150) or 2**1000 leaves each score unchanged
    (energy distance, in the values' units, scales with them), without numpy warnings."""
    rng = np.random.default_rng(4)
    ref, cur = rng.normal(0, 1, 800), rng.normal(0.3, 1.2, 600)
    scores = [
        check_drift(pa.table({"x": ref * 2.0**p}), pa.table({"x": cur * 2.0**p}), method=method)
        .columns[0]
        .score
        for p in (0, 500, 1000)
    ]
    # Energy distance is in the values' units (it grows with the square root of their scale).
    growth = [2.0 ** (p / 2) if method == "ed" else 1.0 for p in (500, 1000)]
    assert scores[1:] == pytest.approx([scores[0] * g for g in growth], rel=1e-12)


def test_energy_distance_scales_with_the_values_and_stays_finite() -> None:
    rng = np.random.default_rng(4)
    ref, cur = rng.normal(0, 1, 800), rng.normal(0.3, 1.2, 600)
    scores = [
        check_drift(pa.table({"x": ref * 2.0**p}), pa.table({"x": cur * 2.0**p}), method="ed")
        .columns[0]
        .score
        for p in (0, 500, 1000)
    ]
    # scipy's energy distance grows with the square root of the scale
    assert scores[1:] == pytest.approx([scores[0] * 2.0**250, scores[0] * 2.0**500], rel=1e-12)


def test_the_drift_page_shows_the_rule_each_method_applies() -> None:
    """Issue 12: "A drift HTML page says 'p < 0.05' for KS, which drifts at p ≤ threshold.
    Show the rule the method really applies." The rule shown decides the verdict shown."""
    from driftline.drift import render_drift_html

    rng = np.random.default_rng(8)
    ref = pa.table({"x": rng.normal(0, 1, 300), "y": rng.normal(0, 1, 300), "c": ["a", "b"] * 150})
    cur = pa.table({"x": rng.normal(0, 1, 200), "y": rng.normal(0, 1, 200), "c": ["a", "b"] * 100})
    result = check_drift(
        ref, cur, method={"x": "ks", "y": "psi", "c": "chi2"}, prediction_column="x"
    )
    page = render_drift_html(result)
    rows = {c.name: c for c in result.columns}
    for column, rule in (("x", "p ≤"), ("y", "d ≥"), ("c", "p &lt;")):
        assert f"{rule} {rows[column].threshold:.4f}" in page, column
    assert page.count("p ≤") == 2  # ks only: its row and the prediction's line
    assert "drift if p ≤ 0.0500" in page
