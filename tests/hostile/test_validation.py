"""Issue 12, validation: what the validation page shows, and what constant columns allow."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from driftline.profile import profile_source
from driftline.validation import run_validation

RAW_FLOAT = 0.31491199999999997  # what 0.1 * 3.14912 gives; repr shows every digit


class _Cells(HTMLParser):
    """The text of every table cell, row by row (an independent reading of the page)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _validate(tmp_path: Path, baseline: pa.Table, window: pa.Table, **options: int) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    pq.write_table(baseline, tmp_path / "baseline.parquet")
    pq.write_table(window, tmp_path / "window.parquet")
    profile = profile_source(str(tmp_path / "baseline.parquet")).save(tmp_path / "profile.json")
    run_validation(profile, str(tmp_path / "window.parquet"), tmp_path / "out", **options)
    return tmp_path / "out"


def test_observed_and_expected_cells_show_raw_floats(tmp_path: Path) -> None:
    """Validation observed/expected cells show raw floats (`0.31491199999999997`)."""
    baseline = pa.table({"x": np.linspace(0.0, 0.25, 1000)})
    window = pa.table({"x": np.append(np.linspace(0.0, 0.2, 1499), RAW_FLOAT)})
    out = _validate(tmp_path, baseline, window, expected_rows=20_000)
    cells = _Cells()
    cells.feed((out / "validation_report.html").read_text(encoding="utf-8"))
    # grouped by column: severity, check, message, observed, expected
    rows = {row[1]: row for row in cells.rows if len(row) == 5}  # check -> row
    observed, expected = rows["range"][3], rows["range"][4]
    assert repr(RAW_FLOAT) not in observed
    assert observed.startswith("[0, 0.3149]") and "outside share 0.0667 %" in observed
    assert expected == "[-0.025, 0.275]"
    assert rows["row_count"][3] == "1,500"
    assert rows["row_count"][4] == "[10,000, 30,000]"
    # the JSON keeps the exact number
    assert str(RAW_FLOAT) in (out / "validation_report.json").read_text(encoding="utf-8")


def test_constant_columns_get_an_absolute_range_tolerance(tmp_path: Path) -> None:
    """Constant columns get a ±0.1 absolute range tolerance, which misses changes in columns
    whose values stay under 0.1."""
    baseline = pa.table({"rate": [0.05] * 100})
    changed = _validate(tmp_path / "changed", baseline, pa.table({"rate": [0.12] * 100}))
    report = (changed / "validation_report.json").read_text(encoding="utf-8")
    assert '"check": "range"' in report
    same = _validate(tmp_path / "same", baseline, pa.table({"rate": [0.052] * 100}))
    assert '"violations": []' in (same / "validation_report.json").read_text(encoding="utf-8")
