"""Plots drawn directly as SVG markup: a plot box with linear or log axes, ticks at round
numbers, grid lines, bars, lines, shaded spans and a legend.

The drift page draws two charts per column, and a matplotlib figure costs about 0.2 s to
build and save (plus 0.3 s to import matplotlib once): on a wide table the page took longer
than the drift check. These plots are plain strings, a fraction of a millisecond each, in
the look of the matplotlib charts (`driftline.report.charts`): same sizes, colors and fonts.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

FONT = 12.0  # px: matplotlib's 9 pt
SMALL = 10.7  # px: 8 pt (legend)
CHAR = 0.64  # a character's average width, in font sizes (DejaVu Sans)
TICK = 3.5 * 4 / 3  # tick length, px
PAD = 4.0
TEXT_COLOR = "#1f2328"
TICK_COLOR = "#57606a"
SPINE_COLOR = "#8c959f"
GRID_COLOR = "#eaeef2"
FONT_FAMILY = "'DejaVu Sans',Verdana,sans-serif"


def text_width(text: str, size: float = FONT) -> float:
    """Estimated width in px of `text` set at `size` px."""
    return len(text) * size * CHAR


@dataclass(frozen=True)
class Axis:
    """A data range [low, high] drawn linearly or, with `log`, logarithmically."""

    low: float
    high: float
    log: bool = False

    def fraction(self, value: float) -> float:
        """Where `value` sits between low (0) and high (1)."""
        if self.log:
            low, high = math.log10(self.low), math.log10(self.high)
            value = math.log10(value) if value > 0 else low
        else:
            low, high = self.low, self.high
        return (value - low) / (high - low) if high > low else 0.5


@dataclass
class Plot:
    """A `width` x `height` px chart whose plot box leaves `left`, `right`, `top` and `bottom`
    px of margin, with data axes `x` and `y`; parts are added in drawing order."""

    width: float
    height: float
    x: Axis
    y: Axis
    left: float
    right: float
    top: float
    bottom: float
    parts: list[str] = field(default_factory=list)

    def px(self, value: float) -> float:
        """The horizontal pixel of data value `value`."""
        return self.left + self.x.fraction(value) * (self.width - self.left - self.right)

    def py(self, value: float) -> float:
        """The vertical pixel of data value `value` (up is larger)."""
        return self.height - self.bottom - self.y.fraction(value) * self.box_height

    @property
    def box_height(self) -> float:
        return self.height - self.top - self.bottom

    def rects(self, boxes: Sequence[tuple[float, float, float, float]], fill: str, **style: str):
        """Filled rectangles, each (x0, x1, y0, y1) in data units, as one path."""
        d = []
        for x0, x1, y0, y1 in boxes:
            left, right = sorted((self.px(x0), self.px(x1)))
            top, bottom = sorted((self.py(y1), self.py(y0)))
            if right - left > 0 and bottom - top > 0:
                d.append(f"M{left:.2f} {top:.2f}H{right:.2f}V{bottom:.2f}H{left:.2f}Z")
        if d:
            self.parts.append(f"<path d='{''.join(d)}' fill='{fill}'{_attrs(style)}/>")

    def line(self, points: Sequence[tuple[float, float]], stroke: str, width: float, **style):
        """A polyline through data points."""
        d = "".join(
            f"{'M' if i == 0 else 'L'}{self.px(x):.2f} {self.py(y):.2f}"
            for i, (x, y) in enumerate(points)
        )
        self.parts.append(
            f"<path d='{d}' fill='none' stroke='{stroke}' stroke-width='{width:g}'{_attrs(style)}/>"
        )

    def vline(self, value: float, stroke: str, width: float, **style: str) -> None:
        """A vertical line across the plot box at data x `value`."""
        x = self.px(value)
        self.parts.append(
            f"<path d='M{x:.2f} {self.top:.2f}V{self.height - self.bottom:.2f}' "
            f"stroke='{stroke}' stroke-width='{width:g}'{_attrs(style)}/>"
        )

    def text(self, x: float, y: float, text: str, **style: str) -> None:
        """Text at pixel (x, y); `style` are SVG attributes (underscores become dashes)."""
        self.parts.append(f"<text x='{x:.2f}' y='{y:.2f}'{_attrs(style)}>{escape(text)}</text>")

    def x_axis(
        self,
        ticks: Sequence[float],
        labels: Sequence[str],
        title: Sequence[str],
        *,
        grid: bool = True,
        rotate: bool = False,
        offset: str = "",
    ) -> None:
        """Ticks, labels (turned 30 degrees with `rotate`), optional vertical grid lines and
        the bottom spine, with `title` (one string a line) below and the labels' common
        factor `offset` (such as 1e6) at the right end."""
        base = self.height - self.bottom
        for value, label in zip(ticks, labels, strict=True):
            x = self.px(value)
            if grid:
                self.parts.insert(0, _grid(f"M{x:.2f} {self.top:.2f}V{base:.2f}"))
            self.parts.append(_tick(f"M{x:.2f} {base:.2f}v{TICK:.2f}"))
            if rotate:
                y = base + TICK + PAD
                self.text(
                    x, y + FONT * 0.7, label, fill=TICK_COLOR, text_anchor="end",
                    transform=f"rotate(-30 {x:.2f} {y:.2f})",
                )  # fmt: skip
            else:
                half = text_width(label) / 2
                anchor, at = "middle", x
                if x + half > self.width - 1:
                    anchor, at = "end", self.width - 1
                elif x - half < 1:
                    anchor, at = "start", 1.0
                self.text(at, base + TICK + PAD + FONT * 0.8, label, fill=TICK_COLOR,
                          text_anchor=anchor)  # fmt: skip
        self.parts.append(_spine(f"M{self.left:.2f} {base:.2f}H{self.width - self.right:.2f}"))
        depth = _label_depth(labels) if rotate else FONT
        if offset:  # the labels' common factor, under the right end (as matplotlib does)
            self.text(self.width - 1, base + TICK + PAD + depth + FONT * 0.9, offset,
                      fill=TICK_COLOR, text_anchor="end")  # fmt: skip
        y = base + TICK + PAD + depth + PAD + FONT * 0.8
        middle = self.left + (self.width - self.left - self.right) / 2
        for line in title:
            self.text(middle, y, line, fill=TEXT_COLOR, text_anchor="middle")
            y += FONT * 1.2

    def y_axis(self, ticks: Sequence[float], labels: Sequence[str], title: str) -> None:
        """Ticks, labels, horizontal grid lines and the left spine, `title` turned upright."""
        right = self.width - self.right
        for value, label in zip(ticks, labels, strict=True):
            y = self.py(value)
            self.parts.insert(0, _grid(f"M{self.left:.2f} {y:.2f}H{right:.2f}"))
            self.parts.append(_tick(f"M{self.left:.2f} {y:.2f}h{-TICK:.2f}"))
            self.text(
                self.left - TICK - PAD, y + FONT * 0.35, label, fill=TICK_COLOR, text_anchor="end"
            )
        self.left_spine()
        if title:
            width = max((text_width(label) for label in labels), default=0.0)
            x = self.left - TICK - 3 * PAD - width
            y = self.top + self.box_height / 2
            self.text(
                x, y, title, fill=TEXT_COLOR, text_anchor="middle",
                transform=f"rotate(-90 {x:.2f} {y:.2f})",
            )  # fmt: skip

    def left_spine(self) -> None:
        base = self.height - self.bottom
        self.parts.append(_spine(f"M{self.left:.2f} {self.top:.2f}V{base:.2f}"))

    def legend(self, entries: Sequence[tuple[str, str, str]]) -> None:
        """A legend in the upper right corner of the box: (label, color, 'line' or 'box')."""
        width = max(text_width(label, SMALL) for label, _, _ in entries)
        x = self.width - self.right - width - 2.2 * SMALL - PAD
        y = self.top + PAD + SMALL * 0.5
        # matplotlib's legend frame: bars drawn under the legend stay behind it
        self.parts.append(
            f"<rect x='{x - PAD / 2:.2f}' y='{y - SMALL * 0.7:.2f}' "
            f"width='{width + 2.2 * SMALL + PAD:.2f}' height='{SMALL * 1.4 * len(entries):.2f}' "
            "rx='2' fill='#ffffff' fill-opacity='0.8' stroke='#d0d7de' stroke-width='0.8'/>"
        )
        for label, color, mark in entries:
            if mark == "line":
                self.parts.append(
                    f"<path d='M{x:.2f} {y:.2f}h{1.6 * SMALL:.2f}' stroke='{color}' "
                    "stroke-width='2.4'/>"
                )
            else:
                self.parts.append(
                    f"<rect x='{x:.2f}' y='{y - SMALL * 0.35:.2f}' width='{1.6 * SMALL:.2f}' "
                    f"height='{SMALL * 0.7:.2f}' fill='{color}'/>"
                )
            self.text(x + 2.2 * SMALL, y + SMALL * 0.35, label, fill=TEXT_COLOR, font_size="8pt")
            y += SMALL * 1.4

    def svg(self, label: str) -> str:
        """The chart as an inline `<svg class='chart'>` that scales down to its container."""
        return (
            f"<svg class='chart' role='img' aria-label='{escape(label, quote=True)}' "
            f"style='width:100%;max-width:{self.width:.0f}px;height:auto' "
            f"viewBox='0 0 {self.width:g} {self.height:g}' font-family=\"{FONT_FAMILY}\" "
            f"font-size='{FONT:g}px'>" + "".join(self.parts) + "</svg>"
        )


def _attrs(style: dict[str, str]) -> str:
    return "".join(
        f" {k.replace('_', '-')}='{escape(str(v), quote=True)}'" for k, v in style.items()
    )


def _grid(d: str) -> str:
    return f"<path d='{d}' stroke='{GRID_COLOR}' stroke-width='1.07'/>"


def _tick(d: str) -> str:
    return f"<path d='{d}' stroke='{TICK_COLOR}' stroke-width='1.07'/>"


def _spine(d: str) -> str:
    return f"<path d='{d}' stroke='{SPINE_COLOR}' stroke-width='1.07'/>"


def _label_depth(labels: Sequence[str]) -> float:
    """How far labels turned 30 degrees reach below their anchor, px."""
    longest = max((text_width(label) for label in labels), default=0.0)
    return longest * 0.5 + FONT * 0.87


def rotated_depth(labels: Sequence[str]) -> float:
    """The bottom margin that labels turned 30 degrees need, besides the axis title."""
    return TICK + PAD + _label_depth(labels)


# -- ticks ------------------------------------------------------------------------------------
_STEPS = (1.0, 2.0, 2.5, 5.0)


def nice_ticks(low: float, high: float, most: int) -> list[float]:
    """At most `most` ticks at multiples of 1, 2, 2.5 or 5 times a power of ten inside
    [low, high] (the smallest such step that fits), at least two when the range allows."""
    span = high - low
    if not (math.isfinite(span) and span > 0):
        return [low]
    power = math.floor(math.log10(span / max(most, 1))) - 1
    while True:
        for mantissa in _STEPS:
            step = mantissa * 10.0**power
            first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
            if last - first + 1 <= most:
                return [_clean(i * step) for i in range(first, last + 1)]
        power += 1


def _clean(value: float) -> float:
    """Round away float noise (0.30000000000000004 -> 0.3) and negative zero."""
    return float(f"{value:.12g}") + 0.0


def tick_labels(ticks: Sequence[float]) -> tuple[list[str], str]:
    """Labels with as many decimals as the step needs, all alike (0.0, 0.5, 1.0), and the
    factor they are written in: "" or, when the numbers are huge or tiny, a power of ten
    such as "1e6" (the labels then read 0.0, 0.5, 1.0 for 0, 500000, 1000000)."""
    if len(ticks) < 2:
        return [f"{t:g}" for t in ticks], ""
    step = min(b - a for a, b in itertools.pairwise(ticks))
    largest = max(abs(t) for t in ticks)
    power = 0
    if largest >= 1e5 or largest < 1e-3:
        power = math.floor(math.log10(largest))
        ticks = [t / 10.0**power for t in ticks]
        step /= 10.0**power
    decimals = _decimals(step)
    labels = [f"{t:.{decimals}f}" for t in ticks]
    return labels, f"1e{power}" if power else ""


def _decimals(step: float) -> int:
    """The fewest decimals that write `step` exactly (to 9 significant digits)."""
    for decimals in range(0, 16):
        if abs(round(step, decimals) - step) <= abs(step) * 1e-9:
            return decimals
    return 16


def log_ticks(low: float, high: float, width: float) -> list[float]:
    """Powers of ten in [low, high], every k-th one (`high`'s kept): at most 5, and as few as
    it takes for their labels to fit side by side in `width` (1e-300 is a long label)."""
    first, last = math.ceil(math.log10(low) - 1e-9), math.floor(math.log10(high) + 1e-9)
    for most in (5, 4, 3, 2):
        stride = max(1, math.ceil((last - first + 1) / most))
        ticks = [10.0**e for e in range(last, first - 1, -stride)][::-1]
        if sum(text_width(f"{t:g}") + 2 * PAD for t in ticks) <= 0.8 * width:
            break
    return ticks


def percent(value: float) -> str:
    """A share as a whole percentage (matplotlib's PercentFormatter(1, decimals=0))."""
    return f"{value * 100:.0f}%"
