"""A validation page with violations: a 2012 week of the bike data, broken the ways real
pipelines break (a sensor stuck past its range, missing humidity, an unseen weather code, a
mistyped column), checked against the profile of 2011."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = ["season", "mnth", "hr", "holiday", "weekday", "weathersit", "temp", "hum", "windspeed"]


def broken_window_page(hour_csv: Path, out: Path) -> Path:
    """Write the validation report of the broken week under `out`; returns the HTML page."""
    from driftline.profile.run import write_profile
    from driftline.validation import run_validation

    out.mkdir(parents=True, exist_ok=True)
    data = pd.read_csv(hour_csv)
    data[data.yr == 0][COLUMNS].to_csv(out / "train.csv", index=False)
    write_profile(str(out / "train.csv"), out / "profile.json")
    week = data[data.yr == 1][COLUMNS].iloc[:168].copy()
    week.loc[week.index[:40], "temp"] = 1.7  # past 2011's maximum
    week.loc[week.index[::3], "hum"] = np.nan  # a third missing
    week.loc[week.index[:5], "weathersit"] = 9  # a code 2011 never had
    week["windspeed"] = week["windspeed"].map(lambda v: f"{v:.3f} m/s")  # now text
    week.to_csv(out / "window.csv", index=False)
    run_validation(out / "profile.json", str(out / "window.csv"), out)
    return out / "validation_report.html"
