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
from driftline.drift import check_drift
from driftline.errors import InputError
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
