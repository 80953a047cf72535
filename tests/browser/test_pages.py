"""Every page type of the demo, rendered by headless Chromium 800 px wide: no errors, the
charts present with their axis labels, nothing wider than the window, working links."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from tests.browser.chromium import WIDTH, PageView, inspect
from tests.browser.classification import classification_page
from tests.browser.validation import broken_window_page
from tests.conftest import DEMO_DATA

pytestmark = pytest.mark.slow


def _window(demo: dict[str, Any], pick: str) -> dict[str, Any]:
    assert pick == "last"
    return demo["outcomes"][-1]


def _report(page: str) -> dict[str, Any]:
    return json.loads(Path(page).with_name("report").read_text())


def _fits(view: PageView) -> None:
    assert view.errors == []
    assert view.viewport == WIDTH
    assert view.overflowing == [] and view.scroll_width <= WIDTH
    for chart in view.charts:
        assert chart["width"] > 150 and chart["right"] <= WIDTH + 0.5, chart["label"]
        assert chart["height"] > 40, chart["label"]


def test_drift_page(browser: Any, demo: dict[str, Any]) -> None:
    page = _window(demo, "last")["drift_html"]
    report = _report(page)
    view = inspect(browser, Path(page))
    _fits(view)
    assert view.title == "Drift report"
    assert len(view.charts) == 2 * len(report["columns"])
    for column in report["columns"]:
        distribution = view.chart(f"{column['name']}: reference vs current")
        assert column["name"] in distribution["texts"]  # x axis
        assert "share of rows" in distribution["texts"]  # y axis
        assert {"reference", "current"} <= set(distribution["texts"])  # legend
        gauge = view.chart(f"{column['name']}: {column['method']} score against")
        assert any(t.startswith(column["method"]) for t in gauge["texts"])


def test_performance_page(browser: Any, demo: dict[str, Any]) -> None:
    page = _window(demo, "last")["performance_html"]
    report = _report(page)
    view = inspect(browser, Path(page))
    _fits(view)
    assert view.title == "Model performance"
    metrics = report["degradation_rule"]["metrics"] or ["mae", "rmse", "mape", "r2", "mean_error"]
    for metric in metrics:
        chart = view.chart(f"{metric} per window")
        assert metric in chart["texts"] and "window start" in chart["texts"]
        if metric in report["baseline"]:
            assert any(t.startswith("training baseline") for t in chart["texts"])
        # dated axis: the windows are in 2012
        assert any("2012" in t for t in chart["texts"])
    coverage = view.chart("label coverage per window")
    assert {"labelled", "window start"} <= set(coverage["texts"])


def test_validation_page(browser: Any, tmp_path: Path) -> None:
    """The demo's windows are valid, so a 2012 week is broken on purpose."""
    page = broken_window_page(DEMO_DATA / "hour.csv", tmp_path)
    report = json.loads((tmp_path / "validation_report.json").read_text())
    view = inspect(browser, page)
    _fits(view)
    chart = view.chart("violations per column")
    assert {"violations", "column", "errors", "warnings"} <= set(chart["texts"])
    columns = {v["column"] or "(dataset)" for v in report["violations"]}
    assert columns == {"(dataset)", "hum", "temp", "weathersit", "windspeed"}
    assert columns <= set(chart["texts"])
    text = browser.find_element("tag name", "body").text
    for column in columns:  # one group per column
        assert f"{column} 1 violation" in text
    assert "null share 33.3 %" in text and "0.3333" not in text  # rounded for people


def test_history_page(browser: Any, demo: dict[str, Any]) -> None:
    outcomes = demo["outcomes"]
    page = Path(outcomes[-1]["history_html"])
    view = inspect(browser, page)
    _fits(view)
    assert view.title.startswith("Monitoring history")
    drift = view.chart("drifted columns per window")
    assert {"drifted columns", "window start"} <= set(drift["texts"])
    assert any("2012" in t for t in drift["texts"])
    mae = view.chart("mae per window")
    assert any(t.startswith("training baseline") for t in mae["texts"])
    # every window's three reports, each as page and JSON, all on disk
    local = [Path(unquote(urlparse(link).path)) for link in view.links]
    assert len(local) == len(outcomes) * 3 * 2
    assert all(path.is_file() for path in local), [p for p in local if not p.is_file()]
    pages = {str(p) for p in local}
    for outcome in outcomes:
        assert {
            outcome["drift_html"],
            outcome["validation_html"],
            outcome["performance_html"],
        } <= pages


@pytest.mark.parametrize("kind", ["drift_html", "performance_html", "history_html"])
def test_pages_fit_a_narrow_window_too(browser: Any, demo: dict[str, Any], kind: str) -> None:
    """At 500 px the charts shrink with the page instead of sticking out."""
    size = browser.get_window_size()
    browser.set_window_size(500, size["height"])
    try:
        view = inspect(browser, Path(demo["outcomes"][-1][kind]))
    finally:
        browser.set_window_size(size["width"], size["height"])
    assert view.errors == [] and view.overflowing == [] and view.scroll_width <= 500


def test_classification_performance_page(browser: Any, tmp_path: Path) -> None:
    """Labels stop in October: estimates (CBPE) with intervals, and the confusion heat map."""
    page = classification_page(DEMO_DATA / "hour.csv", tmp_path)
    report = json.loads((tmp_path / "performance_report.json").read_text())
    assert [w["status"] for w in report["windows"]][-3:] == ["no labels"] * 3
    view = inspect(browser, page)
    _fits(view)
    accuracy = view.chart("accuracy per window")
    assert {"estimated (CBPE)", "estimate 95% interval", "accuracy"} <= set(accuracy["texts"])
    heatmap = view.chart("confusion matrix")
    assert {"predicted class", "true class (label)"} <= set(heatmap["texts"])
    matrix = report["overall"]["confusion_matrix"]
    assert sum(map(sum, matrix)) == report["overall"]["labelled_rows"]
    for count in (n for row in matrix for n in row):
        assert f"{count:,}" in heatmap["texts"]  # each cell written in its square
