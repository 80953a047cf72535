"""Charts for the report pages, rendered as inline SVG.

Every chart is a self-contained `<svg>` element (text stays text, no scripts, no fonts or
images to fetch), so the pages work offline and in the KFP UI's HTML viewer. Functions take
plain numbers and return markup; pages decide what to draw. The drift page's per-column
charts (histogram, category bars, score gauge: two per column) are drawn directly as SVG
(`driftline.report.svg`) because there are many of them; the others are matplotlib figures
in the same style, and matplotlib is imported inside `_figure`, so importing this module
costs nothing.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import math
import re
import warnings
from collections.abc import Iterator, Sequence
from datetime import datetime
from html import escape
from typing import Any

import numpy as np

from driftline.report import svg
from driftline.report.html import CURRENT_COLOR, REFERENCE_COLOR

BAD_COLOR = "#cf222e"
OK_COLOR = "#1a7f37"
WARN_COLOR = "#bf8700"
ESTIMATE_COLOR = "#bf8700"
BAND_COLOR = "#ffebe9"

_STYLE: dict[str, Any] = {
    "svg.fonttype": "none",  # text as <text>: readable, searchable, small
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "axes.edgecolor": "#8c959f",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#eaeef2",
    "grid.linewidth": 0.8,
    "xtick.color": "#57606a",
    "ytick.color": "#57606a",
    "legend.frameon": False,
    "legend.fontsize": 8,
}


def _style(salt: str) -> Any:
    """The chart style; `salt` makes the SVG ids of one chart differ from another's."""
    return {**_STYLE, "svg.hashsalt": salt}


@contextlib.contextmanager
def _figure(width: float, height: float, key: str, ncols: int = 1, **grid: Any) -> Iterator[Any]:
    """A matplotlib Figure (inches) with `ncols` axes, outside pyplot's global state."""
    import matplotlib

    # extreme values (near ±1e308) make matplotlib's numpy arithmetic overflow harmlessly
    with matplotlib.rc_context(_style(key)), warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        from matplotlib.figure import Figure

        figure = Figure(figsize=(width, height), layout="constrained")
        figure.subplots(1, ncols, **grid)
        yield figure


def _svg(figure: Any, label: str) -> str:
    """The figure as an inline `<svg class='chart'>` that scales down to its container."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(_style(label)), warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text[text.index("<svg") :], flags=re.S)
    width = float(re.search(r'width="([0-9.]+)pt"', text)[1])  # type: ignore[index]
    text = re.sub(r'\s(width|height)="[^"]*pt"', "", text, count=2)
    # inline SVG in HTML needs no namespace declarations, and SVG 2 reads plain `href`
    text = re.sub(r'\sxmlns(:xlink)?="[^"]*"', "", text).replace("xlink:href=", "href=")
    # natural size at most (1 pt = 4/3 px), smaller when the page is narrower
    size = f"width:100%;max-width:{width * 4 / 3:.0f}px;height:auto"
    return text.replace(
        "<svg ",
        f"<svg class='chart' role='img' aria-label='{escape(label, quote=True)}' style='{size}' ",
        1,
    )


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def histogram(
    name: str, edges: Sequence[float], reference: Sequence[float], current: Sequence[float]
) -> str:
    """Reference and current shares of rows on the same bins, as step outlines over bars.
    Bins too wide for floating point (values near ±1e308) are drawn evenly, labelled with
    their edges."""
    positions = [float(e) for e in edges]
    evenly = not _finite(positions[-1] - positions[0]) or not all(map(_finite, positions))
    if evenly:
        positions = [float(i) for i in range(len(edges))]
    ref = [float(v) for v in reference]
    cur = [float(v) for v in current]
    plot = _share_plot(
        positions[0], positions[-1], max([*ref, *cur], default=0.0), svg.FONT + svg.PAD
    )
    plot.rects(
        [(a, b, 0.0, h) for a, b, h in zip(positions, positions[1:], ref, strict=False)],
        _REFERENCE_FILL,
    )
    steps = [(positions[0], 0.0)]
    for a, b, h in zip(positions, positions[1:], cur, strict=False):
        steps += [(a, h), (b, h)]
    plot.line([*steps, (positions[-1], 0.0)], CURRENT_COLOR, 2.4, stroke_linejoin="miter")
    offset = ""
    if evenly:
        ends = [0, len(edges) - 1]
        ticks, labels = [float(i) for i in ends], [_number(float(edges[i])) for i in ends]
    else:
        ticks = svg.nice_ticks(plot.x.low, plot.x.high, _most(plot, 50))
        labels, offset = svg.tick_labels(ticks)
    plot.x_axis(ticks, labels, [name], offset=offset)
    plot.legend([("current", CURRENT_COLOR, "line"), ("reference", _REFERENCE_FILL, "box")])
    return plot.svg(f"{name}: reference vs current distribution")


def category_bars(
    name: str, reference: dict[str, float], current: dict[str, float], top: int = 8
) -> str:
    """Side-by-side bars of the top categories' shares, the rest of the rows as "other"."""
    labels = list(dict.fromkeys([*reference, *current]))[:top]
    ref = [reference.get(k, 0.0) for k in labels]
    cur = [current.get(k, 0.0) for k in labels]
    other_ref, other_cur = max(1 - sum(ref), 0.0), max(1 - sum(cur), 0.0)
    if other_ref > 1e-9 or other_cur > 1e-9:
        labels, ref, cur = [*labels, "other"], [*ref, other_ref], [*cur, other_cur]
    names = [_short(k) for k in labels]
    plot = _share_plot(-0.4, len(labels) - 0.6, max([*ref, *cur], default=0.0),
                       svg.rotated_depth(names))  # fmt: skip
    slots = range(len(labels))
    plot.rects([(i - 0.4, i, 0.0, h) for i, h in zip(slots, ref, strict=True)], REFERENCE_COLOR)
    plot.rects([(i, i + 0.4, 0.0, h) for i, h in zip(slots, cur, strict=True)], CURRENT_COLOR)
    plot.x_axis([float(i) for i in slots], names, [name], grid=False, rotate=True)
    plot.legend([("reference", REFERENCE_COLOR, "box"), ("current", CURRENT_COLOR, "box")])
    return plot.svg(f"{name}: reference vs current categories")


#: the reference bars' color at matplotlib's alpha 0.45 over white (opaque: the same look)
_REFERENCE_FILL = "#cbcfd4"
_WIDTH, _HEIGHT = 4.2 * 96, 1.9 * 96  # px: the matplotlib figures' 4.2 x 1.9 inches


def _share_plot(low: float, high: float, tallest: float, labels_depth: float) -> svg.Plot:
    """A histogram-sized plot of [low, high] (5 % margins) against shares of rows up to
    `tallest`, its y axis drawn; `labels_depth` px of x tick labels below the box."""
    top = tallest * 1.05 if _finite(tallest) and tallest > 0 else 1.0
    margin = (high - low) * 0.05 if high > low else 0.5
    bottom = svg.TICK + svg.PAD + labels_depth + svg.PAD + svg.FONT * 1.3
    ticks = svg.nice_ticks(0.0, top, max(4, int((_HEIGHT - 6 - bottom) / 30)))
    labels = [svg.percent(t) for t in ticks]
    widest = max(svg.text_width(label) for label in labels)
    plot = svg.Plot(
        _WIDTH,
        _HEIGHT,
        svg.Axis(low - margin, high + margin),
        svg.Axis(0.0, top),
        left=svg.FONT * 1.3 + 3 * svg.PAD + widest + svg.TICK + 2,
        right=8.0,
        top=6.0,
        bottom=bottom,
    )
    plot.y_axis(ticks, labels, "share of rows")
    return plot


def _most(plot: svg.Plot, spacing: float) -> int:
    """How many x ticks fit, about `spacing` px apart."""
    return max(2, int((plot.width - plot.left - plot.right) / spacing))


GAUGE_WIDTH = 2.6 * 96


def score_gauge(
    name: str,
    method: str,
    score: float,
    threshold: float,
    direction: str,
    drifted: bool | None = None,
) -> str:
    """The score as a bar against its threshold; p-values on a log axis, drift side shaded.
    `drifted` (the verdict, coloring the bar) defaults to a strict p < threshold or
    d >= threshold."""
    p_value = direction == "p_value"
    if p_value:
        low = min(threshold / 100, score if _finite(score) and score > 0 else 1.0) / 2
        low = low if _finite(low) and low > 0 else 5e-324
        x = svg.Axis(low, 1.0, log=True)
        band = (low, threshold)
        ticks = svg.log_ticks(low, 1.0, GAUGE_WIDTH)
        labels, offset = [f"{v:g}" for v in ticks], ""
    else:
        high = max(threshold * 2, score * 1.15 if _finite(score) else 0.0)
        high = high if _finite(high) and high > 0 else 1.0
        x = svg.Axis(0.0, high)
        band = (threshold, high)
        ticks = svg.nice_ticks(0.0, high, 5)
        labels, offset = svg.tick_labels(ticks)
    bottom = svg.TICK + 3 * svg.PAD + svg.FONT * 3.4
    # room for the end labels, centred on their ticks at the ends of the axis
    left = max(8.0, svg.text_width(labels[0]) / 2 + 2)
    right = max(12.0, svg.text_width(labels[-1]) / 2 + 2)
    plot = svg.Plot(GAUGE_WIDTH, 1.1 * 96, x, svg.Axis(-0.5, 0.5), left, right, 6.0, bottom)
    plot.rects([(*band, -0.5, 0.5)], BAND_COLOR)
    if drifted is None:
        drifted = _finite(score) and (score < threshold if p_value else score >= threshold)
    if _finite(score):
        start = x.low if p_value else 0.0
        color = BAD_COLOR if drifted else OK_COLOR
        plot.rects([(start, max(score, start), -0.25, 0.25)], color)
    if _finite(threshold):
        plot.vline(threshold, "#1f2328", 1.6, stroke_dasharray="5.9,2.6")
    plot.left_spine()
    title = f"{method} {'p-value' if p_value else 'score'}"
    plot.x_axis(ticks, labels, [title, "dashed line: threshold"], grid=False, offset=offset)
    return plot.svg(f"{name}: {method} score against its threshold")


def metric_over_time(
    metric: str,
    starts: Sequence[datetime],
    values: Sequence[float | None],
    *,
    baseline: float | None = None,
    degraded_region: Sequence[tuple[float | None, float | None]] = (),
    estimates: Sequence[tuple[float, float, float] | None] = (),
    degraded: Sequence[bool] = (),
    judged: Sequence[bool] = (),
) -> str:
    """A metric per window on a date axis: the training baseline as a line, the region that
    counts as degraded shaded, estimates before labels (value, low, high) with their interval,
    degraded windows in red and windows without enough labels hollow."""
    with _figure(6.4, 2.2, f"metric-{metric}") as figure:
        axes = figure.axes[0]
        points = [(t, v) for t, v in zip(starts, values, strict=True) if _finite(v)]
        if points:
            axes.plot(
                *zip(*points, strict=True),
                color=CURRENT_COLOR,
                linewidth=1.5,
                label="measured (labels)",
            )
        for i, (start, value) in enumerate(zip(starts, values, strict=True)):
            if not _finite(value):
                continue
            color = BAD_COLOR if i < len(degraded) and degraded[i] else CURRENT_COLOR
            filled = judged[i] if i < len(judged) else True
            axes.plot(
                [start],
                [value],
                "o",
                markersize=5,
                color=color,
                markerfacecolor=color if filled else "white",
            )
        shown = [(t, e) for t, e in zip(starts, estimates, strict=False) if e is not None]
        if shown:
            times = [t for t, _ in shown]
            axes.fill_between(
                times,
                [e[1] for _, e in shown],
                [e[2] for _, e in shown],
                color=ESTIMATE_COLOR,
                alpha=0.18,
                label="estimate 95% interval",
            )
            axes.plot(
                times,
                [e[0] for _, e in shown],
                color=ESTIMATE_COLOR,
                linestyle="--",
                marker=".",
                label="estimated (CBPE)",
            )
        if baseline is not None:
            axes.axhline(
                baseline,
                color=REFERENCE_COLOR,
                linestyle="--",
                linewidth=1.2,
                label=f"training baseline {_number(baseline)}",
            )
        low, high = axes.get_ylim()
        for index, (bottom, top) in enumerate(degraded_region):
            axes.axhspan(
                low if bottom is None else bottom,
                high if top is None else top,
                color=BAND_COLOR,
                zorder=0,
                label="degraded" if index == 0 else None,
            )
        axes.set_ylim(low, high)
        _date_axis(axes)
        axes.set_xlabel("window start")
        axes.set_ylabel(metric)
        _legend(figure)
        return _svg(figure, f"{metric} per window against the training baseline")


def coverage_bars(starts: Sequence[datetime], coverage: Sequence[float]) -> str:
    """The share of each window's predictions that have a label."""
    with _figure(6.4, 1.6, "label-coverage") as figure:
        axes = figure.axes[0]
        axes.bar(starts, coverage, width=_bar_width(starts), color=CURRENT_COLOR, align="edge")
        axes.set_ylim(0, 1)
        axes.yaxis.set_major_formatter(_percent())
        _date_axis(axes)
        axes.set_xlabel("window start")
        axes.set_ylabel("labelled")
        return _svg(figure, "label coverage per window")


def heatmap(classes: Sequence[str], matrix: Sequence[Sequence[int]]) -> str:
    """A confusion matrix: rows are labels, columns predictions, each cell's count written."""
    size = max(2.4, 0.45 * len(classes) + 1.4)
    with _figure(size + 0.8, size, "confusion-matrix") as figure:
        axes = figure.axes[0]
        image = axes.imshow(matrix, cmap="Blues")
        peak = max((max(row) for row in matrix if len(row)), default=0)
        for i, row in enumerate(matrix):
            for j, count in enumerate(row):
                dark = peak and count > peak / 2
                axes.text(
                    j,
                    i,
                    f"{count:,}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if dark else "#1f2328",
                )
        names = [_short(str(c)) for c in classes]
        axes.set_xticks(range(len(names)), names, rotation=30, ha="right")
        axes.set_yticks(range(len(names)), names)
        axes.grid(False)
        axes.set_xlabel("predicted class")
        axes.set_ylabel("true class (label)")
        figure.colorbar(image, ax=axes, shrink=0.8, label="rows")
        return _svg(figure, "confusion matrix")


def share_bars(
    starts: Sequence[datetime],
    shares: Sequence[float | None],
    *,
    threshold: float | None = None,
    alerts: Sequence[bool] = (),
    ylabel: str = "drifted columns",
) -> str:
    """Shares per window as bars (red above the threshold), windows with an alert marked."""
    with _figure(6.4, 2.0, "drift-share") as figure:
        axes = figure.axes[0]
        width = _bar_width(starts)
        heights = [float(s) if s is not None and _finite(s) else 0.0 for s in shares]
        limit = math.inf if threshold is None else threshold
        colors = [BAD_COLOR if h >= limit else CURRENT_COLOR for h in heights]
        axes.bar(starts, heights, width=width, color=colors, align="edge")
        if threshold is not None:
            axes.axhline(
                threshold,
                color="#1f2328",
                linestyle="--",
                linewidth=1,
                label=f"drift when ≥ {threshold:.0%}",
            )
        flagged = [t for t, a in zip(starts, alerts, strict=False) if a]
        if flagged:
            axes.plot(
                flagged,
                [1.04] * len(flagged),
                "v",
                color=BAD_COLOR,
                clip_on=False,
                label="alert raised",
            )
        axes.set_ylim(0, 1)
        axes.yaxis.set_major_formatter(_percent())
        _date_axis(axes)
        axes.set_xlabel("window start")
        axes.set_ylabel(ylabel)
        _legend(figure)
        return _svg(figure, f"{ylabel} per window")


def _date_axis(axes: Any) -> None:
    from matplotlib import dates

    locator = dates.AutoDateLocator(minticks=3, maxticks=8)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator))


def _bar_width(starts: Sequence[datetime]) -> float:
    """Bars 80 % as wide as the gap between windows (in days, matplotlib's date unit)."""
    if len(starts) < 2:
        return 0.8
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts) if b > a]
    return 0.8 * (min(gaps) if gaps else 86400) / 86400


def _percent() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1, decimals=0)


def _short(label: str, limit: int = 14) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _number(value: float) -> str:
    from driftline.report.html import number

    return number(value)


def violation_bars(counts: dict[str, tuple[int, int]]) -> str:
    """Errors and warnings per column as stacked horizontal bars, the first column on top."""
    names = list(counts)
    errors = [counts[n][0] for n in names]
    warnings = [counts[n][1] for n in names]
    with _figure(5.0, 0.6 + 0.28 * len(names), "violations") as figure:
        axes = figure.axes[0]
        slots = list(range(len(names)))
        axes.barh(slots, errors, color=BAD_COLOR, label="errors")
        axes.barh(slots, warnings, left=errors, color=WARN_COLOR, label="warnings")
        axes.set_yticks(slots, [_short(n, 24) for n in names])
        axes.invert_yaxis()
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.grid(axis="y", visible=False)
        axes.set_xlabel("violations")
        axes.set_ylabel("column")
        _legend(figure)
        return _svg(figure, "violations per column")


def _legend(figure: Any) -> None:
    """A legend right of the axes, when something in them has a label."""
    if any(axes.get_legend_handles_labels()[0] for axes in figure.axes):
        figure.legend(loc="outside right center")


def contribution_bars(title: str, contributions: dict[str, float], unit: str) -> str:
    """How much each column drives a multivariate result, as horizontal bars, strongest on
    top (at most 15 columns)."""
    names = list(contributions)[:15]
    values = [float(contributions[n]) if _finite(contributions[n]) else 0.0 for n in names]
    with _figure(5.0, 0.6 + 0.28 * len(names), f"contrib-{title}") as figure:
        axes = figure.axes[0]
        slots = list(range(len(names)))
        axes.barh(slots, values, color=[BAD_COLOR if v > 0 else CURRENT_COLOR for v in values])
        axes.set_yticks(slots, [_short(n, 24) for n in names])
        axes.invert_yaxis()
        axes.axvline(0, color="#1f2328", linewidth=0.8)
        axes.grid(axis="y", visible=False)
        axes.set_xlabel(_short(unit, 60))
        return _svg(figure, f"{title}: contribution per column")
