"""The local main job (`make demo`) on one window: progress, table, reports, MLMD history."""

import json
from pathlib import Path

import pytest

from driftline.demo.runner import run_demo
from driftline.lineage import open_store


def test_demo_window_is_monitored_reported_and_recorded(tmp_path: Path) -> None:
    printed: list[str] = []
    [outcome] = run_demo(tmp_path / "demo", windows=1, echo=printed.append)
    lines = "\n".join(printed).splitlines()

    assert any("[ 1/1] monitoring the 28 days before 2012-01-29" in line for line in lines)
    table = next(i for i, line in enumerate(lines) if line.startswith("window"))
    assert lines[table + 2].startswith("2012-01-01 .. 2012-01-29")

    drift = json.loads(Path(outcome.drift_html).with_name("report").read_text())
    assert outcome.drift_share == drift["drift_share"]
    assert outcome.drifted[0] in {c["name"] for c in drift["columns"] if c["drift_detected"]}
    for page in (outcome.drift_html, outcome.validation_html, outcome.performance_html):
        assert Path(page).read_text().startswith("<!doctype html>")
    # the window ends with the model's history page, which the demo points to
    history = Path(outcome.history_html).read_text()
    assert "<title>Monitoring history: model (id " in history and "1 monitoring runs" in history
    assert any(line.endswith(outcome.history_html) for line in lines)
    # A winter window against the whole of 2011: the weather features drift.
    assert {"temp", "atemp"} <= set(outcome.drifted)
    assert outcome.degraded  # 2012 demand outgrew the 2011 model

    store = open_store(f"sqlite://{tmp_path / 'demo' / 'mlmd.sqlite'}")
    model = str(tmp_path / "demo" / "data" / "model")
    # The deployment pipeline ran first (dry run) and recorded the baseline profile ...
    manifests = next((tmp_path / "demo").rglob("setup-monitoring/manifests"))
    assert (manifests / "prometheusrule.yaml").is_file()
    profile = store.resolve(model).profile
    assert profile is not None and profile.properties["row_count"] == 8645
    # ... which the monitoring run reused instead of re-reading the training data.
    monitoring_root = next((tmp_path / "demo" / "pipeline_root").glob("driftline-monitor-*"))
    reused = monitoring_root / "profile-baseline" / "profile"
    assert reused.read_text() == Path(profile.uri).read_text()
    [record] = store.history(model)
    assert record.window_start == "2012-01-01T00:00:00+00:00"
    assert record.drift_share == pytest.approx(outcome.drift_share, abs=1e-6)
    assert record.validation_status == outcome.validation_status
    assert record.performance["mae"] == pytest.approx(outcome.mae, rel=1e-6)
