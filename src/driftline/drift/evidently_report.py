"""An optional Evidently DataDriftPreset report, for users who want Evidently's visuals.

Evidently holds both tables in memory, so it runs on a bounded, seeded sample of each side;
the page says how large. driftline's verdicts always come from its own engine on all rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

import numpy as np
import pyarrow as pa

from driftline import storage
from driftline.errors import EmptyDataError, InputError
from driftline.io import read_table
from driftline.profile import is_profile_file


@dataclass(frozen=True)
class SampleSizes:
    """Rows Evidently saw of each side, out of how many."""

    reference_used: int
    reference_rows: int
    current_used: int
    current_rows: int

    def banner(self) -> str:
        """The sentence the page opens with."""
        return (
            f"Evidently DataDriftPreset on a seeded sample: {self.reference_used:,} of "
            f"{self.reference_rows:,} reference rows and {self.current_used:,} of "
            f"{self.current_rows:,} current rows. driftline's drift verdicts come from all rows."
        )


def _sample(table: pa.Table, max_rows: int, seed: int) -> pa.Table:
    if table.num_rows <= max_rows:
        return table
    rows = np.sort(np.random.default_rng(seed).choice(table.num_rows, max_rows, replace=False))
    return table.take(pa.array(rows))


def _read(source: str, side: str, columns: Sequence[str] | None, format: str | None) -> pa.Table:
    if is_profile_file(source):
        raise InputError(
            f"the {side} is a driftline profile; an Evidently report needs the {side} table rows",
            param=side,
        )
    table = read_table(source, format=format, columns=columns)
    if table.num_rows == 0:
        raise EmptyDataError(f"the {side} {source} holds no rows", param=side)
    return table


def write_evidently_report(
    reference: str,
    current: str,
    out_path: str | Path,
    *,
    max_rows: int = 10_000,
    columns: Sequence[str] | None = None,
    format: str | None = None,
    seed: int = 0,
) -> SampleSizes:
    """Run Evidently's DataDriftPreset on samples of both tables; write its self-contained page."""
    from evidently import Report
    from evidently.presets import DataDriftPreset

    if max_rows < 1:
        raise InputError(f"`max_rows` must be >= 1, got {max_rows}", param="max_rows")
    ref_table = _read(reference, "reference", columns, format)
    cur_table = _read(current, "current", columns, format)
    ref_sample = _sample(ref_table, max_rows, seed)
    cur_sample = _sample(cur_table, max_rows, seed + 1)
    sizes = SampleSizes(
        ref_sample.num_rows, ref_table.num_rows, cur_sample.num_rows, cur_table.num_rows
    )
    snapshot = Report([DataDriftPreset()]).run(
        reference_data=ref_sample.to_pandas(), current_data=cur_sample.to_pandas()
    )
    html = snapshot.get_html_str(as_iframe=False)
    note = (
        "<div style='font:14px system-ui,sans-serif;padding:8px 12px;background:#fff8c5;"
        f"border-bottom:1px solid #d4a72c'>{escape(sizes.banner())}</div>"
    )
    head, body_tag, rest = html.partition("<body>")
    storage.write_text(out_path, head + body_tag + note + rest if body_tag else note + html)
    return sizes
