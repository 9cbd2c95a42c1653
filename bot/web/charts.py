"""Server-side SVG charts: stacked bars and lines, accessible, every text escaped.

Each builder returns markup for an inline `<svg role="img">` with a `<title>`, a `<desc>` and an
`aria-label` summarising it, axis labels, grid lines and per-point tooltips. Colours come from
CSS classes (`s-<css>`) so the page's stylesheet decides them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 14, 14, 48
TICKS = 4
MAX_X_LABELS = 8


@dataclass(frozen=True)
class Series:
    """One named series of values (None: no value that day); `css` picks its colour."""

    name: str
    values: Sequence[float | None]
    css: str


def nice_ceiling(value: float) -> float:
    """The smallest 1/2/2.5/5 x 10^n at or above `value` (1 for nothing to show)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return float(step * magnitude)
    return float(10 * magnitude)  # pragma: no cover - the loop always returns


def whole_ceiling(value: float) -> float:
    """A top for counts: TICKS equal whole steps (1..10 x 10^n, readable) reaching `value`."""
    need = max(value / TICKS, 1.0)
    magnitude = 10 ** math.floor(math.log10(need))
    step = next(m * magnitude for m in (1, 2, 3, 4, 5, 6, 8, 10) if m * magnitude >= need)
    return float(step * TICKS)


def number(value: float, unit: str = "") -> str:
    """A short human figure: integers without decimals, others with one."""
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return f"{text}{unit}"


def _e(text: str) -> str:
    return escape(text, quote=True)


class _Frame:
    """Plot-area geometry shared by both chart kinds."""

    def __init__(self, slots: int, top: float) -> None:
        self.slots = max(slots, 1)
        self.top = top
        self.width = WIDTH - LEFT - RIGHT
        self.height = HEIGHT - TOP - BOTTOM

    def x(self, index: int) -> float:
        """Centre of slot `index`."""
        return LEFT + self.width * (index + 0.5) / self.slots

    def y(self, value: float) -> float:
        """Vertical position of `value`."""
        return TOP + self.height * (1 - value / self.top)

    @property
    def slot(self) -> float:
        """Width of one slot."""
        return self.width / self.slots


def _open(title: str, summary: str) -> list[str]:
    label = _e(f"{title}. {summary}")
    return [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}"'
        ' preserveAspectRatio="xMidYMid meet"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_e(title)}</title><desc>{_e(summary)}</desc>",
    ]


def _axes(frame: _Frame, labels: Sequence[str], x_label: str, y_label: str, unit: str) -> list[str]:
    parts = ['<g class="axis" aria-hidden="true">']
    for tick in range(TICKS + 1):
        value = frame.top * tick / TICKS
        y = frame.y(value)
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_e(number(value, unit))}</text>"
        )
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    base = HEIGHT - BOTTOM
    for index, label in enumerate(labels):
        if index % every and index != len(labels) - 1:
            continue
        parts.append(
            f'<text class="tick" x="{frame.x(index):.1f}" y="{base + 16}" text-anchor="middle">'
            f"{_e(label)}</text>"
        )
    middle = TOP + frame.height / 2
    parts.append(
        f'<line class="base" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}"/>'
        f'<text class="axis-label" x="{LEFT + frame.width / 2:.1f}" y="{HEIGHT - 6}"'
        f' text-anchor="middle">{_e(x_label)}</text>'
        f'<text class="axis-label" transform="translate(14 {middle:.1f}) rotate(-90)"'
        f' text-anchor="middle">{_e(y_label)}</text></g>'
    )
    return parts


def stacked_bars(
    *,
    title: str,
    summary: str,
    labels: Sequence[str],
    series: Sequence[Series],
    x_label: str,
    y_label: str,
    unit: str = "",
) -> Markup:
    """Bars per label, the series stacked bottom-up in order."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
    frame = _Frame(len(labels), whole_ceiling(max(totals, default=0)))
    parts = _open(title, summary) + _axes(frame, labels, x_label, y_label, unit)
    bar = max(frame.slot * 0.64, 1.0)
    for index, label in enumerate(labels):
        floor = 0.0
        for item in series:
            value = item.values[index] or 0
            if value <= 0:
                continue
            top, bottom = frame.y(floor + value), frame.y(floor)
            tip = f"{label}: {number(value, unit)} {item.name}"
            parts.append(
                f'<rect class="s-{_e(item.css)}" x="{frame.x(index) - bar / 2:.1f}"'
                f' y="{top:.1f}" width="{bar:.1f}" height="{bottom - top:.1f}" rx="2">'
                f"<title>{_e(tip)}</title></rect>"
            )
            floor += value
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(
    *,
    title: str,
    summary: str,
    labels: Sequence[str],
    series: Sequence[Series],
    x_label: str,
    y_label: str,
    unit: str = "",
    y_max: float | None = None,
) -> Markup:
    """One line per series; a missing value (None) breaks the line."""
    values = [v for s in series for v in s.values if v is not None]
    frame = _Frame(len(labels), y_max or nice_ceiling(max(values, default=0)))
    parts = _open(title, summary) + _axes(frame, labels, x_label, y_label, unit)
    for item in series:
        runs: list[list[str]] = [[]]
        dots = []
        for index, value in enumerate(item.values):
            if value is None:
                runs.append([])
                continue
            x, y = frame.x(index), frame.y(value)
            runs[-1].append(f"{x:.1f},{y:.1f}")
            tip = f"{labels[index]}: {number(value, unit)} {item.name}"
            dots.append(
                f'<circle class="s-{_e(item.css)}" cx="{x:.1f}" cy="{y:.1f}" r="3.5">'
                f"<title>{_e(tip)}</title></circle>"
            )
        for points in runs:
            if len(points) > 1:
                parts.append(
                    f'<polyline class="line s-{_e(item.css)}" points="{" ".join(points)}"/>'
                )
        parts.extend(dots)
    parts.append("</svg>")
    return Markup("".join(parts))
