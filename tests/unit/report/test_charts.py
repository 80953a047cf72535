"""The chart module: inline SVG with text kept as text, and the degraded region it shades."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

import numpy as np
import pytest

from driftline.performance.degradation import DIRECTIONS, degraded_region, worsening
from driftline.report import charts


def _texts(svg: str) -> list[str]:
    return [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def _self_contained(svg: str) -> None:
    assert svg.startswith("<svg class='chart' role='img' aria-label='")
    assert "http" not in svg and "<script" not in svg and "<image" not in svg
    assert "xlink:" not in svg and "<metadata" not in svg


def test_histogram_has_labelled_axes_and_a_legend() -> None:
    svg = charts.histogram("temp", [0.0, 0.5, 1.0], [0.25, 0.75], [0.6, 0.4])
    _self_contained(svg)
    texts = _texts(svg)
    assert {"temp", "share of rows", "reference", "current"} <= set(texts)
    assert "aria-label='temp: reference vs current distribution'" in svg
    assert "60%" in texts  # shares on a percent axis


@pytest.mark.parametrize(
    ("current", "other"), [({"a": 0.5, "b": 0.5}, False), ({"a": 0.5, "b": 0.3}, True)]
)
def test_categories_get_an_other_bar_only_for_the_rest(current, other) -> None:
    svg = charts.category_bars("season", {"a": 0.6, "b": 0.4}, current)
    assert ("other" in _texts(svg)) is other
    assert {"season", "share of rows", "a", "b"} <= set(_texts(svg))


@pytest.mark.parametrize(
    ("score", "direction"), [(0.0, "p_value"), (1e-300, "p_value"), (0.5, "p_value"),
                             (0.0, "distance"), (3.0, "distance"), (math.nan, "distance")],
)  # fmt: skip
def test_gauges_draw_any_score(score: float, direction: str) -> None:
    svg = charts.score_gauge("x", "ks", score, 0.05, direction)
    _self_contained(svg)
    label = "ks p-value" if direction == "p_value" else "ks score"
    assert label in _texts(svg) and "dashed line: threshold" in _texts(svg)


def test_time_charts_have_dated_axes() -> None:
    starts = [datetime(2012, 1, 1) + timedelta(days=28 * i) for i in range(6)]
    svg = charts.metric_over_time(
        "mae", starts, [10.0, 12.0, None, 30.0, 31.0, 29.0], baseline=11.0,
        degraded_region=[(12.1, None)], estimates=[None] * 4 + [(30.0, 25.0, 35.0)] * 2,
        degraded=[False, False, False, True, True, True], judged=[True] * 5 + [False],
    )  # fmt: skip
    texts = _texts(svg)
    assert {"mae", "window start", "training baseline 11", "degraded"} <= set(texts)
    assert {"estimated (CBPE)", "estimate 95% interval"} <= set(texts)
    assert "2012" in texts and "Mar" in texts
    bars = charts.share_bars(starts, [0.1, 0.6, None, 0.7, 0.2, 0.5], threshold=0.5,
                             alerts=[False, True, False, True, False, True])  # fmt: skip
    assert {"drifted columns", "drift when ≥ 50%", "alert raised"} <= set(_texts(bars))


def test_heatmap_writes_every_count() -> None:
    svg = charts.heatmap(["no", "yes"], [[1200, 30], [7, 450]])
    assert {"1,200", "30", "7", "450", "predicted class", "true class (label)"} <= set(_texts(svg))


@pytest.mark.parametrize("metric", sorted(DIRECTIONS))
@pytest.mark.parametrize("mode", ["absolute", "relative"])
@pytest.mark.parametrize("baseline", [-2.0, 0.4, 25.0])
def test_the_shaded_region_is_exactly_where_the_rule_says_degraded(metric, mode, baseline):
    threshold = 0.1
    region = degraded_region(metric, baseline, threshold, mode)
    for value in np.linspace(-60, 60, 2401):
        shaded = any(
            (low is None or value >= low) and (high is None or value <= high)
            for low, high in region
        )
        judged = worsening(metric, float(value), baseline, mode) > threshold
        if not math.isclose(worsening(metric, float(value), baseline, mode), threshold):
            assert shaded == judged, (value, region)
