"""The chart module: inline SVG with text kept as text, and the degraded region it shades."""

from __future__ import annotations

import itertools
import math
import re
from datetime import datetime, timedelta

import numpy as np
import pytest

from driftline.performance.degradation import DIRECTIONS, degraded_region, worsening
from driftline.report import charts, svg


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


@pytest.mark.parametrize("score", [0.04, 1e-30, 3.987e-128, 4.051e-322, 5e-324, 0.0])
def test_gauge_tick_labels_never_overlap(score: float) -> None:
    """A p-value near the smallest double once drew "1e-2601e-1951e-130" as one smear."""
    svg_text = charts.score_gauge("x", "ks", score, 0.05, "p_value")
    found = re.findall(
        r"<text x='([\d.]+)' y='([\d.]+)'[^>]*text-anchor='middle'>([^<]*)</text>", svg_text
    )
    ticks = [(float(x), label) for x, _, label in found if re.fullmatch(r"[\d.e-]+", label)]
    assert len(ticks) >= 2
    for (x1, a), (x2, b) in itertools.pairwise(ticks):
        assert x2 - x1 >= (svg.text_width(a) + svg.text_width(b)) / 2 + 2, (a, b)


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


def test_bins_too_wide_for_floats_are_drawn_evenly_without_warnings(recwarn) -> None:
    svg = charts.histogram("x", [-1e308, 0.0, 1e308], [0.5, 0.5], [0.1, 0.9])
    _self_contained(svg)
    assert {"-1.000e+308", "1.000e+308", "x"} <= set(_texts(svg))
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize(
    ("low", "high"),
    [(0.0, 1.0), (-0.05, 1.05), (15.0, 15.1), (0.0, 0.39), (-3e6, 7e6), (1e-7, 3e-7), (5.0, 5.0)],
)
def test_ticks_are_round_numbers_inside_the_range(low: float, high: float) -> None:
    ticks = svg.nice_ticks(low, high, 6)
    assert 1 <= len(ticks) <= 6
    assert all(low - 1e-9 * abs(low) <= t <= high + 1e-9 * abs(high) for t in ticks)
    if high > low:
        assert len(ticks) >= 2
        steps = {round(b - a, 12) for a, b in itertools.pairwise(ticks)}
        assert len({f"{s:.6g}" for s in steps}) == 1  # evenly spaced
        mantissa = float(f"{min(steps):.6e}".split("e")[0])
        assert mantissa in {1.0, 2.0, 2.5, 5.0}


def test_tick_labels_share_their_decimals_and_factor() -> None:
    assert svg.tick_labels([0.0, 0.5, 1.0]) == (["0.0", "0.5", "1.0"], "")
    assert svg.tick_labels([15.0, 15.02, 15.04]) == (["15.00", "15.02", "15.04"], "")
    assert svg.tick_labels([0.0, 5e5, 1e6]) == (["0.0", "0.5", "1.0"], "1e6")


@pytest.mark.parametrize(
    "svg_text",
    [
        lambda: charts.histogram("x", [0.0, 1.0], [1.0], [1.0]),
        lambda: charts.histogram("x", [2.0, 2.0 + 1e-12], [0.0], [0.0]),
        lambda: charts.histogram("x", [-1e308, 0.0, 1e308], [0.5, 0.5], [0.1, 0.9]),
        lambda: charts.category_bars("c", {}, {}),
        lambda: charts.category_bars("c", {"a" * 40: 1.0}, {"b": 1.0}),
        lambda: charts.score_gauge("x", "ks", 5e-324, 0.05, "p_value"),
        lambda: charts.score_gauge("x", "psi", math.inf, 0.1, "distance"),
        lambda: charts.score_gauge("x", "psi", 0.0, 0.0, "distance"),
    ],
)
def test_drawn_charts_have_only_finite_coordinates(svg_text) -> None:
    text = svg_text()
    _self_contained(text)
    numbers = re.findall(r"(?<=[\s'MHVLhv,(])-?[0-9.]+(?:e[-+]?[0-9]+)?|nan|inf", text)
    assert numbers and "nan" not in numbers and "inf" not in numbers
    assert "viewBox='0 0 " in text
