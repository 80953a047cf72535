"""Three real `driftline sink` processes behind a round-robin sender write the sides of calls
apart, around an hour boundary; the fanned-out window (partitions pair what they hold, the
merge pairs their leftovers) gives the profile and pairing counts of the single-task window."""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import requests

from driftline.io.export import export_window
from driftline.io.partitions import plan_partitions
from driftline.profile import profile_source
from driftline.profile.paired import profile_leftovers, profile_paired_partition
from driftline.profile.partitioned import merge_all
from tests.integration.test_sink_crash import free_port, start_sink
from tests.partitioned import assert_same_profile
from tests.unit.sink.kserve import logger_event

pytestmark = pytest.mark.integration
CALLS = 600
HOUR = datetime(2026, 4, 2, 8, tzinfo=UTC)
OPTIONS = ("--pair-timeout", "0", "--batch-age", "0.2", "--batch-rows", "50")


def _send(ports: list[int]) -> None:
    """Calls from 07:50 to 08:10 (event times), each side to the next replica; a few
    responses come 6 minutes late and a few sides are never sent."""
    rng = np.random.default_rng(4)
    session = requests.Session()
    turn = 0
    moments = sorted(rng.uniform(-600, 600, CALLS))
    for i, offset in enumerate(moments):
        at = HOUR + timedelta(seconds=float(offset))
        late = rng.random() < 0.03
        answer = at + timedelta(seconds=float(rng.uniform(0.01, 1.5)) + (360 if late else 0))
        instances = [[float(v) for v in rng.normal(0, 1, 4)] for _ in range(2)]
        sides = [
            ("request", {"instances": instances}, at),
            ("response", {"predictions": [i % 3, (i + 1) % 3]}, answer),
        ]
        lost = rng.random()
        if lost < 0.02:
            sides = sides[1:]
        elif lost > 0.97:
            sides = sides[:1]
        for kind, body, when in sides:
            headers, content = logger_event(kind, f"call-{i:05d}", body, time=when)
            reply = session.post(
                f"http://127.0.0.1:{ports[turn % 3]}/", headers=headers, data=content, timeout=30
            )
            assert reply.status_code == 200, reply.text
            turn += 1


def test_fan_out_over_real_replicas_equals_the_single_task_window(tmp_path: Path) -> None:
    out = tmp_path / "out"
    ports = [free_port() for _ in range(3)]
    processes = [
        start_sink(port, out, tmp_path / f"state-{n}", *OPTIONS) for n, port in enumerate(ports)
    ]
    try:
        _send(ports)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)  # a graceful stop writes every side it holds
        for process in processes:
            process.wait(timeout=60)
    hours = sorted(p.name for p in out.rglob("hour=*"))
    assert {"hour=07", "hour=08"} <= set(hours)  # calls straddle the hour folders

    start, end = HOUR - timedelta(minutes=8), HOUR + timedelta(minutes=8)
    single_path = tmp_path / "window.parquet"
    summary = export_window(
        str(out), single_path, timestamp_column="timestamp", window_end=end, window_length="16m"
    )
    baseline = profile_source(str(single_path), columns=["feature_0", "feature_1", "prediction"])
    kinds = {name: column.kind for name, column in baseline.columns.items()}
    options = vars(baseline.options)
    single = profile_source(str(single_path), kinds=kinds, **options)

    plan = plan_partitions(
        str(out), target_rows=250, timestamp_column="timestamp", start=start, end=end
    )
    assert len(plan.partitions) >= 3 and all(p.pairs_sides for p in plan.partitions)
    parts, leftovers, joined = [], [], 0
    for partition in plan.partitions:
        left = tmp_path / f"left-{partition.index}.parquet"
        made = profile_paired_partition(
            partition, left, start=start, end=end, kinds=kinds, **options
        )
        parts.append(made.profile)
        leftovers.append(left)
        joined += made.joined
    extra, counts = profile_leftovers(leftovers, parts[0], start=start, end=end)
    merged = merge_all([*parts, extra])

    assert summary.details == {
        "calls_paired_at_read": joined + counts.joined,
        "unpaired_requests": counts.unpaired_requests,
        "unpaired_responses": counts.unpaired_responses,
    }
    assert counts.unpaired_requests > 0 and counts.unpaired_responses > 0
    assert merged.row_count == single.row_count == summary.rows > 300
    assert_same_profile(merged, single)
